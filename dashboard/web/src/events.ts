// The live event list (#events) and the alarm panel (#alarms).

import type { CaseRow } from "./api";
import { app, type Card, districtName, inScope, ready } from "./state";
import { t, tr } from "./i18n";
import { fmtHMS } from "./time";
import { escapeHTML } from "./lists";
import { touch } from "./fresh";

export interface EventItem {
  key: string;
  id: string;
  at: number;
  status: string;
  title: string;
  district?: string;
  overdue?: boolean;
  urgency?: string;
}

const MAX = 50;

export function itemOfCard(c: Card): EventItem {
  return { key: `${c.id}@${c.pos}`, id: c.id, at: c.at, status: c.status, title: c.title, district: c.district, overdue: c.overdue, urgency: c.urgency };
}

export function itemOfCase(c: CaseRow): EventItem {
  const at = Date.parse(c.reportedAt);
  return { key: `${c.id}@r`, id: c.id, at, status: c.status, title: c.title, district: c.district, overdue: c.overdue || c.sla === "red", urgency: c.urgency };
}

function statusClass(s: string): string {
  switch (s) {
    case "reported":
    case "verified":
      return "s-new";
    case "registered":
    case "dispatched":
      return "s-disp";
    case "accepted":
      return "s-work";
    case "suspended":
      return "s-hold";
    case "handled":
    case "inspected":
      return "s-done";
    case "closed":
      return "s-closed";
    default:
      return "s-void";
  }
}

function li(it: EventItem, fresh: boolean): HTMLLIElement {
  const el = document.createElement("li");
  el.dataset.id = it.id;
  if (fresh) el.className = "new";
  if (it.urgency && it.urgency !== "normal") el.classList.add("urgent");
  el.innerHTML =
    `<time>${fmtHMS(it.at)}</time>` +
    `<span class="tag ${statusClass(it.status)}">${escapeHTML(tr(`st_${it.status}`, it.status))}</span>` +
    (it.overdue ? `<span class="tag s-over">${t("overdue")}</span>` : "") +
    `<span class="ttl">${escapeHTML(it.title)}</span>` +
    `<span class="dst">${escapeHTML(districtName(it.district))}</span>`;
  return el;
}

let shown: EventItem[] = [];

/** renderEvents replaces the list with items (newest first), filtered to the scope. */
export function renderEvents(items: EventItem[]): void {
  const ul = document.getElementById("events")!;
  shown = items.filter((x) => inScope(x.district)).slice(0, MAX);
  ul.replaceChildren(...shown.map((x) => li(x, false)));
  if (shown.length === 0) {
    const e = document.createElement("li");
    e.className = "empty";
    e.textContent = t(app.mode === "replay" ? "no_cases" : "no_events");
    ul.append(e);
  }
  touch("events");
  if (shown.length > 0) ready("events");
}

/** pushEvents puts new items (oldest first) on top of the list, highlighted. */
export function pushEvents(items: EventItem[]): void {
  const ul = document.getElementById("events")!;
  ul.querySelector("li.empty")?.remove();
  for (const it of items) {
    if (!inScope(it.district)) continue;
    shown.unshift(it);
    ul.prepend(li(it, true));
  }
  if (shown.length > MAX) {
    shown.length = MAX;
    while (ul.children.length > MAX) ul.lastElementChild?.remove();
  }
  touch("events");
  if (shown.length > 0) ready("events");
}

export function rerenderEvents(): void {
  renderEvents(shown.slice());
}

// ---- alarms ----

export interface Alarm {
  stream: string;
  event: string;
  at: number;
  data?: { alarmId?: string; severity?: string; metric?: string; value?: number; caseId?: string };
}

interface ActiveAlarm {
  id: string;
  stream: string;
  at: number;
  state: string;
  severity: string;
  metric?: string;
  value?: number;
}

const active = new Map<string, ActiveAlarm>();

/** foldAlarms applies alarm events in order: raised ones open, cleared or false ones close. */
export function foldAlarms(list: Alarm[], reset: boolean): void {
  if (reset) active.clear();
  for (const a of list) {
    const id = a.data?.alarmId ?? a.stream;
    switch (a.event) {
      case "AlarmRaised":
        active.set(id, { id, stream: a.stream, at: a.at, state: a.event, severity: a.data?.severity ?? "info", metric: a.data?.metric, value: a.data?.value });
        break;
      case "AlarmAcknowledged":
      case "AlarmEscalated": {
        const x = active.get(id);
        if (x) x.state = a.event;
        break;
      }
      default:
        active.delete(id);
    }
  }
}

const sevRank: Record<string, number> = { critical: 0, major: 1, minor: 2, info: 3 };

export function renderAlarms(): void {
  const ul = document.getElementById("alarms")!;
  const list = [...active.values()].sort((a, b) => (sevRank[a.severity] ?? 4) - (sevRank[b.severity] ?? 4) || b.at - a.at).slice(0, 30);
  document.getElementById("alarm-count")!.textContent = String(active.size);
  if (list.length === 0) {
    ul.innerHTML = `<li class="empty"><span class="ok-ring"></span>${t("no_alarms")}</li>`;
  } else {
    ul.innerHTML = list
      .map((a) => {
        const metric = a.metric ? tr(`m_${a.metric}`, a.metric) : "";
        const val = a.value !== undefined && a.value !== null ? ` ${a.value}` : "";
        return `<li class="sev-${escapeHTML(a.severity)}"><time>${fmtHMS(a.at)}</time>` +
          `<span class="tag">${escapeHTML(tr(`sev_${a.severity}`, a.severity))}</span>` +
          `<span class="ttl">${escapeHTML(metric + val)}</span>` +
          `<span class="dst">${escapeHTML(tr(`a_${a.state}`, a.state))} · ${escapeHTML(a.stream)}</span></li>`;
      })
      .join("");
  }
  touch("alarms");
}
