// Wall-clock arithmetic in the city's time zone (Asia/Shanghai for Wuhan).

let zone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const formatters = new Map<string, Intl.DateTimeFormat>();

export function setZone(z: string): void {
  zone = z;
  formatters.clear();
}

export function getZone(): string {
  return zone;
}

function partsFormatter(): Intl.DateTimeFormat {
  let f = formatters.get("parts");
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set("parts", f);
  }
  return f;
}

export interface Wall {
  y: number;
  mo: number; // 1–12
  d: number;
  h: number;
  mi: number;
  s: number;
  wd: number; // 0 = Sunday
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** wall returns the city's wall-clock time at instant ms. */
export function wall(ms: number): Wall {
  const p: Record<string, string> = {};
  for (const part of partsFormatter().formatToParts(new Date(ms))) p[part.type] = part.value;
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second, wd: weekdays.indexOf(p.weekday) };
}

/** offset is the zone's UTC offset at instant ms, in ms. */
function offset(ms: number): number {
  const w = wall(ms);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** fromWall is the instant at which the city's clock shows the given wall time. */
export function fromWall(y: number, mo: number, d: number, h = 0, mi = 0): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let ms = guess - offset(guess);
  ms = guess - offset(ms); // a second pass settles a DST change between guess and answer
  return ms;
}

/** dayStart is 00:00 (city time) of the day daysAgo days before the day of ms. */
export function dayStart(ms: number, daysAgo = 0): number {
  const w = wall(ms);
  return fromWall(w.y, w.mo, w.d - daysAgo);
}

/** dayEnd is the end (next day's 00:00) of the day containing ms. */
export function dayEnd(ms: number): number {
  const w = wall(ms);
  return fromWall(w.y, w.mo, w.d + 1);
}

const pad = (n: number) => String(n).padStart(2, "0");

export function fmtHMS(ms: number): string {
  const w = wall(ms);
  return `${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

export function fmtDate(ms: number): string {
  const w = wall(ms);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
}

export function fmtDateTime(ms: number): string {
  const w = wall(ms);
  return `${fmtDate(ms)} ${pad(w.h)}:${pad(w.mi)}`;
}

export function fmtMonthDay(ms: number): string {
  const w = wall(ms);
  return `${pad(w.mo)}-${pad(w.d)}`;
}

const zhWeek = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];
const enWeek = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export function weekday(ms: number, lang: "zh" | "en"): string {
  return (lang === "zh" ? zhWeek : enWeek)[wall(ms).wd] ?? "";
}

/** iso renders an instant as RFC 3339 (UTC). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
