// Every visible text of the screen, in Chinese (first) and English.

export type Lang = "zh" | "en";

const dict = {
  title: { zh: "城市运行一网统管", en: "City Operations" },
  subtitle: { zh: "城市运行管理服务平台 · 指挥中心", en: "Urban Operations Command Center" },
  city: { zh: "全市", en: "Citywide" },
  back: { zh: "返回全市", en: "Back to city" },
  lang: { zh: "EN", en: "中文" },
  connected: { zh: "实时连接", en: "Live" },
  reconnecting: { zh: "重连中", en: "Reconnecting" },
  connecting: { zh: "连接中", en: "Connecting" },
  // panels
  p_kpis: { zh: "运行态势", en: "Operations" },
  p_trend: { zh: "近30日受理与办结", en: "Received vs closed, 30 days" },
  p_hours: { zh: "今日分时受理", en: "Received today by hour" },
  p_rank_d: { zh: "区域排行", en: "Districts" },
  p_rank_s: { zh: "街道排行", en: "Streets" },
  p_rank_dep: { zh: "部门排行", en: "Departments" },
  p_cat: { zh: "近7日案件类别", en: "Categories, 7 days" },
  p_events: { zh: "实时事件", en: "Live events" },
  p_alarms: { zh: "物联感知告警", en: "Sensor alarms" },
  p_map: { zh: "城市运行一张图", en: "City map" },
  // KPI labels
  k_reported: { zh: "今日受理", en: "Received today" },
  k_valid_reports: { zh: "今日立案", en: "Registered today" },
  k_closed_cases: { zh: "今日办结", en: "Closed today" },
  k_backlog: { zh: "在办", en: "Open" },
  k_overdue_backlog: { zh: "超期在办", en: "Overdue open" },
  k_on_time_closure_rate: { zh: "按期结案率", en: "On-time closure" },
  k_hotline_satisfaction_rate: { zh: "满意率", en: "Satisfaction" },
  k_mean_handle_hours: { zh: "平均处置时长", en: "Mean handling" },
  yoy: { zh: "同比", en: "YoY" },
  mom: { zh: "环比", en: "MoM" },
  w_today: { zh: "今日", en: "today" },
  w_24h: { zh: "近24小时", en: "24 h" },
  w_7d: { zh: "近7日", en: "7 days" },
  w_30d: { zh: "近30日", en: "30 days" },
  w_mtd: { zh: "本月", en: "month to date" },
  u_hours: { zh: "小时", en: "h" },
  u_minutes: { zh: "分钟", en: "min" },
  u_count: { zh: "件", en: "" },
  u_pt: { zh: "pt", en: " pt" },
  // charts
  s_reported: { zh: "受理", en: "Received" },
  s_closed: { zh: "办结", en: "Closed" },
  s_today: { zh: "今日", en: "Today" },
  s_yesterday: { zh: "昨日", en: "Yesterday" },
  n_district: { zh: "区", en: "districts" },
  n_street: { zh: "街道", en: "streets" },
  n_community: { zh: "社区", en: "communities" },
  n_grid: { zh: "网格", en: "grids" },
  other: { zh: "其他", en: "Other" },
  no_data: { zh: "暂无数据", en: "No data" },
  loading: { zh: "正在连接服务…", en: "Connecting to the server…" },
  // map
  choro: { zh: "专题图", en: "Theme" },
  c_reported: { zh: "受理量 · 近30日", en: "Received · 30 days" },
  c_backlog: { zh: "在办案件", en: "Open cases" },
  c_overdue_backlog: { zh: "超期在办", en: "Overdue open" },
  c_on_time_closure_rate: { zh: "按期结案率 · 近30日", en: "On-time closure · 30 days" },
  heat: { zh: "热力", en: "Heat" },
  points: { zh: "案件", en: "Cases" },
  l_open: { zh: "在办", en: "Open" },
  l_overdue: { zh: "超期", en: "Overdue" },
  l_closed: { zh: "已结", en: "Closed" },
  l_unclosed: { zh: "未结", en: "Not closed" },
  l_unclosed_hint: { zh: "地图上未结案的案件（含待核实、待立案）", en: "Cases on the map not yet closed (including those awaiting verification or registration)" },
  // lists
  no_alarms: { zh: "暂无告警", en: "No alarms" },
  no_events: { zh: "等待事件…", en: "Waiting for events…" },
  no_cases: { zh: "该时段暂无案件", en: "No cases in this period" },
  rank_by_closed: { zh: "按办结量", en: "by cases closed" },
  // freshness
  fresh_now: { zh: "刚刚", en: "just now" },
  fresh_s: { zh: "{n} 秒前", en: "{n} s ago" },
  fresh_m: { zh: "{n} 分钟前", en: "{n} min ago" },
  fresh_h: { zh: "{n} 小时前", en: "{n} h ago" },
  fresh_never: { zh: "等待数据", en: "waiting" },
  // time travel
  tt_live: { zh: "实时", en: "Live" },
  tt_replay: { zh: "回放", en: "Replay" },
  tt_title: { zh: "时间回溯", en: "Time travel" },
  tt_speed: { zh: "倍速", en: "Speed" },
  tt_play: { zh: "播放", en: "Play" },
  tt_pause: { zh: "暂停", en: "Pause" },
  tt_days_ago: { zh: "{n} 天前", en: "{n} d ago" },
  tt_today: { zh: "今天", en: "today" },
  // alarms
  a_AlarmRaised: { zh: "告警", en: "Raised" },
  a_AlarmAcknowledged: { zh: "已确认", en: "Acknowledged" },
  a_AlarmEscalated: { zh: "已转案件", en: "Escalated" },
  sev_info: { zh: "提示", en: "Info" },
  sev_minor: { zh: "一般", en: "Minor" },
  sev_major: { zh: "重要", en: "Major" },
  sev_critical: { zh: "紧急", en: "Critical" },
  m_water_level_cm: { zh: "水位", en: "Water level" },
  m_aqi: { zh: "空气质量指数", en: "AQI" },
  m_pm25: { zh: "PM2.5", en: "PM2.5" },
  m_manhole_tilt: { zh: "井盖倾斜", en: "Manhole tilt" },
  m_noise_db: { zh: "噪声", en: "Noise" },
  m_gas_ppm: { zh: "燃气浓度", en: "Gas" },
  // case statuses
  st_reported: { zh: "已受理", en: "Reported" },
  st_verified: { zh: "已核实", en: "Verified" },
  st_registered: { zh: "已立案", en: "Registered" },
  st_dispatched: { zh: "已派遣", en: "Dispatched" },
  st_accepted: { zh: "处置中", en: "In progress" },
  st_suspended: { zh: "缓办", en: "Suspended" },
  st_handled: { zh: "已处置", en: "Handled" },
  st_inspected: { zh: "已核查", en: "Inspected" },
  st_closed: { zh: "已结案", en: "Closed" },
  st_voided: { zh: "已作废", en: "Voided" },
  st_merged: { zh: "已合并", en: "Merged" },
  overdue: { zh: "超期", en: "Overdue" },
} satisfies Record<string, Record<Lang, string>>;

export type Key = keyof typeof dict;

/** English names of Wuhan's districts (the geo API names areas in Chinese only). */
export const areaNamesEn: Record<string, string> = {
  "420102": "Jiang'an",
  "420103": "Jianghan",
  "420104": "Qiaokou",
  "420105": "Hanyang",
  "420106": "Wuchang",
  "420107": "Qingshan",
  "420111": "Hongshan",
  "420112": "Dongxihu",
  "420113": "Hannan",
  "420114": "Caidian",
  "420115": "Jiangxia",
  "420116": "Huangpi",
  "420117": "Xinzhou",
};

let lang: Lang = (localStorage.getItem("screen.lang") as Lang) === "en" ? "en" : "zh";
const listeners: Array<() => void> = [];

export function getLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem("screen.lang", l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  for (const fn of listeners) fn();
}

export function onLang(fn: () => void): void {
  listeners.push(fn);
}

/** t returns the text of key in the current language, with {n}-style placeholders filled. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s: string = dict[key][lang];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

/** has reports whether key is in the dictionary (for keys built from data, e.g. statuses). */
export function has(key: string): key is Key {
  return key in dict;
}

/** tr translates a dynamic key, falling back to the given text. */
export function tr(key: string, fallback: string): string {
  return has(key) ? t(key) : fallback;
}

/** pick chooses the name in the current language from a {zh,en} or {ZH,EN} pair. */
export function pick(n: { zh?: string; en?: string; ZH?: string; EN?: string } | undefined, fallback = ""): string {
  if (!n) return fallback;
  return (lang === "zh" ? n.zh ?? n.ZH : n.en ?? n.EN) ?? n.zh ?? n.ZH ?? fallback;
}

/** applyStatic fills every element carrying data-i18n="key" (and data-i18n-title). */
export function applyStatic(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    const k = el.dataset.i18n!;
    if (has(k)) el.textContent = t(k);
  });
  root.querySelectorAll<HTMLElement>("[data-i18n-title]").forEach((el) => {
    const k = el.dataset.i18nTitle!;
    if (has(k)) el.title = t(k);
  });
}
