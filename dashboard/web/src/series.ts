// Indicator time series for the charts: GET /api/v1/indicators/<id>/series. While a server
// does not have that endpoint yet (404), the same points are read from /api/v1/indicators
// with at= (completed days and hours are cached: they no longer change).

import { api, HttpError } from "./api";
import { dayStart } from "./time";
import { now } from "./state";

export interface Point {
  at: number;
  value: number | null;
}

let missingSince = 0; // when the series endpoint last answered 404
const cache = new Map<string, Record<string, number | null>>();

function seriesMissing(): boolean {
  return missingSince > 0 && Date.now() - missingSince < 60_000;
}

async function viaSeries(id: string, district: string | null, every: "day" | "hour", points: number | undefined, at?: number): Promise<Point[]> {
  const rows = await api.series(id, district, every, points, at ? new Date(at).toISOString() : undefined);
  return rows.map((p) => ({ at: Date.parse(p.at), value: p.value }));
}

async function pool<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const run = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, run));
  return out;
}

/** todayAt reads the "today" window of ids at each instant, from the cache where final. */
async function todayAt(ids: string[], district: string | null, instants: number[]): Promise<Record<string, number | null>[]> {
  const final = dayStart(now()) - 60_000; // instants before today's start no longer change
  const jobs = instants.map((ms) => async () => {
    const key = `${district ?? "city"}|${ids.join(",")}|${ms}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const ans = await api.indicators(district, ids, new Date(ms).toISOString());
    const row: Record<string, number | null> = {};
    for (const v of ans.indicators) row[v.id] = v.windows.today?.value ?? null;
    if (ms < final || ms < now() - 3_600_000) cache.set(key, row);
    return row;
  });
  return pool(jobs, 3);
}

async function withFallback(
  ids: string[],
  real: (id: string) => Promise<Point[]>,
  instants: () => number[],
  district: string | null,
): Promise<Record<string, Point[]>> {
  if (!seriesMissing()) {
    try {
      const all = await Promise.all(ids.map(real));
      const out: Record<string, Point[]> = {};
      ids.forEach((id, i) => (out[id] = all[i]));
      return out;
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e;
      missingSince = Date.now();
    }
  }
  const at = instants();
  const rows = await todayAt(ids, district, at);
  const out: Record<string, Point[]> = {};
  for (const id of ids) out[id] = at.map((ms, i) => ({ at: ms, value: rows[i][id] ?? null }));
  return out;
}

/** daily returns, for each id, each day's total over the last `points` days up to at. */
export function daily(ids: string[], district: string | null, points: number, at?: number): Promise<Record<string, Point[]>> {
  return withFallback(
    ids,
    (id) => viaSeries(id, district, "day", points, at),
    () => {
      const end = at ?? now();
      const out: number[] = [];
      // The last second of each completed day (its 24:00 is already the next day's "today").
      for (let i = points - 2; i >= 0; i--) out.push(dayStart(end, i) - 1000);
      out.push(end);
      return out;
    },
    district,
  );
}

/** hourly returns the cumulative "today" value of id at each hour end of at's day, up to at. */
export async function hourly(id: string, district: string | null, at?: number): Promise<Point[]> {
  const r = await withFallback(
    [id],
    (x) => viaSeries(x, district, "hour", undefined, at),
    () => {
      const end = at ?? now();
      const start = dayStart(end);
      const out: number[] = [];
      for (let h = start + 3_600_000; h < end; h += 3_600_000) out.push(h);
      out.push(end);
      return out;
    },
    district,
  );
  return r[id];
}
