// The screen's shared state: the city, the scope (city or a drilled district), live or
// replay, reference data, and a tiny event bus that the widgets listen on.

import { newView, type CityInfo, type Definition, type Department, type Category } from "./api";
import { getLang, areaNamesEn } from "./i18n";

/** Card is a case as the stream shows it. */
export interface Card {
  id: string;
  event: string;
  at: number;
  pos: number;
  status: string;
  title: string;
  category: string;
  source: string;
  urgency: string;
  district?: string;
  street?: string;
  grid?: string;
  lon?: number;
  lat?: number;
  overdue?: boolean;
  reported: number;
  closedAt?: number;
  sla?: string;
}

export type Mode = "live" | "replay";

export const app = {
  city: null as CityInfo | null,
  district: null as string | null, // the drilled district's code; null = the whole city
  mode: "live" as Mode,
  replayT: 0, // the replayed instant (ms) in replay mode
  replayDayStart: 0,
  defs: {} as Record<string, Definition>,
  districts: new Map<string, string>(), // code → name
  streets: new Map<string, string>(),
  departments: new Map<string, Department>(),
  categories: new Map<string, Category>(),
  skew: 0, // server clock − browser clock, ms
  gen: 0, // bumped on every change of scope or mode: answers of an older view are dropped
};

const OPEN_NOT = new Set(["closed", "voided", "merged"]);

export function isOpen(status: string): boolean {
  return !OPEN_NOT.has(status);
}

/** bumpView starts a new view (scope or mode changed): older answers are dropped. */
export function bumpView(): void {
  app.gen++;
  newView();
}

/** now is the server's present instant. */
export function now(): number {
  return Date.now() + app.skew;
}

/** asOf is the instant the widgets show: now when live, T when replaying. */
export function asOf(): number {
  return app.mode === "replay" ? app.replayT : now();
}

/** atParam is the at= query value for HTTP widgets (omitted when live). */
export function atParam(): string | undefined {
  return app.mode === "replay" ? new Date(app.replayT).toISOString() : undefined;
}

/** inScope reports whether a case of district d is inside the current scope. */
export function inScope(d: string | undefined): boolean {
  return !app.district || d === app.district;
}

export function districtName(code: string | undefined): string {
  if (!code) return "";
  if (getLang() === "en" && areaNamesEn[code]) return areaNamesEn[code];
  return app.districts.get(code) ?? code;
}

export function streetName(code: string): string {
  return app.streets.get(code) ?? code;
}

export function cityName(): string {
  if (!app.city) return "";
  return getLang() === "en" ? app.city.nameEn || app.city.name : app.city.name;
}

type Ev = "scope" | "mode" | "tick";
const handlers: Record<Ev, Array<() => void>> = { scope: [], mode: [], tick: [] };

export function on(ev: Ev, fn: () => void): void {
  handlers[ev].push(fn);
}

export function emit(ev: Ev): void {
  for (const fn of handlers[ev]) {
    try {
      fn();
    } catch (e) {
      console.error(ev, e);
    }
  }
}

/** ready marks a part of the screen as rendered; body gets data-ready="1" once all have. */
const pending = new Set(["map", "kpis", "events"]);
export function ready(part: string): void {
  if (!pending.delete(part)) return;
  if (pending.size === 0) document.body.dataset.ready = "1";
}
