// The server's HTTP API, same origin. Every call rejects on a non-2xx answer.

export type Bilingual = { zh: string; en: string };

export interface CityInfo {
  name: string;
  nameEn: string;
  code: string;
  center: [number, number];
  zoom: number;
  bound: [number, number, number, number];
  counts: Record<string, number>;
  layers: { name: string; level?: string; minzoom: number; maxzoom: number; features: number; aggregate?: boolean }[];
}

export interface WindowValue {
  value: number | null;
  yoy?: number | null;
  mom?: number | null;
  status?: string;
}

export interface IndicatorValue {
  id: string;
  windows: Record<string, WindowValue | undefined>;
}

export interface Definition {
  id: string;
  name: Bilingual;
  unit: string;
  windows: string[];
  dimensions?: string[];
  thresholds?: { better: "higher" | "lower"; green: number; amber: number };
}

export interface IndicatorsAnswer {
  scope: unknown;
  at: string;
  indicators: IndicatorValue[];
  definitions?: Record<string, Definition>;
}

export interface RankRow {
  code: string;
  value: number | null;
}

export interface SeriesPoint {
  at: string;
  value: number | null;
}

export interface Department {
  Code: string;
  Name: { ZH: string; EN: string };
  Level?: string;
  District?: string;
}

export interface Category {
  Code: string;
  Kind: string;
  Major: string;
  MajorName: { ZH: string; EN: string };
  Name: { ZH: string; EN: string };
}

export interface CaseRow {
  id: string;
  status: string;
  source: string;
  category: string;
  urgency: string;
  title: string;
  point?: { lon: number; lat: number };
  district?: string;
  street?: string;
  reportedAt: string;
  overdue?: boolean;
  sla?: string;
}

export interface CasesAnswer {
  cases: CaseRow[];
  total?: number;
  next?: string;
  counts?: { value: string; count: number }[]; // with facet=: the matching cases by that field
}

export type Geometry =
  | { type: "Polygon"; coordinates: number[][][] }
  | { type: "MultiPolygon"; coordinates: number[][][][] };

export interface AreaFeature {
  type: "Feature";
  geometry: Geometry;
  properties: { code: string; name: string; nameEn?: string };
}

export interface AreaCollection {
  type: "FeatureCollection";
  features: AreaFeature[];
}

export class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

// Every request belongs to the current view (scope and mode): a new view cancels the
// requests of the old one, whose answers would be dropped anyway.
let view = new AbortController();

export function newView(): void {
  view.abort();
  view = new AbortController();
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === "AbortError";
}

export async function getJSON<T>(path: string, params?: Record<string, string | number | undefined>, signal: AbortSignal = view.signal): Promise<T> {
  const q = new URLSearchParams();
  if (params) for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const url = q.toString() ? `${path}?${q}` : path;
  const res = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal });
  if (!res.ok) throw new HttpError(res.status, `${res.status} ${url}`);
  return (await res.json()) as T;
}

/** scopeParam turns a drilled district (or null for the city) into the API's scope. */
export function scopeParam(district: string | null): string {
  return district ? `district:${district}` : "city";
}

export const api = {
  me: () => getJSON<{ principal: { kind: string }; publicScreen?: boolean }>("/api/v1/auth/me"),
  city: () => getJSON<CityInfo>("/api/v1/geo/city"),
  areas: (layer: "districts" | "streets") => getJSON<AreaCollection>(`/api/v1/geo/layers/${layer}`),
  indicators: (district: string | null, ids: string[], at?: string) =>
    getJSON<IndicatorsAnswer>("/api/v1/indicators", { scope: scopeParam(district), ids: ids.join(","), at }),
  ranking: (id: string, by: string, window: string, at?: string) =>
    getJSON<{ ranking: RankRow[] | null }>(`/api/v1/indicators/${id}/ranking`, { by, window, at }).then((r) => r.ranking ?? []),
  series: (id: string, district: string | null, every: "day" | "hour", points: number | undefined, at?: string) =>
    getJSON<{ points: SeriesPoint[] | null }>(`/api/v1/indicators/${id}/series`, {
      scope: scopeParam(district),
      window: "today",
      every,
      points,
      at,
    }).then((r) => r.points ?? []),
  departments: () => getJSON<{ departments: Department[] }>("/api/v1/departments").then((r) => r.departments ?? []),
  categories: () => getJSON<{ categories: Category[] }>("/api/v1/categories").then((r) => r.categories ?? []),
  // at: the list as it stood then (each case's status of that instant), for replays.
  cases: (p: { limit: number; from?: string; to?: string; district?: string; cursor?: string; facet?: string; at?: string }) =>
    getJSON<CasesAnswer>("/api/v1/cases", p),
  // The open cases' points; at: the map as it stood then (the cases open at that instant).
  mapCases: (p: { limit: number; district?: string; at?: string }) => getJSON<MapAnswer>("/api/v1/map/cases", p),
};

export interface MapAnswer {
  features: { id: string; geometry: { coordinates: [number, number] }; properties: { status: string; sla: string; urgency: string; overdue: boolean } }[];
  total: number;
  truncated: boolean;
}
