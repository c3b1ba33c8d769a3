// The city map: no basemap, only the city's own vector tiles (districts, streets,
// communities, grids), the live case points, a heatmap and pulses for new events.

import * as maplibregl from "maplibre-gl";
import type { StyleSpecification, GeoJSONSource, LayerSpecification, ExpressionSpecification, MapLayerMouseEvent } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import type { AreaCollection, CityInfo } from "./api";
import { bounds, type Bounds } from "./geo";
import { isOpen } from "./state";

maplibregl.setWorkerUrl(workerUrl);

declare global {
  interface Window {
    __map?: maplibregl.Map;
  }
}

export interface CasePoint {
  id: string;
  lon: number;
  lat: number;
  status: string;
  overdue?: boolean;
  sla?: string;
  urgency?: string;
  district?: string;
}

let map: maplibregl.Map | null = null;
let loaded = false;
const areaBounds = new Map<string, Bounds>();
let cityBound: Bounds = [0, 0, 0, 0];
let pendingCases: GeoJSON.FeatureCollection | null = null;
let heatOn = true;
const queue: Array<() => void> = [];

/** whenLoaded runs fn once the map's style has loaded (now if it has). */
export function whenLoaded(fn: () => void): void {
  if (map && loaded) fn();
  else queue.push(fn);
}

function minzoom(city: CityInfo, layer: string, fallback: number): number {
  return city.layers.find((l) => l.name === layer)?.minzoom ?? fallback;
}

function tiles(layer: string): string[] {
  return [`${location.origin}/tiles/${layer}/{z}/{x}/{y}.pbf`];
}

function style(city: CityInfo): StyleSpecification {
  const mzStreets = minzoom(city, "streets", 9);
  const mzComm = minzoom(city, "communities", 11);
  const mzGrids = minzoom(city, "grids", 12);
  const vector = (layer: string, mz: number, promote = false) => ({
    type: "vector" as const,
    tiles: tiles(layer),
    minzoom: mz,
    maxzoom: 18,
    ...(promote ? { promoteId: "code" } : {}),
  });
  const ramp = (state: string, base: string): ExpressionSpecification => [
    "interpolate",
    ["linear"],
    ["coalesce", ["feature-state", state], -1],
    -1, base,
    0, "#12407e",
    0.4, "#1c6fd1",
    0.65, "#22c3e6",
    0.85, "#ffa63d",
    1, "#ff5a5f",
  ];
  const layers: LayerSpecification[] = [
    { id: "bg", type: "background", paint: { "background-color": "#030a17" } },
    {
      id: "district-fill",
      type: "fill",
      source: "districts",
      "source-layer": "districts",
      paint: {
        "fill-color": ["case", ["boolean", ["feature-state", "dim"], false], "#0a2142", ramp("t", "#0b2140")],
        "fill-opacity": ["case", ["boolean", ["feature-state", "sel"], false], 0, ["boolean", ["feature-state", "dim"], false], 0.5, ["boolean", ["feature-state", "hover"], false], 0.82, 0.6],
      },
    },
    {
      id: "street-fill",
      type: "fill",
      source: "streets",
      "source-layer": "streets",
      minzoom: mzStreets,
      filter: ["==", ["get", "code"], "-"],
      paint: { "fill-color": ramp("t", "#0b2140"), "fill-opacity": 0.8 },
    },
    {
      id: "grid-line",
      type: "line",
      source: "grids",
      "source-layer": "grids",
      minzoom: mzGrids,
      paint: { "line-color": "#2aa6d6", "line-opacity": 0.22, "line-width": 0.5 },
    },
    {
      id: "community-line",
      type: "line",
      source: "communities",
      "source-layer": "communities",
      minzoom: mzComm,
      paint: { "line-color": "#3cc8f0", "line-opacity": 0.28, "line-width": 0.6, "line-dasharray": [2, 2] },
    },
    {
      id: "street-line",
      type: "line",
      source: "streets",
      "source-layer": "streets",
      minzoom: mzStreets,
      paint: { "line-color": "#4fd8ff", "line-opacity": ["interpolate", ["linear"], ["zoom"], 9, 0.18, 12, 0.5], "line-width": 0.7 },
    },
    {
      id: "district-glow",
      type: "line",
      source: "districts",
      "source-layer": "districts",
      paint: { "line-color": "#19d3ff", "line-opacity": 0.35, "line-width": 6, "line-blur": 5 },
    },
    {
      id: "district-line",
      type: "line",
      source: "districts",
      "source-layer": "districts",
      paint: {
        "line-color": ["case", ["boolean", ["feature-state", "sel"], false], "#9ff6ff", "#3be2ff"],
        "line-width": ["case", ["boolean", ["feature-state", "sel"], false], 2.6, 1.2],
      },
    },
    {
      id: "cases-heat",
      type: "heatmap",
      source: "cases",
      filter: ["==", ["get", "open"], true],
      maxzoom: 15,
      paint: {
        "heatmap-weight": ["case", ["get", "over"], 1.6, 1],
        "heatmap-intensity": ["interpolate", ["linear"], ["zoom"], 8, 0.35, 14, 1.2],
        "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 8, 9, 12, 22, 15, 34],
        "heatmap-opacity": ["interpolate", ["linear"], ["zoom"], 8, 0.7, 14, 0.45, 15, 0],
        "heatmap-color": [
          "interpolate", ["linear"], ["heatmap-density"],
          0, "rgba(0,0,0,0)",
          0.15, "rgba(20,80,200,0.35)",
          0.35, "rgba(30,200,230,0.55)",
          0.6, "rgba(120,255,200,0.7)",
          0.8, "rgba(255,200,60,0.85)",
          1, "rgba(255,70,90,0.95)",
        ],
      },
    },
    {
      id: "cases-circle",
      type: "circle",
      source: "cases",
      paint: {
        "circle-color": ["match", ["get", "k"], "over", "#ff4d5e", "amber", "#ffc23d", "closed", "#5f9c86", "#22e4ff"],
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, ["+", 1.4, ["*", 1.1, ["get", "u"]]], 12, ["+", 3, ["*", 1.6, ["get", "u"]]], 16, ["+", 6, ["*", 2.5, ["get", "u"]]]],
        "circle-opacity": ["case", ["==", ["get", "k"], "closed"], 0.5, 0.9],
        "circle-stroke-color": ["case", [">", ["get", "u"], 0], "#ffffff", "rgba(0,0,0,0)"],
        "circle-stroke-width": ["case", [">", ["get", "u"], 0], 0.8, 0],
        "circle-blur": 0.15,
      },
    },
  ];
  return {
    version: 8,
    sources: {
      districts: vector("districts", minzoom(city, "districts", 0), true),
      streets: vector("streets", mzStreets, true),
      communities: vector("communities", mzComm),
      grids: vector("grids", mzGrids),
      cases: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
    },
    layers,
  };
}

export interface MapHooks {
  onDistrict: (code: string) => void;
  onLoad: () => void;
}

/** createMap builds the map in #map, fitted to the city's bound. */
export function createMap(city: CityInfo, districts: AreaCollection, hooks: MapHooks): maplibregl.Map {
  cityBound = city.bound;
  for (const f of districts.features) areaBounds.set(f.properties.code, bounds(f.geometry));
  map = new maplibregl.Map({
    container: "map",
    style: style(city),
    bounds: city.bound,
    fitBoundsOptions: { padding: 24 },
    attributionControl: false,
    renderWorldCopies: false,
    dragRotate: false,
    pitchWithRotate: false,
    maxZoom: 18,
    fadeDuration: 0,
  });
  window.__map = map;
  map.touchZoomRotate.disableRotation();
  map.on("load", () => {
    loaded = true;
    if (pendingCases) (map!.getSource("cases") as GeoJSONSource).setData(pendingCases);
    setHeat(heatOn);
    for (const fn of queue.splice(0)) fn();
    hooks.onLoad();
  });
  let hovered: string | null = null;
  const setHover = (code: string | null) => {
    if (hovered === code) return;
    if (hovered) map!.setFeatureState({ source: "districts", sourceLayer: "districts", id: hovered }, { hover: false });
    hovered = code;
    if (code) map!.setFeatureState({ source: "districts", sourceLayer: "districts", id: code }, { hover: true });
  };
  map.on("mousemove", "district-fill", (e: MapLayerMouseEvent) => {
    const code = e.features?.[0]?.properties?.code as string | undefined;
    map!.getCanvas().style.cursor = code ? "pointer" : "";
    setHover(code ?? null);
  });
  map.on("mouseleave", "district-fill", () => {
    map!.getCanvas().style.cursor = "";
    setHover(null);
  });
  map.on("click", "district-fill", (e: MapLayerMouseEvent) => {
    const code = e.features?.[0]?.properties?.code as string | undefined;
    if (code) hooks.onDistrict(code);
  });
  return map;
}

export function getMap(): maplibregl.Map | null {
  return map;
}

export function fitArea(code: string | null, b?: Bounds): void {
  if (!map) return;
  const target = b ?? (code ? areaBounds.get(code) : cityBound);
  if (!target) return;
  map.fitBounds(target, { padding: code ? 48 : 24, duration: 1200, maxZoom: 15 });
}

/** setSelected highlights the drilled district and dims the others. */
export function setSelected(code: string | null): void {
  whenLoaded(() => applySelected(code));
}

function applySelected(code: string | null): void {
  if (!map) return;
  for (const c of areaBounds.keys()) {
    map.setFeatureState({ source: "districts", sourceLayer: "districts", id: c }, { sel: c === code, dim: code !== null && c !== code });
  }
  map.setFilter("street-fill", code ? ["==", ["slice", ["get", "code"], 0, code.length], code] : ["==", ["get", "code"], "-"]);
}

function classOf(c: CasePoint): string {
  if (!isOpen(c.status)) return "closed";
  if (c.overdue || c.sla === "red") return "over";
  if (c.sla === "amber") return "amber";
  return "open";
}

/** setCases replaces the case points (already filtered to the scope). */
export function setCases(points: Iterable<CasePoint>): void {
  const features: GeoJSON.Feature[] = [];
  for (const c of points) {
    if (!Number.isFinite(c.lon) || !Number.isFinite(c.lat) || (!c.lon && !c.lat)) continue;
    const k = classOf(c);
    features.push({
      type: "Feature",
      geometry: { type: "Point", coordinates: [c.lon, c.lat] },
      properties: { k, open: k !== "closed", over: k === "over", u: c.urgency === "critical" ? 2 : c.urgency === "urgent" ? 1 : 0 },
    });
  }
  // Closed points first: open and overdue ones draw on top.
  const order: Record<string, number> = { closed: 0, open: 1, amber: 2, over: 3 };
  features.sort((a, b) => order[a.properties!.k] - order[b.properties!.k]);
  const fc: GeoJSON.FeatureCollection = { type: "FeatureCollection", features };
  if (map && loaded) (map.getSource("cases") as GeoJSONSource).setData(fc);
  else pendingCases = fc;
}

export function setHeat(on: boolean): void {
  heatOn = on;
  if (map && loaded) map.setLayoutProperty("cases-heat", "visibility", on ? "visible" : "none");
}

export function heat(): boolean {
  return heatOn;
}

let pulses = 0;

/** pulse draws an expanding ring at a new event's point, removed after 2 s. */
export function pulse(lon: number, lat: number, kind: "new" | "over" | "closed" | "work"): void {
  if (!map || !loaded || pulses >= 40 || !Number.isFinite(lon) || !Number.isFinite(lat)) return;
  const el = document.createElement("div");
  el.className = `pulse pulse-${kind}`;
  el.innerHTML = "<i></i><i></i>";
  const m = new maplibregl.Marker({ element: el }).setLngLat([lon, lat]).addTo(map);
  pulses++;
  window.setTimeout(() => {
    m.remove();
    pulses--;
  }, 2000);
}

export function resizeMap(pixelRatio: number): void {
  if (!map) return;
  map.setPixelRatio(pixelRatio);
  map.resize();
}
