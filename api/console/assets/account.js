// @ts-check
// The person's own account: the password rules as they type, the forced change at the first
// sign-in (or when the password expired), enrolling a second factor with a QR code drawn by
// the server, the recovery codes, and 上次登录.
import { html, useState, useLoad, ErrorBanner, Field, fieldErrors, dateTime } from "./ui.js";
import { call, get, post, renew, signIn, session } from "./api.js";

/** @typedef {import("./api.js").Schemas} Schemas */

/** The rules in force, read once and without the token (a limited token reaches only
 *  what its limit allows). */
let policy = null;
async function loadPolicy() {
  if (!policy) policy = await (await fetch("/api/v1/auth/policy")).json();
  return /** @type {Schemas["AuthPolicy"]} */ (policy);
}

/** How many of lower case, capitals, digits and symbols a password has. */
function classes(password) {
  return [/\p{Ll}/u, /\p{Lu}/u, /[0-9]/, /[^\p{L}\p{N}]/u].filter((re) => re.test(password)).length;
}

/** Each rule the console can check as the person types, met or not, said in words (a ✓
 *  or ✗ and 已满足/未满足 — never by colour alone). The server also checks the common list
 *  and the last passwords, and says so when it refuses.
 *  @param {{ password: string, username: string }} props */
export function PasswordRules({ password, username }) {
  const [rules] = useLoad(loadPolicy, []);
  if (!rules) return null;
  const items = [
    [`至少 ${rules.password_min_length} 个字符`, [...password].length >= rules.password_min_length],
    [
      `包含小写字母、大写字母、数字、符号中的至少 ${rules.password_classes} 类`,
      classes(password) >= rules.password_classes,
    ],
    ["不包含用户名", !username || username.length < 3 || !password.toLowerCase().includes(username.toLowerCase())],
  ];
  return html`<ul class="rules" id="password-rules" aria-live="polite">
    ${items.map(
      ([text, met]) =>
        html`<li class=${met ? "met" : "unmet"}><span aria-hidden="true">${met ? "✓" : "✗"}</span> ${text}<span class="visually-hidden">${met ? "（已满足）" : "（未满足）"}</span></li>`,
    )}
    <li class="hint">不能是常见密码，也不能与最近 ${rules.password_history} 次用过的密码相同。</li>
  </ul>`;
}

/** 修改密码: the current password, the new one twice, the rules as they are typed. On
 *  success the person is signed in again with the new password (a second factor, when the
 *  account has one, is asked for on the sign-in page).
 *  @param {{ me: Schemas["MeView"], forced?: boolean, onDone: (s: any) => void }} props */
export function ChangePassword({ me, forced = false, onDone }) {
  const [form, setForm] = useState({ current: "", next: "", again: "" });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const mismatch = form.again !== "" && form.again !== form.next;
  const submit = async (e) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await post("/me/password", { current_password: form.current, new_password: form.next });
      const remembered = localStorage.getItem("xuefa.session") !== null;
      try {
        onDone(await signIn(me.username, form.next, remembered));
      } catch (err) {
        // A second factor is asked for: the sign-in page takes it from here.
        onDone(null);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card narrow" id="password-form" onSubmit=${submit}>
    <h2>${forced ? "请先修改密码" : "修改密码"}</h2>
    ${
      forced &&
      html`<p class="notice" role="status">您的密码由管理员设置或已超过有效期。为保护账号安全，请设置一个只有您自己知道的新密码，然后继续使用。</p>`
    }
    <${Field} label="当前密码" name="current_password" errors=${errors}>
      <input type="password" name="current_password" autocomplete="current-password" required value=${form.current}
        onInput=${(e) => setForm({ ...form, current: e.target.value })} />
    <//>
    <${Field} label="新密码" name="new_password" errors=${errors}>
      <input type="password" name="new_password" autocomplete="new-password" required value=${form.next}
        aria-describedby="password-rules" onInput=${(e) => setForm({ ...form, next: e.target.value })} />
    <//>
    <${PasswordRules} password=${form.next} username=${me.username} />
    <label class="field"><span>再次输入新密码</span>
      <input type="password" name="again" autocomplete="new-password" required value=${form.again}
        aria-invalid=${mismatch ? "true" : "false"} onInput=${(e) => setForm({ ...form, again: e.target.value })} />
      ${mismatch && html`<span class="field-error" role="alert">两次输入的新密码不一致</span>`}
    </label>
    <${ErrorBanner} error=${error} />
    <button type="submit" disabled=${busy}>${busy ? "正在保存…" : "保存新密码"}</button>
  </form>`;
}

/** The recovery codes, shown once, to write down or print.
 *  @param {{ codes: string[], onDone: () => void }} props */
function RecoveryCodes({ codes, onDone }) {
  return html`<div class="card narrow" id="recovery-codes">
    <h2>请保存恢复码</h2>
    <p>手机丢失或无法使用身份验证器时，可以用下面任一恢复码代替动态码登录，每个只能用一次。它们只显示这一次，请抄写或打印后妥善保管。</p>
    <ol class="codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
    <div class="actions"><button type="button" onClick=${() => print()}>打印</button>
      <button type="button" id="codes-saved" onClick=${onDone}>我已保存，继续</button></div>
  </div>`;
}

/** 绑定身份验证器: the QR code (an SVG the server drew; no outside service), the secret to
 *  type in when scanning is not possible, and the first code to confirm.
 *  @param {{ required?: boolean, onDone: (s: any) => void }} props */
export function EnrolTotp({ required = false, onDone }) {
  const [enrolment, error] = useLoad(() => post("/me/totp", {}), []);
  const [code, setCode] = useState("");
  const [confirmError, setConfirmError] = useState(null);
  const [codes, setCodes] = useState(/** @type {string[] | null} */ (null));
  if (codes) {
    return html`<${RecoveryCodes} codes=${codes} onDone=${async () => onDone(await renew())} />`;
  }
  const confirm = async (e) => {
    e.preventDefault();
    setConfirmError(null);
    try {
      const answer = await post("/me/totp/confirm", { code: code.trim() });
      setCodes(answer.recovery_codes);
    } catch (err) {
      setConfirmError(err);
    }
  };
  return html`<form class="card narrow" id="totp-form" onSubmit=${confirm}>
    <h2>绑定身份验证器（双因素认证）</h2>
    ${
      required &&
      html`<p class="notice" role="status">您的账号需要在密码之外再用手机上的动态码登录。请先完成绑定，然后继续使用。</p>`
    }
    <ol class="steps">
      <li>在手机上打开身份验证器应用（如 Microsoft Authenticator、Google 身份验证器、FreeOTP 等支持 TOTP 动态口令的应用）。</li>
      <li>扫描下面的二维码；无法扫描时，手动输入密钥。</li>
      <li>输入应用上显示的 6 位动态码。</li>
    </ol>
    <${ErrorBanner} error=${error} />
    ${
      enrolment &&
      html`<figure class="qr"><img id="totp-qr" alt="身份验证器二维码" width="200" height="200"
          src=${`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`} />
        <figcaption>密钥：<code id="totp-secret">${enrolment.secret}</code></figcaption></figure>`
    }
    <${Field} label="动态码" name="code" errors=${fieldErrors(confirmError)}>
      <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required
        value=${code} onInput=${(e) => setCode(e.target.value)} />
    <//>
    <${ErrorBanner} error=${confirmError} />
    <button type="submit" disabled=${!enrolment}>确认绑定</button>
  </form>`;
}

/** 上次登录: when and where the person last signed in, and the failed attempts since —
 *  how someone notices that another tried their account.
 *  @param {{ me: Schemas["MeView"], onClose?: () => void }} props */
export function LastSignIn({ me, onClose }) {
  const last = me.last_sign_in;
  const failed = me.failed_sign_ins_since_last;
  return html`<p class=${failed > 0 ? "notice warn" : "notice"} id="last-sign-in" role="status">
    ${last ? `上次登录：${dateTime(last.at)}${last.address ? `，来自 ${last.address}` : ""}。` : "这是您第一次登录。"}
    ${failed > 0 && html`<strong>此后有 ${failed} 次登录失败</strong>，如非本人操作，请修改密码并告知管理员。`}
    ${onClose && html`<button type="button" class="link" onClick=${onClose}>知道了</button>`}
  </p>`;
}

/** 我的账号: 上次登录, the password (and when it must next be changed), the second factor.
 *  @param {{ me: Schemas["MeView"] }} props */
export function MyAccount({ me }) {
  const [view, setView] = useState(/** @type {"" | "password" | "totp" | "remove"} */ (""));
  const [fresh, error, reload] = useLoad(() => get("/me"), [view]);
  const account = /** @type {Schemas["MeView"]} */ (fresh || me);
  const [code, setCode] = useState("");
  const [removeError, setRemoveError] = useState(null);
  if (view === "password") {
    return html`<${ChangePassword} me=${account} onDone=${(s) => (s ? setView("") : location.reload())} />`;
  }
  if (view === "totp") return html`<${EnrolTotp} onDone=${() => setView("")} />`;
  const remove = async (e) => {
    e.preventDefault();
    setRemoveError(null);
    try {
      await call("DELETE", "/me/totp", { code: code.trim() });
      setView("");
      setCode("");
      reload();
    } catch (err) {
      setRemoveError(err);
    }
  };
  return html`<section class="card narrow" id="my-account">
    <h2>我的账号</h2>
    <${ErrorBanner} error=${error} />
    <${LastSignIn} me=${account} />
    <dl>
      <dt>用户名</dt><dd>${account.username}</dd>
      <dt>密码</dt><dd>${account.password_expires_at ? `有效期至 ${dateTime(account.password_expires_at)}` : "长期有效"}
        <button type="button" class="link" id="change-password" onClick=${() => setView("password")}>修改密码</button></dd>
      <dt>双因素认证</dt><dd id="totp-state">${account.totp_enabled ? "已绑定身份验证器" : "未绑定"}
        ${
          account.totp_enabled
            ? html`<button type="button" class="link" onClick=${() => setView("remove")}>解除绑定</button>`
            : html`<button type="button" class="link" id="enrol-totp" onClick=${() => setView("totp")}>绑定身份验证器</button>`
        }</dd>
    </dl>
    ${
      view === "remove" &&
      html`<form onSubmit=${remove} id="totp-remove">
        <${Field} label="动态码或恢复码" name="code" errors=${fieldErrors(removeError)}>
          <input name="code" autocomplete="one-time-code" required value=${code} onInput=${(e) => setCode(e.target.value)} />
        <//>
        <${ErrorBanner} error=${removeError} />
        <button type="submit">解除绑定</button> <button type="button" class="link" onClick=${() => setView("")}>取消</button>
      </form>`
    }
  </section>`;
}

/** The screen a limited session shows instead of the console: the password to change, or
 *  the second factor to enrol; then the page the person came for.
 *  @param {{ limit: "password" | "totp", me: Schemas["MeView"], onDone: (s: any) => void }} props */
export function FirstThings({ limit, me, onDone }) {
  return html`<main class="first-things">
    ${
      limit === "password"
        ? html`<${ChangePassword} me=${me} forced=${true} onDone=${onDone} />`
        : html`<${EnrolTotp} required=${true} onDone=${onDone} />`
    }
  </main>`;
}
