// @ts-check
// The console: sign-in, the shell with each role's pages, and hash routing (#/hr/targets…).
import { html, render, useEffect, useState, useLoad, ErrorBanner, WORDS, dateTime } from "./ui.js";
import {
  session,
  sessionEnded,
  signIn,
  exchangeSso,
  signOut,
  whenSignedOut,
  watchIdle,
  greeted,
  getAs,
} from "./api.js";
import { FirstThings, LastSignIn, MyAccount } from "./account.js";
import { HrTargets, HrRoster, HrCampaign, HrQuestions, HrAttempts } from "./hr.js";
import { Activities, ActivityStats, AnnualSummary } from "./judicial.js";
import { League } from "./league.js";
import { Ledgers } from "./ledgers.js";
import { CadreHome } from "./cadre.js";
import { Courses } from "./courses.js";
import { Users, AuditLog, Deliveries } from "./admin.js";

/** @typedef {import("./api.js").Schemas} Schemas */

/** @type {{ path: string, title: string, roles: Schemas["Role"][], view: Function }[]} */
const PAGES = [
  { path: "/hr/targets", title: "四率统计", roles: ["hr", "admin"], view: HrTargets },
  { path: "/hr/roster", title: "花名册", roles: ["hr", "admin"], view: HrRoster },
  { path: "/hr/campaign", title: "学法活动", roles: ["hr", "admin"], view: HrCampaign },
  { path: "/hr/courses", title: "课程", roles: ["hr", "admin"], view: Courses },
  { path: "/hr/questions", title: "题库", roles: ["hr", "admin"], view: HrQuestions },
  { path: "/hr/attempts", title: "考试记录", roles: ["hr", "admin"], view: HrAttempts },
  { path: "/judicial/activities", title: "普法活动", roles: ["judicial", "admin"], view: Activities },
  { path: "/judicial/ledgers", title: "工作台账", roles: ["judicial", "admin", "hr"], view: Ledgers },
  { path: "/judicial/stats", title: "活动统计", roles: ["judicial", "admin", "hr"], view: ActivityStats },
  { path: "/judicial/annual", title: "年度总结", roles: ["judicial", "admin", "hr"], view: AnnualSummary },
  { path: "/league", title: "各单位排名", roles: ["hr", "judicial", "admin"], view: League },
  { path: "/me", title: "我的学习", roles: ["cadre"], view: CadreHome },
  { path: "/admin/users", title: "账号", roles: ["admin", "hr", "sysadmin", "secadmin"], view: Users },
  { path: "/admin/audit", title: "审计日志", roles: ["admin", "auditor"], view: AuditLog },
  { path: "/admin/deliveries", title: "通知投递", roles: ["admin"], view: Deliveries },
  {
    path: "/account",
    title: "我的账号",
    roles: ["admin", "hr", "judicial", "cadre", "sysadmin", "secadmin", "auditor"],
    view: MyAccount,
  },
];

/** Where each person starts: HR on the rates, the judicial office on its activities, a
 *  cadre on their own progress. */
function landing(roles) {
  if (roles.includes("hr") || roles.includes("admin")) return "/hr/targets";
  if (roles.includes("judicial")) return "/judicial/activities";
  if (roles.includes("cadre")) return "/me";
  if (roles.includes("auditor")) return "/admin/audit";
  if (roles.includes("sysadmin") || roles.includes("secadmin")) return "/admin/users";
  return "/account";
}

function route() {
  return location.hash.replace(/^#/, "") || "";
}

/** Why the last session ended, as the sign-in page says it. */
function endedText(ended) {
  if (!ended) return "";
  if (ended.idle) return `您已超过 ${ended.idle} 分钟未操作，为保护账号安全已自动退出，请重新登录。`;
  return "登录已过期，请重新登录。";
}

/** Where the console returns after a provider's sign-in (the page asked for). */
const AFTER_SSO = "xuefa.after-sso";

/** The identity providers' buttons (统一身份认证): each leaves for the provider and comes
 *  back to this page with a one-time code. */
function Providers() {
  const [providers] = useLoad(async () => (await fetch("/api/v1/auth/providers")).json(), []);
  if (!providers || providers.length === 0) return null;
  const go = (p) => {
    const back = location.hash.startsWith("#/login") ? "" : location.hash;
    sessionStorage.setItem(AFTER_SSO, back);
    location.href = `/api/v1/auth/${p.id}/start?return_to=${encodeURIComponent("/")}`;
  };
  return html`<div class="providers">
    ${providers.map((p) => html`<button type="button" class="secondary" id=${`sso-${p.id}`} onClick=${() => go(p)}>使用${p.name}登录</button>`)}
    <p class="muted or">或使用用户名和密码登录</p>
  </div>`;
}

/** The code a provider's sign-in came back with, taken out of the address once. */
function takeSsoCode() {
  const m = location.hash.match(/^#sso=([\w-]+)/);
  if (!m) return "";
  history.replaceState(null, "", `${location.pathname}${location.search}${sessionStorage.getItem(AFTER_SSO) || ""}`);
  sessionStorage.removeItem(AFTER_SSO);
  return m[1];
}

/** Why a provider's sign-in came back to the sign-in page (`#/login?error=…`). */
function ssoError() {
  const m = location.hash.match(/^#\/login\?error=(\w+)/);
  return m ? m[1] : "";
}

function Login({ onIn }) {
  const [form, setForm] = useState({ username: "", password: "", remember: false, totp: "" });
  const [ended] = useState(() => sessionEnded());
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The account signs in with a second factor: the code is asked for after the password.
  const [needCode, setNeedCode] = useState(false);
  const [ssoCode] = useState(() => takeSsoCode());
  const [refused] = useState(() => ssoError());
  const finishSso = async (totp = "") => {
    try {
      onIn(await exchangeSso(ssoCode, totp));
    } catch (err) {
      if (err.code === "totp_required" || err.code === "totp_invalid") setNeedCode(true);
      setError(err.code === "totp_required" && !totp ? null : err);
    }
  };
  useEffect(() => {
    if (ssoCode) finishSso();
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (ssoCode) {
        await finishSso(form.totp.trim());
        return;
      }
      onIn(await signIn(form.username.trim(), form.password, form.remember, form.totp.trim()));
    } catch (err) {
      if (err.code === "totp_required" || err.code === "totp_invalid") setNeedCode(true);
      setError(err.code === "totp_required" && !form.totp ? null : err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form onSubmit=${submit} id="login-form">
      <h1>学法</h1>
      <p class="muted">学法用法与普法工作平台</p>
      ${refused && html`<p class="error" id="sso-refused" role="alert">${WORDS.denial[refused] || "统一身份认证未能完成，请重试。"}</p>`}
      ${!ssoCode && html`<${Providers} />`}
      ${
        !ssoCode &&
        html`<label class="field"><span>用户名</span>
        <input name="username" autocomplete="username" value=${form.username}
          onInput=${(e) => setForm({ ...form, username: e.target.value })} required />
      </label>
      <label class="field"><span>密码</span>
        <input name="password" type="password" autocomplete="current-password" value=${form.password}
          onInput=${(e) => setForm({ ...form, password: e.target.value })} required />
      </label>`
      }
      ${
        needCode &&
        html`<label class="field"><span>动态码</span>
        <input name="totp" inputmode="numeric" autocomplete="one-time-code" value=${form.totp} autofocus
          aria-describedby="totp-hint" onInput=${(e) => setForm({ ...form, totp: e.target.value })} required />
        <small id="totp-hint" class="muted">请输入手机身份验证器上的 6 位动态码；手机不在身边时，可输入一个恢复码。</small></label>`
      }
      <label class="field check"><input type="checkbox" name="remember" checked=${form.remember}
        onChange=${(e) => setForm({ ...form, remember: e.target.checked })} /><span>记住我（在本机的其他标签页保持登录）</span></label>
      ${ended && !error && html`<p class="notice" id="session-ended" role="status">${endedText(ended)}</p>`}
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

// The larger type chosen on this browser, from the first page on (the sign-in too).
document.documentElement.classList.toggle("large-text", localStorage.getItem("xuefa.large-text") === "1");

/** 大字: a larger type for every page, remembered on this browser (适老化). */
function LargeText() {
  const [on, setOn] = useState(localStorage.getItem("xuefa.large-text") === "1");
  useEffect(() => {
    document.documentElement.classList.toggle("large-text", on);
    localStorage.setItem("xuefa.large-text", on ? "1" : "0");
  }, [on]);
  return html`<button class="link" id="large-text" aria-pressed=${on ? "true" : "false"} onClick=${() => setOn(!on)}>
    ${on ? "标准字号" : "大字"}</button>`;
}

function App() {
  const [me, setMe] = useState(() => (session() || {}).me || null);
  const [limit, setLimit] = useState(() => (session() || {}).limit || null);
  const [greet, setGreet] = useState(() => !!session() && !(session() || {}).greeted);
  const [path, setPath] = useState(route());
  useEffect(() => {
    const onHash = () => setPath(route());
    addEventListener("hashchange", onHash);
    whenSignedOut(() => setMe(null));
    if (session()) watchIdle();
    return () => removeEventListener("hashchange", onHash);
  }, []);
  /** A new session (signed in, or renewed after the first things): its profile, its limit,
   *  and 上次登录 to say once. */
  const enter = (s) => {
    if (!s) {
      signOut();
      return;
    }
    setMe(s.me);
    setLimit(s.limit);
    setGreet(!s.greeted);
    watchIdle();
  };
  if (path.startsWith("/verify/")) {
    return html`<${Verify} code=${decodeURIComponent(path.slice("/verify/".length))} />`;
  }
  if (!me) {
    // Signing in keeps the address: a link from a reminder, or the page the session
    // ended on, opens once the person is in.
    return html`<${Login} onIn=${(s) => {
      enter(s);
      if (!route()) location.hash = landing(s.me.roles);
    }} />`;
  }
  if (limit) {
    // The password to change or the second factor to enrol first; the address stays, so
    // the page the person came for opens after.
    return html`<${FirstThings} limit=${limit} me=${me} onDone=${enter} />`;
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
        ${pages
          .filter((p) => p.path !== "/account")
          .map((p) => html`<a href=${`#${p.path}`} class=${p === page ? "active" : ""}>${p.title}</a>`)}
      </nav>
      ${me.scope && html`<span class="scope" title="管理范围">${me.scope.path.join(" › ")}</span>`}
      <a class="who" href="#/account" title="我的账号">${me.name}（${me.roles.map((r) => WORDS.role[r]).join("、")}）</a>
      <${LargeText} />
      <button class="link" id="sign-out" onClick=${signOut}>退出</button>
    </header>
    <main>
      ${greet && html`<${LastSignIn} me=${me} onClose=${() => (greeted(), setGreet(false))} />`}
      <${View} me=${me} query=${query} />
    </main>
  </div>`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
