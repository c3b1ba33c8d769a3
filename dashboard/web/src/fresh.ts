// Freshness badges: "3 秒前 / 3 s ago", amber after 30 s, red after 2 min without an update.

import { t } from "./i18n";

const last = new Map<string, number>();

/** touch records that widget name was just updated. */
export function touch(name: string): void {
  last.set(name, Date.now());
  render(name);
}

function text(age: number): string {
  const s = Math.floor(age / 1000);
  if (s < 2) return t("fresh_now");
  if (s < 60) return t("fresh_s", { n: s });
  if (s < 3600) return t("fresh_m", { n: Math.floor(s / 60) });
  return t("fresh_h", { n: Math.floor(s / 3600) });
}

function render(name?: string): void {
  const sel = name ? `.fresh[data-fresh="${name}"]` : ".fresh[data-fresh]";
  document.querySelectorAll<HTMLElement>(sel).forEach((el) => {
    const at = last.get(el.dataset.fresh!);
    if (at === undefined) {
      el.textContent = t("fresh_never");
      el.dataset.level = "red";
      return;
    }
    const age = Date.now() - at;
    el.textContent = text(age);
    el.dataset.level = age >= 120_000 ? "red" : age >= 30_000 ? "amber" : "ok";
  });
}

export function startFreshness(): void {
  render();
  window.setInterval(() => render(), 1000);
}

export function renderFreshness(): void {
  render();
}
