// The time-travel bar: a day slider (0 = live, −N = N days ago), a speed, play/pause.
// Choosing a day puts the instant T at 00:00 (city time) of that day; while playing, T runs
// at speed city-seconds per real second, and the widgets are re-read over HTTP at T every
// second (every 10 s while paused).

import { app, now, emit } from "./state";
import { t } from "./i18n";
import { dayStart, dayEnd, fmtDateTime, fmtDate } from "./time";

export interface TravelHooks {
  enter: () => void; // replay began (or moved to another day)
  leave: () => void; // back to live
  tick: () => Promise<unknown>; // re-read the widgets at app.replayT
}

let playing = false;
let speed = 600;
let lastReal = 0;
let busy = false;
let lastFetchedT = -1;
let lastFetchReal = 0;
let hooks: TravelHooks;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function renderTravel(): void {
  const label = $("tt-label");
  const play = $("tt-play");
  if (app.mode === "live") {
    label.textContent = t("tt_live");
    label.dataset.mode = "live";
  } else {
    label.textContent = `${t("tt_replay")} ${fmtDateTime(app.replayT)}`;
    label.dataset.mode = "replay";
  }
  play.dataset.playing = playing ? "1" : "0";
  play.title = playing ? t("tt_pause") : t("tt_play");
  play.setAttribute("aria-label", play.title);
  const day = +$<HTMLInputElement>("tt-day").value;
  $("tt-day-text").textContent = day === 0 ? t("tt_today") : `${fmtDate(dayStart(now(), -day))} · ${t("tt_days_ago", { n: -day })}`;
  const track = $("tt-progress");
  if (app.mode === "replay") {
    const frac = (app.replayT - app.replayDayStart) / Math.max(1, dayEnd(app.replayDayStart) - app.replayDayStart);
    track.style.width = `${(Math.max(0, Math.min(1, frac)) * 100).toFixed(2)}%`;
  } else track.style.width = "0";
}

function setMode(mode: "live" | "replay"): void {
  app.mode = mode;
  document.body.dataset.mode = mode;
}

function chooseDay(v: number): void {
  if (v >= 0) {
    if (app.mode === "live") return;
    playing = false;
    setMode("live");
    renderTravel();
    emit("mode");
    hooks.leave();
    return;
  }
  const entering = app.mode === "live";
  const start = dayStart(now(), -v);
  if (!entering && start === app.replayDayStart) return; // the same day chosen again
  app.replayDayStart = start;
  app.replayT = app.replayDayStart;
  lastFetchedT = -1;
  if (entering) playing = false; // T waits at 00:00 until play
  lastReal = performance.now();
  setMode("replay");
  renderTravel();
  if (entering) emit("mode");
  hooks.enter();
  void fetchNow();
}

async function fetchNow(): Promise<void> {
  if (busy || app.mode !== "replay") return;
  busy = true;
  lastFetchedT = app.replayT;
  lastFetchReal = performance.now();
  try {
    await hooks.tick();
  } catch (e) {
    if (!(e instanceof DOMException && e.name === "AbortError")) console.warn("replay", e);
  } finally {
    busy = false;
  }
}

function advance(): void {
  const real = performance.now();
  const dt = (real - lastReal) / 1000;
  lastReal = real;
  if (app.mode !== "replay") return;
  if (playing) {
    const end = Math.min(dayEnd(app.replayDayStart), now());
    app.replayT = Math.min(end, app.replayT + dt * speed * 1000);
    if (app.replayT >= end) playing = false;
  }
  renderTravel();
  // Re-read every second while T moves; every 10 s when paused.
  const due = app.replayT !== lastFetchedT ? real - lastFetchReal >= 1000 : real - lastFetchReal >= 10_000;
  if (due) void fetchNow();
}

export function setupTimeTravel(h: TravelHooks): void {
  hooks = h;
  setMode("live");
  const day = $<HTMLInputElement>("tt-day");
  const sp = $<HTMLSelectElement>("tt-speed");
  const play = $<HTMLButtonElement>("tt-play");
  speed = +sp.value || 600;
  day.addEventListener("input", () => chooseDay(+day.value));
  day.addEventListener("change", () => chooseDay(+day.value));
  sp.addEventListener("change", () => (speed = +sp.value || 600));
  play.addEventListener("click", () => {
    if (app.mode === "live") {
      // Play from live replays yesterday.
      day.value = "-1";
      chooseDay(-1);
      return;
    }
    if (!playing && app.replayT >= Math.min(dayEnd(app.replayDayStart), now())) app.replayT = app.replayDayStart;
    playing = !playing;
    lastReal = performance.now();
    renderTravel();
  });
  lastReal = performance.now();
  window.setInterval(advance, 250);
  renderTravel();
}

/** travelSpeed is the chosen number of city-seconds per real second. */
export function travelSpeed(): number {
  return speed;
}
