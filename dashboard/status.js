let lang = localStorage.getItem("lang") || "zh";
function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-zh]").forEach(el => { el.textContent = el.dataset[lang]; });
  document.getElementById("lang").textContent = lang === "zh" ? "English" : "中文";
}
document.getElementById("lang").onclick = () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("lang", lang); applyLang(); };
const fmt = n => Number(n).toLocaleString(lang === "zh" ? "zh-CN" : "en-US");
async function refresh() {
  try {
    const r = await fetch("/api/v1/status");
    if (r.status === 401) { err.textContent = lang === "zh" ? "请登录" : "please log in"; return; }
    if (!r.ok) throw new Error(r.status);
    const s = await r.json();
    events.textContent = fmt(s.store.events); streams.textContent = fmt(s.store.streams);
    last.textContent = fmt(s.store.lastPosition); live.textContent = fmt(s.livePosition);
    kind.textContent = s.store.kind; uptime.textContent = s.uptimeSeconds + " s";
    err.textContent = "";
  } catch (e) { err.textContent = (lang === "zh" ? "无法连接：" : "unreachable: ") + e.message; }
}
// The city today: a few of the catalog's indicators and the latest cases (the big screen
// shows them all).
const statusNames = { reported: ["待核实", "reported"], verified: ["待立案", "verified"], registered: ["待派遣", "registered"],
  dispatched: ["待签收", "dispatched"], accepted: ["处置中", "in hand"], suspended: ["缓办", "suspended"], handled: ["待核查", "handled"],
  inspected: ["待结案", "inspected"], closed: ["已结案", "closed"], voided: ["已作废", "voided"], merged: ["已合并", "merged"] };
const kpis = { reported: ["kReported", "today"], closed_cases: ["kClosed", "today"], backlog: ["kBacklog", "today"],
  overdue_backlog: ["kOverdue", "today"], on_time_closure_rate: ["kOnTime", "30d", "%"], hotline_satisfaction_rate: ["kSatisfied", "30d", "%"] };
async function refreshCity() {
  try {
    const r = await fetch("/api/v1/indicators?ids=" + Object.keys(kpis).join(","));
    if (r.ok) {
      const j = await r.json();
      for (const ind of j.indicators) {
        const [id, w, unit] = kpis[ind.id];
        const v = ind.windows[w] && ind.windows[w].value;
        document.getElementById(id).textContent = v == null ? "–" : unit ? v.toFixed(1) + unit : fmt(Math.round(v));
        if (ind.id === "reported" && ind.windows["30d"]) k30.textContent = fmt(ind.windows["30d"].value);
      }
    }
    const c = await fetch("/api/v1/cases?limit=8");
    if (c.ok) {
      const page = await c.json(), body = latest.tBodies[0];
      body.replaceChildren(...page.cases.map(row => {
        const tr = document.createElement("tr");
        const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.append(td); };
        cell(new Date(row.reportedAt).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-US", { hour12: false }), "t");
        cell((statusNames[row.status] || [row.status, row.status])[lang === "zh" ? 0 : 1], "s " + (row.overdue ? "late" : "ok"));
        cell(row.title);
        return tr;
      }));
    }
  } catch (e) { /* the system cards say when the server is unreachable */ }
}
let cityInfo = null;
async function loadCity() {
  try {
    const r = await fetch("/api/v1/geo/city");
    if (!r.ok) return;
    cityInfo = await r.json();
    showCity();
  } catch (e) { /* a server without a map shows no city */ }
}
function showCity() {
  if (!cityInfo) return;
  const c = cityInfo.counts;
  city.textContent = lang === "zh" ? cityInfo.name : (cityInfo.nameEn || cityInfo.name);
  areas.textContent = fmt(c.district) + " / " + fmt(c.street);
  grids.textContent = fmt(c.community) + " / " + fmt(c.grid);
}
document.getElementById("lang").addEventListener("click", showCity);
// Authentication: a session cookie set by the login; unsafe requests carry the CSRF token.
let me = null;
async function whoAmI() {
  const r = await fetch("/api/v1/auth/me");
  me = await r.json();
  const p = me.principal, logged = p.kind !== "anonymous";
  loginForm.hidden = logged;
  oidcLogin.hidden = !me.oidc;
  pwForm.hidden = !p.mustChangePassword;
  logout.hidden = !logged;
  who.textContent = logged ? (p.name || p.login) + " · " + p.grants.map(g => g.role).join(", ") : (me.publicScreen ? (lang === "zh" ? "大屏只读" : "read-only screen") : "");
  if (!loginForm.hidden) { loginName.placeholder = lang === "zh" ? "用户名" : "login"; loginPassword.placeholder = lang === "zh" ? "密码" : "password"; }
  if (!pwForm.hidden) pwOld.placeholder = lang === "zh" ? "一次性密码" : "one-time password";
  if (!pwForm.hidden) pwNew.placeholder = lang === "zh" ? "新密码（至少 10 位）" : "new password (10+ characters)";
}
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": (me && me.csrfToken) || "" }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error ? j.error.message : r.status);
  return j;
}
loginForm.onsubmit = async ev => {
  ev.preventDefault(); loginErr.textContent = "";
  try { await post("/api/v1/auth/login", { login: loginName.value, password: loginPassword.value }); loginPassword.value = ""; await start(); }
  catch (e) { loginErr.textContent = e.message; }
};
pwForm.onsubmit = async ev => {
  ev.preventDefault(); pwErr.textContent = "";
  try { await post("/api/v1/auth/password", { oldPassword: pwOld.value, password: pwNew.value }); pwOld.value = pwNew.value = ""; await start(); }
  catch (e) { pwErr.textContent = e.message; }
};
logout.onclick = async () => { await post("/api/v1/auth/logout", {}); await start(); };
document.getElementById("lang").addEventListener("click", whoAmI);
async function start() { await whoAmI(); refresh(); refreshCity(); loadCity(); }
applyLang(); start(); setInterval(refresh, 2000); setInterval(refreshCity, 2000);
