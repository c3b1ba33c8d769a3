// The ECharts widgets: 30-day trend, today's hourly bars, the 7-day category ring.

import * as echarts from "echarts/core";
import { LineChart, BarChart, PieChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import { api, isAbort, type RankRow } from "./api";
import { daily, hourly } from "./series";
import { app, asOf, atParam } from "./state";
import { t, getLang } from "./i18n";
import { fmtMonthDay, wall, dayStart, iso } from "./time";
import { touch } from "./fresh";

echarts.use([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

const C = {
  cyan: "#22e4ff",
  teal: "#12f5b5",
  blue: "#2f7bff",
  text: "#8fb4d8",
  axis: "rgba(80,160,230,0.35)",
  split: "rgba(80,160,230,0.12)",
};
const ringColors = ["#22e4ff", "#12f5b5", "#2f7bff", "#ffc23d", "#a06bff", "#ff7a45", "#56d6a0", "#f06bc8", "#7fd4ff", "#4a6a8f"];

let trend: echarts.ECharts | null = null;
let hours: echarts.ECharts | null = null;
let ring: echarts.ECharts | null = null;

const tooltip = {
  trigger: "axis" as const,
  backgroundColor: "rgba(6,20,40,0.92)",
  borderColor: "rgba(34,228,255,0.5)",
  textStyle: { color: "#d8f3ff", fontSize: 13 },
};

function init(id: string): echarts.ECharts {
  const el = document.getElementById(id)!;
  return echarts.init(el, undefined, { renderer: "svg" });
}

function empty(id: string, on: boolean): void {
  const el = document.getElementById(id)?.parentElement?.querySelector<HTMLElement>(".chart-empty");
  if (el) el.hidden = !on;
}

export function setupCharts(): void {
  trend = init("chart-trend");
  hours = init("chart-hours");
  ring = init("chart-cats");
}

function axisBase() {
  return {
    axisLine: { lineStyle: { color: C.axis } },
    axisTick: { show: false },
    axisLabel: { color: C.text, fontSize: 12 },
    splitLine: { lineStyle: { color: C.split } },
  };
}

function area(color: string) {
  return new echarts.graphic.LinearGradient(0, 0, 0, 1, [
    { offset: 0, color: color + "55" },
    { offset: 1, color: color + "00" },
  ]);
}

async function renderTrend(): Promise<void> {
  const at = app.mode === "replay" ? app.replayT : undefined;
  const g = app.gen;
  const s = await daily(["reported", "closed_cases"], app.district, 30, at);
  if (g !== app.gen) return;
  const rep = s.reported ?? [];
  const clo = s.closed_cases ?? [];
  // Label each point with the day it closes: a day's end is the next day's 00:00.
  const labels = rep.map((p, i) => fmtMonthDay(i === rep.length - 1 ? p.at : p.at - 1));
  trend!.setOption(
    {
      grid: { left: 44, right: 14, top: 30, bottom: 24 },
      tooltip,
      legend: {
        top: 0,
        right: 6,
        itemWidth: 14,
        itemHeight: 4,
        textStyle: { color: C.text, fontSize: 12 },
        data: [t("s_reported"), t("s_closed")],
      },
      xAxis: { type: "category", data: labels, boundaryGap: false, ...axisBase(), splitLine: { show: false } },
      yAxis: { type: "value", ...axisBase(), axisLine: { show: false } },
      series: [
        {
          name: t("s_reported"),
          type: "line",
          smooth: true,
          showSymbol: false,
          data: rep.map((p) => p.value),
          lineStyle: { color: C.cyan, width: 2 },
          itemStyle: { color: C.cyan },
          areaStyle: { color: area(C.cyan) },
        },
        {
          name: t("s_closed"),
          type: "line",
          smooth: true,
          showSymbol: false,
          data: clo.map((p) => p.value),
          lineStyle: { color: C.teal, width: 2 },
          itemStyle: { color: C.teal },
          areaStyle: { color: area(C.teal) },
        },
      ],
    },
    { notMerge: fresh("trend") },
  );
  empty("chart-trend", rep.length === 0);
  touch("trend");
}

/** perHour turns cumulative hour-end values into each hour's own count (index = hour of day). */
function perHour(pts: { at: number; value: number | null }[]): (number | null)[] {
  const bars: (number | null)[] = new Array(24).fill(null);
  let prev = 0;
  for (const p of pts) {
    if (p.value === null) continue;
    bars[wall(p.at - 1).h] = Math.max(0, p.value - prev);
    prev = p.value;
  }
  return bars;
}

async function renderHours(): Promise<void> {
  const at = app.mode === "replay" ? app.replayT : undefined;
  const g = app.gen;
  const yesterday = dayStart(asOf()) - 1000;
  const [pts, prevDay] = await Promise.all([
    hourly("reported", app.district, at),
    hourly("reported", app.district, yesterday).catch(() => []),
  ]);
  if (g !== app.gen) return;
  const bars = perHour(pts);
  const ybars = perHour(prevDay);
  const current = wall(asOf()).h;
  hours!.setOption(
    {
      grid: { left: 40, right: 10, top: 28, bottom: 24 },
      tooltip: { ...tooltip, axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category",
        data: bars.map((_, h) => String(h)),
        ...axisBase(),
        axisLabel: { color: C.text, fontSize: 11, interval: 2 },
        splitLine: { show: false },
      },
      yAxis: { type: "value", minInterval: 1, ...axisBase(), axisLine: { show: false } },
      legend: {
        top: 0,
        right: 6,
        itemWidth: 12,
        itemHeight: 6,
        textStyle: { color: C.text, fontSize: 12 },
        data: [t("s_today"), t("s_yesterday")],
      },
      series: [
        {
          name: t("s_yesterday"),
          type: "line",
          smooth: true,
          showSymbol: false,
          data: ybars,
          lineStyle: { color: "rgba(160,190,230,0.55)", width: 1.5, type: "dashed" },
          itemStyle: { color: "rgba(160,190,230,0.7)" },
          z: 3,
        },
        {
          name: t("s_today"),
          type: "bar",
          barWidth: "58%",
          data: bars.map((v, h) => ({
            value: v,
            itemStyle: {
              color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
                { offset: 0, color: h === current ? "#ffd36b" : C.cyan },
                { offset: 1, color: h === current ? "rgba(255,180,40,0.15)" : "rgba(47,123,255,0.15)" },
              ]),
              borderRadius: [2, 2, 0, 0],
            },
          })),
        },
      ],
    },
    { notMerge: fresh("hours") },
  );
  empty("chart-hours", pts.length === 0);
  touch("hours");
}

/** ringRows are the last 7 days' reports by category: the indicator's ranking for the city;
 * for a drilled district the case list's counts, as the indicators break down by one
 * dimension at a time (district or category, not both). */
async function ringRows(): Promise<RankRow[]> {
  if (!app.district) return api.ranking("reported", "category", "7d", atParam());
  const at = asOf();
  const r = await api.cases({ limit: 1, district: app.district, from: iso(dayStart(at, 6)), to: iso(at + 1), facet: "category" });
  return (r.counts ?? []).map((c) => ({ code: c.value, value: c.count }));
}

async function renderRing(): Promise<void> {
  const g = app.gen;
  const rows = await ringRows();
  if (g !== app.gen) return;
  const byMajor = new Map<string, { name: string; value: number }>();
  for (const r of rows) {
    const c = app.categories.get(r.code);
    if (!r.value) continue;
    const key = c ? c.MajorName.ZH : r.code;
    const name = c ? (getLang() === "zh" ? c.MajorName.ZH : c.MajorName.EN) : r.code;
    const e = byMajor.get(key) ?? { name, value: 0 };
    e.value += r.value;
    byMajor.set(key, e);
  }
  const all = [...byMajor.values()].sort((a, b) => b.value - a.value);
  const top = all.slice(0, 9);
  const rest = all.slice(9).reduce((s, x) => s + x.value, 0);
  if (rest > 0) top.push({ name: t("other"), value: rest });
  const total = all.reduce((s, x) => s + x.value, 0);
  ring!.setOption(
    {
      color: ringColors,
      tooltip: { ...tooltip, trigger: "item", formatter: "{b}<br/>{c} ({d}%)" },
      legend: {
        orient: "vertical",
        right: 4,
        top: "middle",
        itemWidth: 8,
        itemHeight: 8,
        itemGap: 7,
        icon: "rect",
        textStyle: { color: "#bcd8f0", fontSize: 12 },
        formatter: (name: string) => {
          const v = top.find((x) => x.name === name)?.value ?? 0;
          const pct = total ? ((v / total) * 100).toFixed(1) : "0";
          const max = getLang() === "zh" ? 9 : 20;
          return `${name.length > max ? name.slice(0, max - 1) + "…" : name}  ${pct}%`;
        },
      },
      series: [
        {
          type: "pie",
          radius: ["52%", "74%"],
          center: ["24%", "50%"],
          padAngle: 2,
          itemStyle: { borderRadius: 3, borderColor: "#050d1c", borderWidth: 1 },
          label: {
            show: true,
            position: "center",
            formatter: () => `{v|${total.toLocaleString()}}\n{l|${t("w_7d")}}`,
            rich: {
              v: { color: "#e8fbff", fontSize: 22, fontWeight: "bold", fontFamily: "DIN Alternate, Bahnschrift, Liberation Sans Narrow, sans-serif" },
              l: { color: C.text, fontSize: 12, padding: [4, 0, 0, 0] },
            },
          },
          labelLine: { show: false },
          emphasis: { scale: true, scaleSize: 4, label: { show: true } },
          data: top,
        },
      ],
    },
    { notMerge: fresh("cats") },
  );
  empty("chart-cats", top.length === 0);
  // The ring's total and scope, for tests and for anyone checking the screen against the API.
  const el = document.getElementById("chart-cats")!;
  el.dataset.total = String(total);
  el.dataset.scope = app.district ?? "city";
  touch("cats");
}

const drawn: Record<string, number | undefined> = {}; // chart → the view (app.gen) it shows

/** fresh reports whether a chart is drawn for the first time in this view: its option then
 * replaces the last view's whole, with the entry animation. Later refreshes of the same view
 * merge, so a wall's lines and ring move to their new values instead of redrawing from the
 * left every 10 s. */
function fresh(name: string): boolean {
  const first = drawn[name] !== app.gen;
  drawn[name] = app.gen;
  return first;
}

function guard(name: string, p: Promise<void>): Promise<void> {
  return p.catch((e) => {
    if (isAbort(e)) return;
    console.warn(name, e);
    (name === "trend" ? trend : name === "hours" ? hours : ring)?.clear();
    drawn[name] = undefined;
    empty(`chart-${name}`, true);
  });
}

/** refreshCharts re-reads every chart for the current scope and instant. */
export function refreshCharts(): Promise<unknown> {
  return Promise.all([guard("trend", renderTrend()), guard("hours", renderHours()), guard("cats", renderRing())]);
}

/** clearCharts blanks the scope's charts until the new scope's answers arrive. */
export function clearCharts(): void {
  trend?.clear();
  hours?.clear();
  drawn.trend = drawn.hours = undefined;
  empty("chart-trend", true);
  empty("chart-hours", true);
}

export function resizeCharts(): void {
  trend?.resize();
  hours?.resize();
  ring?.resize();
}
