// @ts-check
// 系统管理员: accounts, the audit log and the notices' delivery log.
import { PasswordRules } from "./account.js";
import {
  html,
  useState,
  useLoad,
  useToast,
  useQueryState,
  ErrorBanner,
  Field,
  fieldErrors,
  missingFields,
  wordAll,
  Dialog,
  Confirm,
  Pager,
  WORDS,
  Options,
  dateTime,
  UnitOptions,
  useTypedFilter,
  sortHeadings,
  queryOf,
} from "./ui.js";
import { all, get, getAs, patch, post, download } from "./api.js";

/** @typedef {import("./api.js").Schemas} Schemas */

const EMPTY_ACCOUNT = {
  username: "",
  name: "",
  password: "",
  unit_id: "",
  roles: ["cadre"],
  employee_no: "",
  phone: "",
  is_leader: false,
};

/** 新建 or 修改 an account, in a dialog next to the list. */
function AccountForm({ editing, units, onDone, onClose }) {
  const [form, setForm] = useState(
    editing
      ? {
          ...EMPTY_ACCOUNT,
          ...editing,
          unit_id: editing.unit_id === null ? "" : String(editing.unit_id),
          employee_no: editing.employee_no || "",
          phone: editing.phone || "",
        }
      : EMPTY_ACCOUNT,
  );
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const toggleRole = (r) =>
    setForm({ ...form, roles: form.roles.includes(r) ? form.roles.filter((x) => x !== r) : [...form.roles, r] });
  const save = async (e) => {
    e.preventDefault();
    const body = {
      name: form.name,
      unit_id: form.unit_id === "" ? null : Number(form.unit_id),
      roles: form.roles,
      employee_no: form.employee_no || null,
      phone: form.phone || null,
      is_leader: form.is_leader,
    };
    const missing = missingFields(editing ? body : { ...body, username: form.username, password: form.password }, [
      ...(editing ? [] : ["username", "password"]),
      "name",
    ]);
    if (missing) return setError(missing);
    try {
      const saved = editing
        ? await patch(`/users/${editing.id}`, body)
        : await post("/users", { ...body, username: form.username, password: form.password });
      onDone(saved);
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  return html`<${Dialog} id="account-dialog" title=${editing ? `修改账号：${editing.name}` : "新建账号"} onClose=${onClose}>
    <form class="grid" id="account-form" onSubmit=${save}>
      ${
        !editing &&
        html`<${Field} label="用户名" name="username" errors=${errors}><input name="username" autocomplete="off" value=${form.username} onInput=${set("username")} /></${Field}>
        <${Field} label="初始密码" name="password" errors=${errors}><input name="password" type="password" autocomplete="new-password" aria-describedby="password-rules" value=${form.password} onInput=${set("password")} /></${Field}>
        <${PasswordRules} password=${form.password} username=${form.username} />`
      }
      <${Field} label="姓名" name="name" errors=${errors}><input name="name" value=${form.name} onInput=${set("name")} /></${Field}>
      <${Field} label="单位" name="unit_id" errors=${errors}><select name="unit_id" value=${form.unit_id} onChange=${set("unit_id")}>
        <option value="">（无）</option><${UnitOptions} units=${units || []} />
      </select></${Field}>
      <${Field} label="工号" name="employee_no" errors=${errors}><input name="employee_no" value=${form.employee_no} onInput=${set("employee_no")} /></${Field}>
      <${Field} label="手机号码" name="phone" errors=${errors}><input name="phone" inputmode="tel" value=${form.phone} onInput=${set("phone")} /></${Field}>
      <fieldset class="wide"><legend>角色</legend>
        ${Object.entries(WORDS.role).map(
          ([k, v]) =>
            html`<label class="inline"><input type="checkbox" name="roles" value=${k} checked=${form.roles.includes(k)} onChange=${() => toggleRole(k)} />${v}</label>`,
        )}
        <label class="inline"><input type="checkbox" name="is_leader" checked=${form.is_leader} onChange=${set("is_leader")} />领导干部</label>
        ${errors.roles && html`<em class="field-error" data-field="roles">${wordAll(errors.roles, "角色")}</em>`}
      </fieldset>
      <${ErrorBanner} error=${error} />
      <div class="wide actions"><button type="submit">保存</button> <button type="button" class="secondary" onClick=${onClose}>取消</button></div>
    </form>
  </${Dialog}>`;
}

/** The new password after 重置密码: shown once, to hand over; it cannot be shown again. */
function OneTimePassword({ reset, onClose }) {
  return html`<${Dialog} id="password-dialog" title="已重置密码" onClose=${onClose}>
    <p>${reset.user.name}（${reset.user.username}）的新密码（仅显示这一次，请当面或电话告知本人，登录后请其修改）：</p>
    <p class="one-time"><code id="one-time-password">${reset.password}</code></p>
    <p class="muted">该账号原有的登录已全部失效。</p>
    <div class="actions"><button onClick=${onClose}>我已记下</button></div>
  </${Dialog}>`;
}

/** 账号: search, filters and pages kept in the address; 新建, 修改, 停用/启用 and 重置密码
 *  in dialogs; each manager's 管理范围 set from the caller's own units.
 *  @param {{ me: Schemas["MeView"], query: URLSearchParams }} props */
export function Users({ me, query }) {
  const [filters, setFilters] = useQueryState(query, {
    q: "",
    role: "",
    active: "",
    unit_id: "",
    sort: "",
    page: "1",
    per_page: "50",
  });
  const sorter = sortHeadings(filters, setFilters);
  const [typed, setTyped] = useTypedFilter(filters.q, (q) => setFilters({ q }));
  const list = queryOf(filters);
  const [page, error, reload] = useLoad(() => getAs("Page_UserView", `/users?${list}`), [list]);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [toast, showToast] = useToast();
  const [saveError, setSaveError] = useState(null);
  /** @type {[any, (d: any) => void]} */
  const [dialog, setDialog] = useState(null);
  /** Whether the caller holds one of `roles` (buttons for work the server would refuse are not shown). */
  const can = (...roles) => roles.some((r) => me.roles.includes(r));
  const unitName = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const act = async (work, done) => {
    setSaveError(null);
    try {
      const answer = await work();
      setDialog(null);
      done(answer);
      reload();
    } catch (err) {
      setDialog(null);
      setSaveError(err);
    }
  };
  /** 管理范围 of a manager account: its unit's name, or 全部 for the whole installation. */
  const scopeOf = (u) => (u.scope_unit_id === null ? "全部" : unitName[u.scope_unit_id] || `#${u.scope_unit_id}`);
  const setScope = (u, value) =>
    act(
      () => patch(`/users/${u.id}`, { scope_unit_id: value === "" ? null : Number(value) }),
      () => showToast(`已将 ${u.name} 的管理范围设为“${value === "" ? "全部" : unitName[Number(value)]}”。`),
    );
  /** A manager account's scope, as a picker of the caller's own units (全部 only for an
   *  unscoped caller); the caller's own and a plain cadre's are shown, not changed. */
  const scopeCell = (u) => {
    if (u.roles.every((r) => r === "cadre")) return "";
    if (u.id === me.id || !can("admin", "hr", "secadmin")) return scopeOf(u);
    return html`<select aria-label=${`${u.name}的管理范围`} value=${u.scope_unit_id === null ? "" : String(u.scope_unit_id)} onChange=${(e) => setScope(u, e.target.value)}>
      ${(!me.scope || u.scope_unit_id === null) && html`<option value="" disabled=${!!me.scope}>全部</option>`}
      <${UnitOptions} units=${units || []} />
    </select>`;
  };
  const toggleActive = (u) =>
    setDialog(
      html`<${Confirm} id="confirm-active" title=${u.active ? "停用账号" : "启用账号"}
        text=${u.active ? `停用后 ${u.name}（${u.username}）将立即退出登录，且不能再登录。确定停用？` : `启用后 ${u.name}（${u.username}）可以重新登录。确定启用？`}
        yes=${u.active ? "停用" : "启用"} onClose=${() => setDialog(null)}
        onYes=${() =>
          act(
            () => patch(`/users/${u.id}`, { active: !u.active }),
            () => showToast(`已${u.active ? "停用" : "启用"} ${u.name}。`),
          )} />`,
    );
  const resetPassword = (u) =>
    setDialog(
      html`<${Confirm} id="confirm-reset" title="重置密码"
        text=${`将为 ${u.name}（${u.username}）生成一个新密码，原密码和已有的登录立即失效。确定重置？`}
        yes="重置" onClose=${() => setDialog(null)}
        onYes=${() =>
          act(
            () => post(`/users/${u.id}/reset-password`, {}),
            (reset) => setDialog(html`<${OneTimePassword} reset=${reset} onClose=${() => setDialog(null)} />`),
          )} />`,
    );
  const unlock = (u) =>
    act(
      () => post(`/users/${u.id}/unlock`, {}),
      (done) => showToast(`已解除 ${u.name} 的登录锁定（清除 ${done.failures_cleared} 次失败记录）。`),
    );
  const resetTotp = (u) =>
    setDialog(
      html`<${Confirm} id="confirm-totp" title="重置双因素认证"
        text=${`将解除 ${u.name}（${u.username}）绑定的身份验证器（如手机丢失），其已有的登录立即失效；下次登录时需重新绑定。确定重置？`}
        yes="重置" onClose=${() => setDialog(null)}
        onYes=${() =>
          act(
            () => post(`/users/${u.id}/reset-totp`, {}),
            () => showToast(`已重置 ${u.name} 的双因素认证。`),
          )} />`,
    );
  const edit = (u) =>
    setDialog(
      html`<${AccountForm} editing=${u} units=${units || []} onClose=${() => setDialog(null)}
        onDone=${(saved) => (setDialog(null), showToast(`已保存 ${saved.name}。`), reload())} />`,
    );
  const create = () =>
    setDialog(
      html`<${AccountForm} units=${units || []} onClose=${() => setDialog(null)}
        onDone=${(saved) => (setDialog(null), showToast(`已新建账号 ${saved.username}。`), reload())} />`,
    );
  return html`<section>
    <div class="toolbar">
      <label class="inline">姓名/用户名/工号<input id="user-search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></label>
      <label class="inline">角色<select value=${filters.role} onChange=${(e) => setFilters({ role: e.target.value })}><${Options} map=${WORDS.role} empty="全部" /></select></label>
      <label class="inline">状态<select id="user-active" value=${filters.active} onChange=${(e) => setFilters({ active: e.target.value })}>
        <option value="">全部</option><option value="true">启用</option><option value="false">停用</option></select></label>
      <label class="inline">单位<select value=${filters.unit_id} onChange=${(e) => setFilters({ unit_id: e.target.value })}>
        <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
      ${can("admin", "hr", "sysadmin") && html`<button id="new-account" onClick=${create}>新建账号</button>`}
    </div>
    <${ErrorBanner} error=${error || saveError} />
    ${toast}${dialog}
    ${!page && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      page &&
      html`<p class="muted">管理范围决定组织人事、司法所和管理员账号能看到和办理哪些单位的数据。</p>
      <div class="scroll" tabindex="0"><table id="users"><thead><tr>${sorter("用户名", "username")}${sorter("姓名", "name")}<th>单位</th><th>角色</th><th>管理范围</th>${sorter("工号", "employee_no")}<th>领导干部</th><th>状态</th><th title="双因素认证已绑定；下次登录须修改密码">安全</th><th>操作</th></tr></thead>
      <tbody>${page.items.map(
        (
          u,
        ) => html`<tr data-user=${u.id} class=${u.active ? "" : "inactive"}><td>${u.username}</td><td>${u.name}</td><td class="clip" title=${u.unit_id === null ? "" : unitName[u.unit_id] || ""}>${u.unit_id === null ? "" : unitName[u.unit_id] || ""}</td>
        <td>${u.roles.map((r) => WORDS.role[r]).join("、")}</td><td data-field="scope">${scopeCell(u)}</td>
        <td>${u.employee_no || ""}</td><td>${u.is_leader ? "是" : ""}</td><td data-field="active">${u.active ? "启用" : "停用"}</td>
        <td data-field="security">${[u.totp_enabled && "双因素", u.password_change_required && "待改密"].filter(Boolean).join("、")}</td>
        <td class="row-actions">${
          u.id !== me.id &&
          html`${
            can("admin", "hr", "sysadmin") &&
            html`<button class="link" data-action="edit" onClick=${() => edit(u)}>修改</button>
          <button class="link" data-action="active" onClick=${() => toggleActive(u)}>${u.active ? "停用" : "启用"}</button>`
          }
          ${can("admin", "hr", "secadmin") && html`<button class="link" data-action="reset" onClick=${() => resetPassword(u)}>重置密码</button>`}
          ${can("admin", "secadmin") && html`<button class="link" data-action="unlock" onClick=${() => unlock(u)}>解锁</button>`}
          ${can("admin", "secadmin") && u.totp_enabled && html`<button class="link" data-action="reset-totp" onClick=${() => resetTotp(u)}>重置双因素</button>`}`
        }</td></tr>`,
      )}</tbody></table>
      ${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}

/** The day after `day` (YYYY-MM-DD), for a range that ends with the whole of `day`. */
function dayAfter(day) {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** 审计日志: in Chinese, filtered by action, person and days (Beijing time), paged, and
 *  downloadable as it is filtered. @param {{ query: URLSearchParams }} props */
export function AuditLog({ query }) {
  const [filters, setFilters] = useQueryState(query, {
    action: "",
    actor: "",
    from: "",
    to: "",
    page: "1",
    per_page: "50",
  });
  const [typed, setTyped] = useTypedFilter(filters.actor, (actor) => setFilters({ actor }));
  const api = new URLSearchParams(
    Object.entries({
      action: filters.action,
      actor: filters.actor,
      since: filters.from && `${filters.from}T00:00:00+08:00`,
      until: filters.to && `${dayAfter(filters.to)}T00:00:00+08:00`,
    }).filter(([, v]) => v),
  ).toString();
  const [page, error] = useLoad(
    () => getAs("Page_AuditEntry", `/audit-log?${api}&page=${filters.page}&per_page=${filters.per_page}`),
    [api, filters.page, filters.per_page],
  );
  return html`<section>
    <div class="toolbar">
      <label class="inline">操作<select id="audit-action" value=${filters.action} onChange=${(e) => setFilters({ action: e.target.value })}>
        <${Options} map=${WORDS.audit_action} empty="全部" /></select></label>
      <label class="inline">操作人<input id="audit-actor" value=${typed} placeholder="用户名" onInput=${(e) => setTyped(e.target.value)} /></label>
      <label class="inline">从<input type="date" id="audit-from" value=${filters.from} onChange=${(e) => setFilters({ from: e.target.value })} /></label>
      <label class="inline">到<input type="date" id="audit-to" value=${filters.to} onChange=${(e) => setFilters({ to: e.target.value })} /></label>
      <button id="audit-xlsx" onClick=${() => download(`/audit-log/export?format=xlsx&${api}`)}>下载 Excel</button>
      <button class="secondary" onClick=${() => download(`/audit-log/export?format=csv&${api}`)}>下载 CSV</button>
    </div>
    <${ErrorBanner} error=${error} />
    ${!page && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      page &&
      html`<div class="scroll" tabindex="0"><table id="audit"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>说明</th></tr></thead>
      <tbody>${page.items.map(
        (
          e,
        ) => html`<tr data-action=${e.action}><td>${dateTime(e.at)}</td><td>${e.actor}</td><td class="action">${WORDS.audit_action[e.action] || e.action}</td>
        <td>${WORDS.audit_entity[e.entity] || e.entity}${e.entity_id ? ` #${e.entity_id}` : ""}</td><td class="clip" title=${e.summary}>${e.summary}</td></tr>`,
      )}</tbody></table>
      ${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}

const DELIVERY = { pending: "待投递", delivered: "已投递", failed: "已放弃" };

/** How notices have gone to the SMS/WeCom/DingTalk gateway.
 *  @param {{ query: URLSearchParams }} props */
export function Deliveries({ query }) {
  const [filters, setFilters] = useQueryState(query, { status: "", page: "1", per_page: "50" });
  const list = queryOf(filters);
  const [page, error] = useLoad(() => getAs("Page_DeliveryView", `/notices/deliveries?${list}`), [list]);
  return html`<section>
    <div class="toolbar"><label class="inline">状态<select value=${filters.status} onChange=${(e) => setFilters({ status: e.target.value })}><${Options} map=${DELIVERY} empty="全部" /></select></label></div>
    <${ErrorBanner} error=${error} />
    ${!page && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      page &&
      html`<p class="muted">未配置网关（XUEFA_NOTIFY_WEBHOOK）时通知只在应用内显示，此处为空。</p>
      <div class="scroll" tabindex="0"><table id="deliveries"><thead><tr><th>时间</th><th>通知</th><th>状态</th><th>次数</th><th>下次尝试</th><th>最近错误</th></tr></thead>
      <tbody>${page.items.map(
        (
          d,
        ) => html`<tr><td>${dateTime(d.created_at)}</td><td class="clip" title=${d.title || ""}>${d.title || ""}</td><td>${DELIVERY[d.status]}</td>
        <td>${d.attempts}</td><td>${d.status === "pending" ? dateTime(d.next_attempt_at) : "—"}</td><td class="clip" title=${d.last_error || ""}>${d.last_error || ""}</td></tr>`,
      )}</tbody></table>${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}
