// @ts-check
// 系统管理员: accounts, the audit log and the notices' delivery log.
import { html, useState, useEffect, useLoad, ErrorBanner, WORDS, Options, dateTime } from "./ui.js";
import { all, get, getAs, patch } from "./api.js";

/** @typedef {import("./api.js").Schemas} Schemas */

/** @param {{ me: Schemas["MeView"] }} props */
export function Users({ me }) {
  // The search asks the server once typing pauses: every list read of people is audited,
  // and one search should be one entry, not one per keystroke.
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const pause = setTimeout(() => setQ(typed.trim()), 400);
    return () => clearTimeout(pause);
  }, [typed]);
  const [role, setRole] = useState("");
  const query = new URLSearchParams(Object.entries({ q, role }).filter(([, v]) => v)).toString();
  const [page, error, reload] = useLoad(() => getAs("Page_UserView", `/users?${query}&per_page=200`), [query]);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [saved, setSaved] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const unitName = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  /** 管理范围 of a manager account: its unit's name, or 全部 for the whole installation. */
  const scopeOf = (u) => (u.scope_unit_id === null ? "全部" : unitName[u.scope_unit_id] || `#${u.scope_unit_id}`);
  const setScope = async (u, value) => {
    setSaved(null);
    setSaveError(null);
    try {
      await patch(`/users/${u.id}`, { scope_unit_id: value === "" ? null : Number(value) });
      setSaved(`已将 ${u.name} 的管理范围设为“${value === "" ? "全部" : unitName[Number(value)]}”。`);
      reload();
    } catch (err) {
      setSaveError(err);
    }
  };
  /** A manager account's scope, as a picker of the caller's own units (全部 only for an
   *  unscoped caller); the caller's own and a plain cadre's are shown, not changed. */
  const scopeCell = (u) => {
    if (u.roles.every((r) => r === "cadre")) return "";
    if (u.id === me.id) return scopeOf(u);
    return html`<select aria-label=${`${u.name}的管理范围`} value=${u.scope_unit_id === null ? "" : String(u.scope_unit_id)} onChange=${(e) => setScope(u, e.target.value)}>
      ${(!me.scope || u.scope_unit_id === null) && html`<option value="" disabled=${!!me.scope}>全部</option>`}
      ${(units || []).map((unit) => html`<option value=${unit.id}>${unit.name}</option>`)}
    </select>`;
  };
  return html`<section>
    <div class="toolbar">
      <label class="inline">姓名/用户名/工号<input id="user-search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></label>
      <label class="inline">角色<select value=${role} onChange=${(e) => setRole(e.target.value)}><${Options} map=${WORDS.role} empty="全部" /></select></label>
    </div>
    <${ErrorBanner} error=${error || saveError} />
    ${saved && html`<p class="ok" id="scope-saved">${saved}</p>`}
    ${
      page &&
      html`<p class="muted">共 ${page.total} 个账号。管理范围决定组织人事、司法所和管理员账号能看到和办理哪些单位的数据。</p>
      <div class="scroll"><table id="users"><thead><tr><th>用户名</th><th>姓名</th><th>单位</th><th>角色</th><th>管理范围</th><th>工号</th><th>领导干部</th><th>状态</th></tr></thead>
      <tbody>${page.items.map(
        (
          u,
        ) => html`<tr data-user=${u.id}><td>${u.username}</td><td>${u.name}</td><td>${u.unit_id === null ? "" : unitName[u.unit_id] || ""}</td>
        <td>${u.roles.map((r) => WORDS.role[r]).join("、")}</td><td data-field="scope">${scopeCell(u)}</td>
        <td>${u.employee_no || ""}</td><td>${u.is_leader ? "是" : ""}</td><td>${u.active ? "启用" : "停用"}</td></tr>`,
      )}</tbody></table></div>`
    }
  </section>`;
}

export function AuditLog() {
  const [action, setAction] = useState("");
  const [page, error] = useLoad(
    () => getAs("Page_AuditEntry", `/audit-log?per_page=200${action ? `&action=${encodeURIComponent(action)}` : ""}`),
    [action],
  );
  return html`<section>
    <div class="toolbar"><label class="inline">操作<input value=${action} placeholder="create、update、import、login_failed…" onInput=${(e) => setAction(e.target.value)} /></label></div>
    <${ErrorBanner} error=${error} />
    ${
      page &&
      html`<table id="audit"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>说明</th></tr></thead>
      <tbody>${page.items.map(
        (e) => html`<tr><td>${dateTime(e.at)}</td><td>${e.actor}</td><td>${e.action}</td>
        <td>${e.entity}${e.entity_id ? ` #${e.entity_id}` : ""}</td><td>${e.summary}</td></tr>`,
      )}</tbody></table>`
    }
  </section>`;
}

const DELIVERY = { pending: "待投递", delivered: "已投递", failed: "已放弃" };

/** How notices have gone to the SMS/WeCom/DingTalk gateway. */
export function Deliveries() {
  const [status, setStatus] = useState("");
  const [page, error] = useLoad(
    () => getAs("Page_DeliveryView", `/notices/deliveries?per_page=200${status ? `&status=${status}` : ""}`),
    [status],
  );
  return html`<section>
    <div class="toolbar"><label class="inline">状态<select value=${status} onChange=${(e) => setStatus(e.target.value)}><${Options} map=${DELIVERY} empty="全部" /></select></label></div>
    <${ErrorBanner} error=${error} />
    ${
      page &&
      html`<p class="muted">共 ${page.total} 条。未配置网关（XUEFA_NOTIFY_WEBHOOK）时通知只在应用内显示，此处为空。</p>
      <table id="deliveries"><thead><tr><th>时间</th><th>通知</th><th>状态</th><th>次数</th><th>下次尝试</th><th>最近错误</th></tr></thead>
      <tbody>${page.items.map(
        (d) => html`<tr><td>${dateTime(d.created_at)}</td><td>${d.title || ""}</td><td>${DELIVERY[d.status]}</td>
        <td>${d.attempts}</td><td>${d.status === "pending" ? dateTime(d.next_attempt_at) : "—"}</td><td>${d.last_error || ""}</td></tr>`,
      )}</tbody></table>`
    }
  </section>`;
}
