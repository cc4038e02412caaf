// @ts-check
// The console: sign-in, the shell with each role's pages, and hash routing (#/hr/targets…).
import { html, render, useEffect, useState, useLoad, ErrorBanner, WORDS, dateTime } from "./ui.js";
import { session, sessionEnded, signIn, signOut, whenSignedOut, get, getAs } from "./api.js";
import { HrTargets, HrRoster, HrCampaign, HrQuestions, HrAttempts } from "./hr.js";
import { Activities, ActivityStats, AnnualSummary } from "./judicial.js";
import { League } from "./league.js";
import { Ledgers } from "./ledgers.js";
import { CadreHome } from "./cadre.js";
import { Users, AuditLog, Deliveries } from "./admin.js";

/** @typedef {import("./api.js").Schemas} Schemas */

/** @type {{ path: string, title: string, roles: Schemas["Role"][], view: Function }[]} */
const PAGES = [
  { path: "/hr/targets", title: "四率统计", roles: ["hr", "admin"], view: HrTargets },
  { path: "/hr/roster", title: "花名册", roles: ["hr", "admin"], view: HrRoster },
  { path: "/hr/campaign", title: "学法活动", roles: ["hr", "admin"], view: HrCampaign },
  { path: "/hr/questions", title: "题库", roles: ["hr", "admin"], view: HrQuestions },
  { path: "/hr/attempts", title: "考试记录", roles: ["hr", "admin"], view: HrAttempts },
  { path: "/judicial/activities", title: "普法活动", roles: ["judicial", "admin"], view: Activities },
  { path: "/judicial/ledgers", title: "工作台账", roles: ["judicial", "admin", "hr"], view: Ledgers },
  { path: "/judicial/stats", title: "活动统计", roles: ["judicial", "admin", "hr"], view: ActivityStats },
  { path: "/judicial/annual", title: "年度总结", roles: ["judicial", "admin", "hr"], view: AnnualSummary },
  { path: "/league", title: "各单位排名", roles: ["hr", "judicial", "admin"], view: League },
  { path: "/me", title: "我的学习", roles: ["cadre"], view: CadreHome },
  { path: "/admin/users", title: "账号", roles: ["admin", "hr"], view: Users },
  { path: "/admin/audit", title: "审计日志", roles: ["admin"], view: AuditLog },
  { path: "/admin/deliveries", title: "通知投递", roles: ["admin"], view: Deliveries },
];

/** Where each person starts: HR on the rates, the judicial office on its activities, a
 *  cadre on their own progress. */
function landing(roles) {
  if (roles.includes("hr") || roles.includes("admin")) return "/hr/targets";
  if (roles.includes("judicial")) return "/judicial/activities";
  return "/me";
}

function route() {
  return location.hash.replace(/^#/, "") || "";
}

function Login({ onIn }) {
  const [form, setForm] = useState({ username: "", password: "", remember: false });
  const [ended] = useState(() => sessionEnded());
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onIn(await signIn(form.username.trim(), form.password, form.remember));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form onSubmit=${submit} id="login-form">
      <h1>学法</h1>
      <p class="muted">学法用法与普法工作平台</p>
      <label class="field"><span>用户名</span>
        <input name="username" autocomplete="username" value=${form.username}
          onInput=${(e) => setForm({ ...form, username: e.target.value })} required />
      </label>
      <label class="field"><span>密码</span>
        <input name="password" type="password" autocomplete="current-password" value=${form.password}
          onInput=${(e) => setForm({ ...form, password: e.target.value })} required />
      </label>
      <label class="field check"><input type="checkbox" name="remember" checked=${form.remember}
        onChange=${(e) => setForm({ ...form, remember: e.target.checked })} /><span>记住我（在本机的其他标签页保持登录）</span></label>
      ${ended && !error && html`<p class="notice" id="session-ended" role="status">登录已过期，请重新登录。</p>`}
      <${ErrorBanner} error=${error} />
      <button type="submit" disabled=${busy}>${busy ? "正在登录…" : "登录"}</button>
    </form>
  </main>`;
}

/** 证书查验: anyone with a code, signed in or not, sees what the certificate says. */
function Verify({ code }) {
  const [cert, error] = useLoad(() => getAs("CertificateView", `/certificates/${encodeURIComponent(code)}`), [code]);
  return html`<main class="verify"><section class="card">
    <h1>学法用法考试合格证书查验</h1>
    ${error && html`<p class="error" id="verify-result">未找到编号为 ${code} 的证书。</p>`}
    ${
      cert &&
      html`<dl id="verify-result">
      <dt>证书编号</dt><dd>${cert.code}</dd>
      <dt>姓名</dt><dd>${cert.name}</dd>
      <dt>单位</dt><dd>${cert.unit || "—"}</dd>
      <dt>活动</dt><dd>${cert.campaign}</dd>
      <dt>成绩</dt><dd>${cert.score} 分（${WORDS.grade[cert.grade]}）</dd>
      <dt>合格时间</dt><dd>${dateTime(cert.passed_at)}</dd>
    </dl>`
    }
  </section></main>`;
}

function App() {
  const [me, setMe] = useState(() => (session() || {}).me || null);
  const [path, setPath] = useState(route());
  useEffect(() => {
    const onHash = () => setPath(route());
    addEventListener("hashchange", onHash);
    whenSignedOut(() => setMe(null));
    return () => removeEventListener("hashchange", onHash);
  }, []);
  if (path.startsWith("/verify/")) {
    return html`<${Verify} code=${decodeURIComponent(path.slice("/verify/".length))} />`;
  }
  if (!me) {
    // Signing in keeps the address: a link from a reminder, or the page the session
    // ended on, opens once the person is in.
    return html`<${Login} onIn=${(s) => {
      setMe(s.me);
      if (!route()) location.hash = landing(s.me.roles);
    }} />`;
  }
  const pages = PAGES.filter((p) => p.roles.some((r) => me.roles.includes(r)));
  const [base, ...rest] = path.split("?");
  const page = pages.find((p) => p.path === base);
  if (!page) {
    location.hash = landing(me.roles);
    return null;
  }
  const query = new URLSearchParams(rest.join("?"));
  const View = page.view;
  return html`<div class="shell">
    <header>
      <strong class="brand">学法</strong>
      <nav>
        ${pages.map((p) => html`<a href=${`#${p.path}`} class=${p === page ? "active" : ""}>${p.title}</a>`)}
      </nav>
      ${me.scope && html`<span class="scope" title="管理范围">${me.scope.path.join(" › ")}</span>`}
      <span class="who">${me.name}（${me.roles.map((r) => WORDS.role[r]).join("、")}）</span>
      <button class="link" onClick=${signOut}>退出</button>
    </header>
    <main><${View} me=${me} query=${query} /></main>
  </div>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
