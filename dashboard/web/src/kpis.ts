// The KPI counters of the left column, coloured by each indicator's thresholds.

import { api, type IndicatorValue, type Definition } from "./api";
import { app, ready } from "./state";
import { t, type Key, getLang } from "./i18n";
import { touch } from "./fresh";

export interface Kpi {
  id: string;
  win: string;
}

export const KPIS: Kpi[] = [
  { id: "reported", win: "today" },
  { id: "valid_reports", win: "today" },
  { id: "closed_cases", win: "today" },
  { id: "backlog", win: "today" },
  { id: "overdue_backlog", win: "today" },
  { id: "on_time_closure_rate", win: "30d" },
  { id: "hotline_satisfaction_rate", win: "30d" },
  { id: "mean_handle_hours", win: "30d" },
];

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** fmtValue renders an indicator value for its unit, without the unit. */
export function fmtValue(v: number | null | undefined, unit: string | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  switch (unit) {
    case "percent":
    case "hours":
    case "score":
    case "per_day":
      return v.toFixed(1);
    case "minutes":
      return v < 100 ? v.toFixed(1) : intFmt.format(v);
    default:
      return intFmt.format(v);
  }
}

export function unitText(unit: string | undefined): string {
  switch (unit) {
    case "percent":
      return "%";
    case "hours":
      return t("u_hours");
    case "minutes":
      return t("u_minutes");
    case "count":
      return t("u_count");
    default:
      return "";
  }
}

/** level colours a value by the definition's thresholds: green, amber, red or neutral. */
export function level(v: number | null | undefined, def: Definition | undefined): string {
  const th = def?.thresholds;
  if (!th || v === null || v === undefined || !Number.isFinite(v)) return "neutral";
  if (th.better === "higher") return v >= th.green ? "green" : v >= th.amber ? "amber" : "red";
  return v <= th.green ? "green" : v <= th.amber ? "amber" : "red";
}

function change(label: string, v: number | null | undefined, ref: number | null | undefined, def: Definition | undefined): string {
  if (v === null || v === undefined || ref === null || ref === undefined) return `<span class="chg">${label} –</span>`;
  let d: number;
  let txt: string;
  if (def?.unit === "percent") {
    d = v - ref;
    txt = `${Math.abs(d).toFixed(1)}${t("u_pt")}`;
  } else {
    if (ref === 0) return `<span class="chg">${label} –</span>`;
    d = ((v - ref) / Math.abs(ref)) * 100;
    txt = `${Math.abs(d).toFixed(1)}%`;
  }
  if (Math.abs(d) >= 1000) txt = ">999%";
  const arrow = Math.abs(d) < 0.05 ? "–" : d > 0 ? "▲" : "▼";
  let cls = "flat";
  if (Math.abs(d) >= 0.05 && def?.thresholds) {
    const good = def.thresholds.better === "higher" ? d > 0 : d < 0;
    cls = good ? "good" : "bad";
  } else if (Math.abs(d) >= 0.05) cls = d > 0 ? "up" : "down";
  return `<span class="chg ${cls}">${label} <b>${arrow}${txt}</b></span>`;
}

export function setupKpis(): void {
  const root = document.getElementById("kpis")!;
  root.innerHTML = KPIS.map(
    (k) => `<div class="kpi" data-id="${k.id}" data-status="neutral">
      <div class="kpi-label"><i></i><span data-i18n="k_${k.id}">${t(`k_${k.id}` as Key)}</span></div>
      <div class="kpi-num"><span class="value">–</span><span class="unit"></span></div>
      <div class="kpi-chg"></div>
    </div>`,
  ).join("");
}

let lastValues: IndicatorValue[] = [];

/** renderKpis fills the counters; asof (replay) is written to #kpis data-asof. */
export function renderKpis(values: IndicatorValue[], asof?: string): void {
  lastValues = values;
  const root = document.getElementById("kpis")!;
  if (asof) root.dataset.asof = asof;
  else delete root.dataset.asof;
  const byId = new Map(values.map((v) => [v.id, v]));
  let filled = 0;
  for (const k of KPIS) {
    const el = root.querySelector<HTMLElement>(`.kpi[data-id="${k.id}"]`);
    if (!el) continue;
    const def = app.defs[k.id];
    const w = byId.get(k.id)?.windows[k.win];
    const v = w?.value;
    const valueEl = el.querySelector<HTMLElement>(".value")!;
    const text = fmtValue(v, def?.unit);
    if (valueEl.textContent !== text) {
      valueEl.textContent = text;
      el.classList.remove("bump");
      void el.offsetWidth; // restart the animation
      el.classList.add("bump");
    }
    if (v !== null && v !== undefined) filled++;
    el.querySelector<HTMLElement>(".unit")!.textContent = unitText(def?.unit);
    el.dataset.status = level(v, def);
    el.querySelector<HTMLElement>(".kpi-chg")!.innerHTML =
      change(t("yoy"), v, w?.yoy, def) + change(t("mom"), v, w?.mom, def);
    el.title = def ? `${getLang() === "zh" ? def.name.zh : def.name.en} · ${t(`w_${k.win}` as Key)}` : k.id;
  }
  touch("kpis");
  if (filled > 0) ready("kpis");
}

/** rerenderKpis redraws the last values (after a language change). */
export function rerenderKpis(): void {
  if (lastValues.length) renderKpis(lastValues, document.getElementById("kpis")!.dataset.asof);
}

/** fetchKpis reads the counters over HTTP for the current scope at `at` (undefined = now). */
export async function fetchKpis(district: string | null, at?: string): Promise<IndicatorValue[]> {
  const ans = await api.indicators(district, KPIS.map((k) => k.id), at);
  return ans.indicators;
}
