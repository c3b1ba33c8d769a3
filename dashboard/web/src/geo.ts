// Geometry helpers for the area GeoJSON: bounds and a label point inside each polygon.

import type { AreaFeature, Geometry } from "./api";

export type Bounds = [number, number, number, number];

function rings(g: Geometry): number[][][][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

export function bounds(g: Geometry): Bounds {
  let b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of rings(g))
    for (const [x, y] of poly[0]) b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  return b;
}

function ringArea(r: number[][]): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return Math.abs(a / 2);
}

function inside(x: number, y: number, poly: number[][][]): boolean {
  let c = false;
  for (const r of poly)
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i];
      const [xj, yj] = r[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
  return c;
}

/** widestSpan is the midpoint of the widest inside segment of the horizontal line at y. */
function widestSpan(y: number, poly: number[][][]): [number, number] | null {
  const xs: number[] = [];
  for (const r of poly)
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i];
      const [xj, yj] = r[j];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  xs.sort((a, b) => a - b);
  let best: [number, number] | null = null;
  let width = 0;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > width) {
      width = xs[i + 1] - xs[i];
      best = [(xs[i] + xs[i + 1]) / 2, width];
    }
  }
  return best;
}

/** labelPoint picks a point well inside the largest polygon of the feature. */
export function labelPoint(f: AreaFeature): [number, number] {
  const polys = rings(f.geometry);
  let poly = polys[0];
  let area = -1;
  for (const p of polys) {
    const a = ringArea(p[0]);
    if (a > area) {
      area = a;
      poly = p;
    }
  }
  const [minX, minY, maxX, maxY] = bounds({ type: "Polygon", coordinates: poly });
  let cx = 0;
  let cy = 0;
  const outer = poly[0];
  for (const [x, y] of outer) {
    cx += x;
    cy += y;
  }
  cx /= outer.length;
  cy /= outer.length;
  // Prefer the widest horizontal span among a few lines around the middle.
  let best: [number, number] | null = null;
  let bestW = 0;
  for (let k = 1; k < 10; k++) {
    const y = minY + ((maxY - minY) * k) / 10;
    const s = widestSpan(y, poly);
    const centrality = 1 - Math.abs(k - 5) / 6;
    if (s && s[1] * centrality > bestW) {
      bestW = s[1] * centrality;
      best = [s[0], y];
    }
  }
  if (inside(cx, cy, poly) && (maxX - minX) * 0.05 < bestW) return [cx, cy];
  return best ?? [cx, cy];
}
