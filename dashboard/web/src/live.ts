// The live state from the stream: the case feed, the map's cards, the alarms and the
// indicators of the current scope. It is always kept; it is drawn only in live mode.

import type { Frame, Stream } from "./stream";
import type { IndicatorValue } from "./api";
import { api, isAbort } from "./api";
import { app, type Card, inScope, isOpen, now } from "./state";
import { itemOfCard, itemOfCase, pushEvents, renderEvents, foldAlarms, renderAlarms, type Alarm, type EventItem } from "./events";
import { setCases, pulse } from "./map";
import { renderKpis } from "./kpis";
import { touch } from "./fresh";

const feed: EventItem[] = []; // the city's latest events, newest first
let backfill: EventItem[] = []; // HTTP cases of the scope, shown under the live ones
const cards = new Map<string, Card>(); // map:cases
let indicators: IndicatorValue[] | null = null;
let indicatorsTopic = "";
let mapTimer: number | undefined;
let gotMap = false;

const live = () => app.mode === "live";

function scheduleMap(): void {
  if (mapTimer !== undefined) return;
  mapTimer = window.setTimeout(() => {
    mapTimer = undefined;
    if (live()) drawMap();
  }, 400);
}

/** drawMap puts the live cards of the scope on the map. */
export function drawMap(): void {
  const pts = [];
  for (const c of cards.values()) if (inScope(c.district)) pts.push({ ...c, lon: c.lon ?? NaN, lat: c.lat ?? NaN });
  setCases(pts);
  setCount(pts.filter((p) => isOpen(p.status)).length);
}

export function setCount(n: number): void {
  const el = document.getElementById("case-count");
  if (el) el.textContent = n.toLocaleString("en-US");
}

/** drawEvents renders the event list from the live feed and the scope's backfill. */
export function drawEvents(): void {
  const seen = new Set(feed.map((x) => x.id));
  const items = feed.filter((x) => inScope(x.district)).concat(backfill.filter((x) => !seen.has(x.id) && inScope(x.district)));
  items.sort((a, b) => b.at - a.at);
  renderEvents(items);
}

/** loadBackfill reads the scope's latest cases over HTTP, for a list that starts full. */
export async function loadBackfill(): Promise<void> {
  const d = app.district;
  try {
    const ans = await api.cases({ limit: 50, district: d ?? undefined });
    if (d !== app.district) return;
    backfill = (ans.cases ?? []).map(itemOfCase);
    if (live()) drawEvents();
  } catch (e) {
    if (!isAbort(e)) console.warn("cases", e);
  }
}

export function drawIndicators(): void {
  if (indicators) renderKpis(indicators);
}

export function drawAll(): void {
  drawEvents();
  drawMap();
  drawIndicators();
  renderAlarms();
}

function pulseKind(c: Card): "new" | "over" | "closed" | "work" {
  if (c.event === "CaseOverdue" || c.overdue) return "over";
  if (c.event === "CaseReported") return "new";
  if (!isOpen(c.status)) return "closed";
  return "work";
}

function onCases(f: Frame): void {
  if (f.kind === "snapshot") {
    feed.length = 0;
    for (const c of (f.data as Card[] | null) ?? []) feed.push(itemOfCard(c));
    feed.sort((a, b) => b.at - a.at);
    if (live()) drawEvents();
  } else if (f.kind === "deltas") {
    const list = (f.deltas as Card[] | undefined) ?? [];
    const items = list.map(itemOfCard);
    for (const it of items) feed.unshift(it);
    if (feed.length > 300) feed.length = 300;
    if (live()) {
      pushEvents(items);
      for (const c of list) if (inScope(c.district) && c.lon && c.lat) pulse(c.lon, c.lat, pulseKind(c));
    }
  } else if (f.kind === "resumed" && live()) touch("events");
}

function keep(c: Card): boolean {
  if (c.status === "voided" || c.status === "merged") return false;
  return isOpen(c.status) || (c.closedAt ?? now()) >= now() - 86_400_000;
}

function onMapCases(f: Frame): void {
  if (f.kind === "snapshot") {
    cards.clear();
    for (const c of (f.data as Card[] | null) ?? []) if (keep(c)) cards.set(c.id, c);
    gotMap = true;
  } else if (f.kind === "deltas") {
    for (const c of (f.deltas as Card[] | undefined) ?? []) {
      if (keep(c)) cards.set(c.id, c);
      else cards.delete(c.id);
    }
  }
  if (live()) {
    touch("map");
    if (f.kind === "snapshot" || f.kind === "deltas") scheduleMap();
  }
}

function onAlarms(f: Frame): void {
  if (f.kind === "snapshot") foldAlarms((f.data as Alarm[] | null) ?? [], true);
  else if (f.kind === "deltas") foldAlarms((f.deltas as Alarm[] | undefined) ?? [], false);
  if (live() && f.kind !== "error") renderAlarms();
}

function onIndicators(f: Frame): void {
  if (f.topic !== indicatorsTopic) return;
  if (f.kind === "snapshot" || f.kind === "state") {
    const d = f.data as { at?: string; indicators?: IndicatorValue[] } | null;
    if (!d?.indicators) return;
    indicators = d.indicators;
    if (d.at) app.skew = Date.parse(d.at) - Date.now();
    if (live()) renderKpis(indicators);
  } else if (f.kind === "patch") {
    const d = f.data as { at?: string; indicators?: IndicatorValue[] } | null;
    if (!d?.indicators || !indicators) return;
    indicators = mergeIndicators(indicators, d.indicators);
    const k = document.getElementById("kpis");
    if (k) k.dataset.patches = String(Number(k.dataset.patches ?? 0) + 1); // read by the browser test
    if (d.at) app.skew = Date.parse(d.at) - Date.now();
    if (live()) renderKpis(indicators);
  } else if (f.kind === "resumed" && live()) touch("kpis");
}

/** mergeIndicators applies a patch: the windows it names replace the held ones. */
export function mergeIndicators(held: IndicatorValue[], patch: IndicatorValue[]): IndicatorValue[] {
  const byId = new Map(held.map((v) => [v.id, v]));
  for (const p of patch) {
    const v = byId.get(p.id);
    byId.set(p.id, v ? { ...v, windows: { ...v.windows, ...p.windows } } : p);
  }
  return [...byId.values()];
}

/** setIndicators primes the counters from an HTTP answer until the stream has spoken. */
export function setIndicators(v: IndicatorValue[]): void {
  if (!indicators) indicators = v;
}

/** watchScope moves the indicators subscription to the current scope. */
export function watchScope(s: Stream): void {
  const topic = app.district ? `indicators:district:${app.district}` : "indicators:city";
  if (topic === indicatorsTopic) return;
  if (indicatorsTopic) s.unsubscribe(indicatorsTopic);
  indicatorsTopic = topic;
  indicators = null;
  s.subscribe(topic, onIndicators);
}

export function startLive(s: Stream): void {
  s.subscribe("cases", onCases);
  s.subscribe("map:cases", onMapCases);
  s.subscribe("alarms", onAlarms);
  watchScope(s);
  renderAlarms();
}

export function hasMapSnapshot(): boolean {
  return gotMap;
}
