// The ranking lists of the right column: districts, streets, departments.

import { api, isAbort, type RankRow } from "./api";
import { app, atParam, districtName, streetName } from "./state";
import { t, getLang, type Key } from "./i18n";
import { fmtValue, unitText } from "./kpis";
import { touch } from "./fresh";

/** The indicator the rankings (and the map's theme) show, with its window. */
export interface Theme {
  key: string; // the option's value in #choro
  id: string;
  win: string; // for the choropleth
  rankWin: string; // for the rankings
  label: Key;
}

export const THEMES: Theme[] = [
  { key: "reported", id: "reported", win: "30d", rankWin: "7d", label: "c_reported" },
  { key: "backlog", id: "backlog", win: "today", rankWin: "today", label: "c_backlog" },
  { key: "overdue_backlog", id: "overdue_backlog", win: "today", rankWin: "today", label: "c_overdue_backlog" },
  { key: "on_time_closure_rate", id: "on_time_closure_rate", win: "30d", rankWin: "30d", label: "c_on_time_closure_rate" },
];

let theme: Theme = THEMES[0];
let onDrill: (code: string) => void = () => {};
let onStreet: (code: string) => void = () => {};

export function currentTheme(): Theme {
  return theme;
}

export function setTheme(key: string): void {
  theme = THEMES.find((x) => x.key === key) ?? THEMES[0];
}

function sortRows(rows: RankRow[]): RankRow[] {
  return rows
    .filter((r) => r.value !== null && Number.isFinite(r.value))
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
}

function winLabel(w: string): string {
  return t(`w_${w}` as Key);
}

function renderList(id: string, rows: RankRow[], name: (code: string) => string, unit: string | undefined, active?: string | null): void {
  const ul = document.getElementById(id);
  if (!ul) return;
  const top = rows.slice(0, 8);
  const max = Math.max(1e-9, ...top.map((r) => Math.abs(r.value ?? 0)));
  if (top.length === 0) {
    ul.innerHTML = `<li class="empty">${t("no_data")}</li>`;
    return;
  }
  ul.innerHTML = top
    .map((r, i) => {
      const pct = unit === "percent" ? Math.max(0, Math.min(100, r.value ?? 0)) : ((r.value ?? 0) / max) * 100;
      const nm = escapeHTML(name(r.code));
      return `<li data-code="${escapeHTML(r.code)}"${r.code === active ? ' class="active"' : ""} title="${nm}">
        <span class="rk rk${i + 1}">${i + 1}</span><span class="nm">${nm}</span>
        <span class="bar"><i style="width:${pct.toFixed(1)}%"></i></span>
        <span class="val">${fmtValue(r.value, unit)}<small>${unitText(unit)}</small></span></li>`;
    })
    .join("");
}

export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function departmentName(code: string): string {
  const d = app.departments.get(code);
  if (!d) return code;
  return getLang() === "zh" ? d.Name.ZH : d.Name.EN;
}

function setSub(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

/** refreshRankings re-reads the three rankings for the current theme, scope and instant. */
export async function refreshRankings(): Promise<void> {
  const th = theme;
  const unit = app.defs[th.id]?.unit;
  const at = atParam();
  const d = app.district;
  const name = app.defs[th.id] ? (getLang() === "zh" ? app.defs[th.id].name.zh : app.defs[th.id].name.en) : th.id;
  const sub = `${name} · ${winLabel(th.rankWin)}`;
  const g = app.gen;
  const jobs: Promise<void>[] = [];
  jobs.push(
    api.ranking(th.id, "district", th.rankWin, at).then((rows) => {
      if (g !== app.gen) return;
      renderList("rank-districts", sortRows(rows), districtName, unit, d);
      setSub("rank-districts-sub", sub);
      touch("rank-districts");
    }),
  );
  jobs.push(
    api.ranking(th.id, "street", th.rankWin, at).then((rows) => {
      if (g !== app.gen) return;
      const mine = d ? rows.filter((r) => r.code.startsWith(d)) : rows;
      renderList("rank-streets", sortRows(mine), streetName, unit);
      setSub("rank-streets-sub", `${d ? districtName(d) : t("city")} · ${sub}`);
      touch("rank-streets");
    }),
  );
  jobs.push(
    (async () => {
      // Reports are not attributed to departments until dispatched: rank by closures then.
      let id = th.id;
      let rows = await api.ranking(id, "department", th.rankWin, at);
      const mine = (rs: RankRow[]) => (d ? rs.filter((r) => app.departments.get(r.code)?.District === d) : rs);
      if (!mine(rows).some((r) => r.value)) {
        id = "closed_cases";
        rows = await api.ranking(id, "department", th.rankWin === "today" ? "7d" : th.rankWin, at);
      }
      if (g !== app.gen) return;
      const def = app.defs[id];
      const depName = def ? (getLang() === "zh" ? def.name.zh : def.name.en) : id;
      renderList("rank-departments", sortRows(mine(rows)).filter((r) => r.value !== 0), departmentName, def?.unit ?? unit);
      const w = id === th.id ? th.rankWin : th.rankWin === "today" ? "7d" : th.rankWin;
      setSub("rank-departments-sub", `${depName} · ${winLabel(w)}`);
      touch("rank-departments");
    })(),
  );
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === "rejected" && !isAbort(r.reason)) console.warn("ranking", r.reason);
}

export function setupRankings(drill: (code: string) => void, street: (code: string) => void): void {
  onDrill = drill;
  onStreet = street;
  document.getElementById("rank-districts")!.addEventListener("click", (e) => {
    const li = (e.target as HTMLElement).closest<HTMLElement>("li[data-code]");
    if (li) onDrill(li.dataset.code!);
  });
  document.getElementById("rank-streets")!.addEventListener("click", (e) => {
    const li = (e.target as HTMLElement).closest<HTMLElement>("li[data-code]");
    if (li) onStreet(li.dataset.code!);
  });
}
