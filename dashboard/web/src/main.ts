// The command-center screen: bootstraps the data, the map, the widgets and the stream.

import "./style.css";
import "./widgets.css";
import "./map.css";
import { api, isAbort, type AreaCollection } from "./api";
import { app, bumpView, cityName, districtName, emit, ready, now } from "./state";
import { applyStatic, getLang, onLang, setLang, t } from "./i18n";
import { setZone, fmtDate, fmtHMS, weekday, iso } from "./time";
import { Stream, streamURL } from "./stream";
import { setupKpis, renderKpis, rerenderKpis, fetchKpis, KPIS } from "./kpis";
import { setupCharts, refreshCharts, resizeCharts, clearCharts } from "./charts";
import { setupRankings, refreshRankings, setTheme, THEMES } from "./lists";
import { rerenderEvents, renderAlarms, renderEvents, itemOfCase } from "./events";
import { createMap, fitArea, setSelected, setHeat, heat, resizeMap, setCases } from "./map";
import { setupLabels, scopeLabels, refreshChoropleth } from "./choro";
import { bounds } from "./geo";
import { setupTimeTravel, renderTravel } from "./timetravel";
import { startFreshness, renderFreshness, touch } from "./fresh";
import { startLive, watchScope, drawAll, drawEvents, drawMap, loadBackfill, setIndicators, setCount } from "./live";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const stream = new Stream(streamURL());
let streets: AreaCollection | null = null;

function scaleStage(): void {
  const s = Math.min(innerWidth / 1920, innerHeight / 1080);
  const x = (innerWidth - 1920 * s) / 2;
  const y = (innerHeight - 1080 * s) / 2;
  $("stage").style.transform = `translate(${x}px, ${y}px) scale(${s})`;
  resizeMap(Math.max(1, (window.devicePixelRatio || 1) * s));
  resizeCharts();
}

function renderHeader(): void {
  const name = cityName();
  $("title").textContent = name ? `${t("title")} · ${name}` : t("title");
  document.title = $("title").textContent ?? "";
  $("scope").textContent = app.district ? districtName(app.district) : t("city");
  $("back").hidden = !app.district;
  $("lang").textContent = t("lang");
  const counts = app.city?.counts ?? {};
  $("counts").innerHTML = (["district", "street", "community", "grid"] as const)
    .filter((k) => counts[k])
    .map((k) => `<span><b>${counts[k].toLocaleString("en-US")}</b>${t(`n_${k}`)}</span>`)
    .join("");
  const c = $("conn");
  c.querySelector(".conn-text")!.textContent = t(c.dataset.state === "connected" ? "connected" : c.dataset.state === "reconnecting" ? "reconnecting" : "connecting");
}

function tickClock(): void {
  const ms = now();
  const el = $("clock");
  el.querySelector(".clk-date")!.textContent = fmtDate(ms);
  el.querySelector(".clk-time")!.textContent = fmtHMS(ms);
  el.querySelector(".clk-week")!.textContent = weekday(ms, getLang());
}

/** refreshHTTP re-reads the HTTP widgets (charts, rankings, theme) of the current view. */
let httpBusy = false;

function refreshHTTP(): Promise<unknown> {
  httpBusy = true;
  // Rankings first: the browser queues requests per host, and the charts may need many.
  return Promise.all([
    refreshRankings(),
    refreshChoropleth().catch((e) => isAbort(e) || console.warn("choropleth", e)),
    refreshCharts(),
  ]).finally(() => (httpBusy = false));
}

async function refreshKpisHTTP(): Promise<void> {
  const gen = app.gen;
  try {
    const v = await fetchKpis(app.district);
    if (gen !== app.gen || app.mode !== "live") return;
    setIndicators(v);
    renderKpis(v);
  } catch (e) {
    if (!isAbort(e)) console.warn("kpis", e);
  }
}

/** replayTick reads every widget at the replayed instant T. */
async function replayTick(): Promise<void> {
  const gen = app.gen;
  const T = app.replayT;
  const at = iso(T);
  const from = iso(app.replayDayStart);
  const d = app.district ?? undefined;
  const stale = () => gen !== app.gen || app.mode !== "replay";
  const jobs: Promise<unknown>[] = [refreshHTTP()];
  jobs.push(
    fetchKpis(app.district, at).then((v) => {
      if (!stale()) renderKpis(v, at);
    }),
  );
  if (T > app.replayDayStart) {
    jobs.push(
      api.cases({ from, to: at, at, limit: 50, district: d }).then((ans) => {
        if (!stale()) renderEvents((ans.cases ?? []).map(itemOfCase));
      }),
    );
  } else {
    renderEvents([]);
  }
  // The map shows the cases open at T, as they stood then: the live map of that instant.
  jobs.push(
    api.mapCases({ at, limit: 20000, district: d }).then((ans) => {
      if (stale()) return;
      setCases(
        ans.features.map((f) => ({
          id: f.id,
          lon: f.geometry.coordinates[0],
          lat: f.geometry.coordinates[1],
          status: f.properties.status,
          sla: f.properties.sla,
          urgency: f.properties.urgency,
          overdue: f.properties.overdue,
        })),
      );
      setCount(ans.total);
      touch("map");
    }),
  );
  const res = await Promise.allSettled(jobs);
  for (const r of res) if (r.status === "rejected" && !isAbort(r.reason)) console.warn("replay", r.reason);
}

function drill(code: string | null): void {
  if (code === app.district) {
    if (code) fitArea(code);
    return;
  }
  app.district = code;
  bumpView();
  renderHeader();
  document.body.dataset.scope = code ?? "city";
  watchScope(stream);
  setSelected(code);
  fitArea(code);
  clearCharts();
  scopeLabels();
  emit("scope");
  if (app.mode === "live") {
    drawEvents();
    drawMap();
    void loadBackfill();
    void refreshKpisHTTP();
    void refreshHTTP();
  } else void replayTick();
}

function flyToStreet(code: string): void {
  const f = streets?.features.find((x) => x.properties.code === code);
  if (!f) return;
  const d = code.slice(0, 6);
  if (app.district !== d && app.districts.has(d)) drill(d);
  fitArea(null, bounds(f.geometry));
}

function wireControls(): void {
  $("lang").addEventListener("click", () => setLang(getLang() === "zh" ? "en" : "zh"));
  $("back").addEventListener("click", () => drill(null));
  const choro = $<HTMLSelectElement>("choro");
  choro.addEventListener("change", () => {
    setTheme(choro.value);
    refreshChoropleth().catch((e) => isAbort(e) || console.warn("choropleth", e));
    void refreshRankings();
  });
  $("heat").addEventListener("click", () => {
    setHeat(!heat());
    $("heat").classList.toggle("on", heat());
  });
  onLang(() => {
    applyStatic();
    renderHeader();
    tickClock();
    rerenderKpis();
    rerenderEvents();
    renderAlarms();
    renderTravel();
    renderFreshness();
    scopeLabels();
    void refreshHTTP();
  });
}

async function boot(): Promise<void> {
  document.documentElement.lang = getLang() === "zh" ? "zh-CN" : "en";
  scaleStage();
  window.addEventListener("resize", scaleStage);
  applyStatic();
  setupKpis();
  startFreshness();
  wireControls();
  const conn = $("conn");
  stream.onState((s) => {
    conn.dataset.state = s;
    renderHeader();
  });

  // A wall screen outlives server restarts: wait for the server rather than give up.
  let city;
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
    try {
      city = await api.city();
      break;
    } catch (e) {
      console.warn("city", e);
      $("scope").textContent = t("loading");
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  app.city = city;
  setZone(city.code === "420100" ? "Asia/Shanghai" : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  renderHeader();
  tickClock();
  window.setInterval(tickClock, 1000);

  const [districts, streetsAns, deps, cats, first] = await Promise.allSettled([
    api.areas("districts"),
    api.areas("streets"),
    api.departments(),
    api.categories(),
    api.indicators(null, [...new Set([...KPIS.map((k) => k.id), ...THEMES.map((x) => x.id), "closed_cases"])]),
  ]);
  const districtsGeo: AreaCollection = districts.status === "fulfilled" ? districts.value : { type: "FeatureCollection", features: [] };
  for (const f of districtsGeo.features) app.districts.set(f.properties.code, f.properties.name);
  if (streetsAns.status === "fulfilled") {
    streets = streetsAns.value;
    for (const f of streets.features) app.streets.set(f.properties.code, f.properties.name);
  }
  if (deps.status === "fulfilled") for (const d of deps.value) app.departments.set(d.Code, d);
  if (cats.status === "fulfilled") for (const c of cats.value) app.categories.set(c.Code, c);
  if (first.status === "fulfilled") {
    app.defs = first.value.definitions ?? {};
    if (first.value.at) app.skew = Date.parse(first.value.at) - Date.now();
    setIndicators(first.value.indicators);
    renderKpis(first.value.indicators);
  }
  renderHeader();

  setupCharts();
  setupRankings((code) => drill(code), flyToStreet);
  try {
    createMap(city, districtsGeo, { onDistrict: (code) => drill(code), onLoad: () => ready("map") });
    setupLabels(districtsGeo, streets, (code) => drill(code));
  } catch (e) {
    console.error("map", e);
    $("map").classList.add("no-gl");
    ready("map");
  }
  scaleStage();

  setupTimeTravel({
    enter: () => bumpView(),
    leave: () => {
      bumpView();
      drawAll();
      void refreshKpisHTTP();
      void refreshHTTP();
    },
    tick: replayTick,
  });

  startLive(stream);
  stream.start();
  void loadBackfill();
  void refreshHTTP();
  window.setInterval(() => {
    if (app.mode === "live" && !httpBusy) void refreshHTTP();
  }, 10_000);
  // Alarms are rare: the panel is current while the stream is (any frame within 5 s).
  window.setInterval(() => {
    if (app.mode === "live" && stream.state === "connected" && Date.now() - stream.lastFrame < 5000) touch("alarms");
  }, 1000);
  // A quiet city sends no frame for a while: keep the HTTP counters fresh too.
  window.setInterval(() => {
    if (app.mode === "live" && Date.now() - stream.lastFrame > 15_000) void refreshKpisHTTP();
  }, 15_000);
}

boot().catch((e) => {
  console.error(e);
  document.body.dataset.error = String(e);
});
