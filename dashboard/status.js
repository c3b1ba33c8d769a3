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
async function start() { await whoAmI(); refresh(); loadCity(); }
applyLang(); start(); setInterval(refresh, 2000);
