// The map's theme: a choropleth of the chosen indicator over districts (or the drilled
// district's streets), its legend, and the area names as HTML markers (no glyphs needed).

import * as maplibregl from "maplibre-gl";
import { api, type AreaCollection, type RankRow } from "./api";
import { app, atParam, districtName, streetName } from "./state";
import { currentTheme, escapeHTML } from "./lists";
import { fmtValue, unitText } from "./kpis";
import { labelPoint } from "./geo";
import { getMap, whenLoaded } from "./map";
import { t } from "./i18n";
import { touch } from "./fresh";

interface Label {
  code: string;
  marker: maplibregl.Marker;
  el: HTMLElement;
}

const districtLabels = new Map<string, Label>();
let streetLabels: Label[] = [];
let streetsGeo: AreaCollection | null = null;
let values = new Map<string, number | null>();
let onDrill: (code: string) => void = () => {};
let reverseOrder = false; // the theme's good values are the high ones

function makeLabel(code: string, lnglat: [number, number], cls: string, click?: () => void): Label {
  const el = document.createElement("div");
  el.className = `area-label ${cls}`;
  el.dataset.code = code;
  if (click) el.addEventListener("click", click);
  const marker = new maplibregl.Marker({ element: el, anchor: "center" }).setLngLat(lnglat);
  return { code, marker, el };
}

export function setupLabels(districts: AreaCollection, streets: AreaCollection | null, drill: (code: string) => void): void {
  onDrill = drill;
  streetsGeo = streets;
  for (const f of districts.features) {
    const code = f.properties.code;
    districtLabels.set(code, makeLabel(code, labelPoint(f), "lv-district", () => onDrill(code)));
  }
  whenLoaded(() => {
    const map = getMap()!;
    for (const l of districtLabels.values()) l.marker.addTo(map);
    map.on("moveend", queueDeclutter);
    map.on("idle", queueDeclutter);
    renderLabels();
  });
}

/** scopeLabels shows the district names (city) or the drilled district's street names. */
export function scopeLabels(): void {
  for (const l of streetLabels) l.marker.remove();
  streetLabels = [];
  const d = app.district;
  const map = getMap();
  if (d && streetsGeo && map) {
    for (const f of streetsGeo.features) {
      if (!f.properties.code.startsWith(d)) continue;
      const l = makeLabel(f.properties.code, labelPoint(f), "lv-street");
      l.marker.addTo(map);
      streetLabels.push(l);
    }
  }
  for (const l of districtLabels.values()) l.el.hidden = d !== null;
  renderLabels();
}

let declutterQueued = false;

/** declutter hides the value, then the name, of labels that overlap a more important one. */
function declutter(): void {
  declutterQueued = false;
  const all = [...districtLabels.values(), ...streetLabels].filter((l) => !l.el.hidden && l.el.isConnected);
  for (const l of all) l.el.classList.remove("compact", "clash");
  const prio = (l: Label) => {
    const v = values.get(l.code);
    return v === undefined || v === null ? -Infinity : (reverseOrder ? -v : v);
  };
  all.sort((a, b) => prio(b) - prio(a));
  const placed: DOMRect[] = [];
  const hits = (r: DOMRect) => placed.some((p) => r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top);
  for (const l of all) {
    let r = l.el.getBoundingClientRect();
    if (hits(r)) {
      l.el.classList.add("compact");
      r = l.el.getBoundingClientRect();
      if (hits(r)) {
        l.el.classList.add("clash");
        continue;
      }
    }
    placed.push(r);
  }
}

function queueDeclutter(): void {
  if (declutterQueued) return;
  declutterQueued = true;
  requestAnimationFrame(declutter);
}

function renderLabels(): void {
  const unit = app.defs[currentTheme().id]?.unit;
  const show = (l: Label, name: string) => {
    const v = values.get(l.code);
    l.el.innerHTML = `<b>${escapeHTML(name)}</b>` + (v !== undefined ? `<span>${fmtValue(v, unit)}<small>${unitText(unit)}</small></span>` : "");
  };
  for (const l of districtLabels.values()) show(l, districtName(l.code));
  for (const l of streetLabels) show(l, streetName(l.code));
  queueDeclutter();
}

function legend(min: number, max: number, reverse: boolean): void {
  const el = document.getElementById("legend");
  if (!el) return;
  const th = currentTheme();
  const unit = app.defs[th.id]?.unit;
  const lo = fmtValue(reverse ? max : min, unit);
  const hi = fmtValue(reverse ? min : max, unit);
  el.innerHTML =
    `<div class="lg-title">${escapeHTML(t(th.label))}</div>` +
    `<div class="lg-bar"></div>` +
    `<div class="lg-ends"><span>${lo}${unitText(unit)}</span><span>${hi}${unitText(unit)}</span></div>`;
}

/** refreshChoropleth re-reads the theme's ranking and colours the areas of the scope. */
export async function refreshChoropleth(): Promise<void> {
  const th = currentTheme();
  const d = app.district;
  const by = d ? "street" : "district";
  const g = app.gen;
  let rows: RankRow[] = await api.ranking(th.id, by, th.win, atParam());
  if (g !== app.gen) return;
  if (d) rows = rows.filter((r) => r.code.startsWith(d));
  const nums = rows.map((r) => r.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const min = nums.length ? Math.min(...nums) : 0;
  const max = nums.length ? Math.max(...nums) : 0;
  const reverse = app.defs[th.id]?.thresholds?.better === "higher"; // low values are the bad ones
  values = new Map(rows.map((r) => [r.code, r.value]));
  reverseOrder = reverse;
  whenLoaded(() => {
    const map = getMap()!;
    const source = d ? "streets" : "districts";
    for (const r of rows) {
      let tv = -1;
      if (r.value !== null && Number.isFinite(r.value)) {
        const n = max > min ? (r.value - min) / (max - min) : 0.5;
        tv = reverse ? 1 - n : n;
      }
      map.setFeatureState({ source, sourceLayer: source, id: r.code }, { t: tv });
    }
  });
  legend(min, max, reverse);
  renderLabels();
  touch("map-theme");
}
