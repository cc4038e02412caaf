// @ts-check
// Shared pieces: the Preact + htm binding, Chinese names, error display, forms, charts.
import { html, render, useEffect, useState, useCallback, useRef } from "/vendor/htm-preact-standalone.module.js";
import { ApiError } from "./api.js";

export { html, render, useEffect, useState, useCallback, useRef };

/** @typedef {import("./api.js").Schemas} Schemas */
/** Each vocabulary's names by key.
 *  @typedef {{ [V in keyof Schemas["Vocabularies"]]: Record<string, string> }} Words */

/** The Chinese name of every value the API speaks, by vocabulary and key, from
 *  `GET /api/v1/vocabularies`: `WORDS.grade.pass === "合格"`. Loaded before any page
 *  module runs (they import this one), so pages read it as plain objects. */
export const WORDS = await loadWords();

/** @returns {Promise<Words>} */
async function loadWords() {
  try {
    const response = await fetch("/api/v1/vocabularies");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    /** @type {Schemas["Vocabularies"]} */
    const vocabularies = await response.json();
    return /** @type {Words} */ (
      Object.fromEntries(
        Object.entries(vocabularies).map(([name, terms]) => [
          name,
          Object.fromEntries(terms.map((t) => [t.key, t.name])),
        ]),
      )
    );
  } catch (error) {
    const app = document.getElementById("app");
    if (app) app.innerHTML = '<p class="error" role="alert">无法连接学法服务器，请稍后刷新页面。</p>';
    throw error;
  }
}

/** 法律"六进" as a form or a table says it: 进机关. */
export const VENUE = Object.fromEntries(Object.entries(WORDS.venue).map(([k, v]) => [k, `进${v}`]));

/** A rate in [0, 1] as the 工作总结 writes it: 94.92%. */
export function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(2)}%`;
}

/** A figure as a report writes it, with thousands separators and its own decimals:
 *  379644.84 → 379,644.84; 2000 → 2,000. */
export function number(v) {
  if (v === null || v === undefined || v === "") return "—";
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const fraction = String(v).split(".")[1] || "";
  return n.toLocaleString("zh-CN", { minimumFractionDigits: fraction.length, maximumFractionDigits: fraction.length });
}

/** YYYY-MM-DD of a timestamp, in Beijing time (the office's zone). */
export function day(timestamp) {
  const t = new Date(new Date(timestamp).getTime() + 8 * 3600_000);
  return t.toISOString().slice(0, 10);
}

export function dateTime(timestamp) {
  const t = new Date(new Date(timestamp).getTime() + 8 * 3600_000);
  return t.toISOString().slice(0, 16).replace("T", " ");
}

/** @typedef {Schemas["FieldError"]} FieldError */

/** The Chinese label of a request field (`papers[0].rules[1].count` → the label of `count`). */
export function fieldLabel(field) {
  const last = (field || "").split(".").pop()?.split("[")[0] || "";
  return WORDS.field[last] || "该项";
}

/** A field error in Chinese: its code's template from the vocabulary, filled in with the
 *  field's label (the form's own `label` when given) and the error's parameters.
 *  @param {FieldError} e @param {string} [label] */
export function word(e, label) {
  const p = e.params || {};
  const name = label || fieldLabel(e.field);
  const ranged = e.code === "out_of_range" || e.code === "count_out_of_range";
  const items = e.code === "count_out_of_range" ? " 项" : "";
  const has = (/** @type {unknown} */ v) => v !== undefined && v !== null;
  if (ranged && has(p.min) && has(p.max) && p.min === p.max) return `${name}须为 ${p.min}${items}`;
  if (ranged && !has(p.max) && has(p.min)) return `${name}不能少于 ${p.min}${items}`;
  if (ranged && has(p.max) && (!has(p.min) || (items && p.min === 0))) return `${name}不能多于 ${p.max}${items}`;
  const values = (p.values || []).join("、");
  const fill = {
    label: name,
    field: p.field ? fieldLabel(p.field) : "",
    min: String(p.min ?? ""),
    max: String(p.max ?? ""),
    values,
    what: (p.what && WORDS.field_error_thing[p.what]) || "记录",
    expected: (p.expected && WORDS.field_error_format[p.expected]) || "",
    kind: (p.kind && WORDS.activity_kind[p.kind]) || "",
    from: p.from || "",
    to: p.to || "",
  };
  let template = WORDS.field_error_code[e.code] || "{label}填写有误";
  if (!values) template = template.replace("：{values}", "");
  return template.replace(/\{(\w+)\}/g, (_, key) => fill[key] ?? "");
}

/** Several errors of one field in one line (empty when there are none).
 *  @param {FieldError[] | undefined} errors @param {string} [label] */
export function wordAll(errors, label) {
  return (errors || []).map((e) => word(e, label)).join("；");
}

/** What a failed request means, in Chinese: never the server's English. */
export function describe(error) {
  if (!(error instanceof ApiError)) return "网络连接失败，请检查网络后重试。";
  if (error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfter || 60) / 60));
    return `尝试次数过多，请 ${minutes} 分钟后再试。`;
  }
  if (error.status === 409) return WORDS.conflict[error.code] || "与已有记录冲突。";
  if (WORDS.denial[error.code]) return WORDS.denial[error.code];
  if (error.code === "out_of_scope") return "超出您的管理范围。";
  if (error.code === "separation_of_duties") return WORDS.field_error_code.separation_of_duties;
  const words = {
    400: "请求无法识别，请刷新页面后重试。",
    401: "用户名或密码错误，或登录已过期。",
    403: "您没有执行此操作的权限。",
    404: "未找到该记录。",
    413: "文件过大。",
    415: "文件类型不支持。",
    422: "填写有误，请检查标出的项目。",
    503: "服务器暂时繁忙，请稍后再试。",
  };
  return words[error.status] || "操作失败，请稍后再试。";
}

/** The fields of `body` among `names` left empty, as the 422 the server would give for
 *  them, so that an empty form is told everything at once (a date the server cannot read
 *  would otherwise hide the other fields); null when all are filled. */
export function missingFields(body, names) {
  const empty = names.filter((n) => body[n] === "" || body[n] === null || body[n] === undefined || body[n] === 0);
  if (empty.length === 0) return null;
  const errors = empty.map((field) => ({
    field,
    code: /** @type {const} */ ("required"),
    params: {},
    message: "must not be empty",
  }));
  return new ApiError(422, { code: "invalid_field", errors });
}

/** A failed request in one line of Chinese: what it means and each field's problem. */
export function plain(error) {
  const fields = error instanceof ApiError ? error.errors.map((e) => word(e)) : [];
  return [describe(error).replace(/[。：]$/, ""), ...fields].join("：");
}

/** Field errors of a 422 by field name, for the forms (`Field` words them with its label).
 *  @returns {Record<string, FieldError[]>} */
export function fieldErrors(error) {
  /** @type {Record<string, FieldError[]>} */
  const out = {};
  if (error instanceof ApiError) {
    for (const e of error.errors) {
      const key = e.field.split(/[.[]/)[0];
      (out[key] ||= []).push(e);
    }
  }
  return out;
}

/** The banner of a failed request: what it means, and every field error in words
 *  (an import's with its line: `第 3 行 用户名：…`). */
export function ErrorBanner({ error }) {
  if (!error) return null;
  /** @type {FieldError[]} */
  const errors = error instanceof ApiError ? error.errors : [];
  return html`<div class="error" role="alert">
    <p>${describe(error)}</p>
    ${
      errors.length > 0 &&
      html`<ul class="line-errors">
      ${errors.map((e) => html`<li>${e.line ? `第 ${e.line} 行 ` : ""}${word(e)}</li>`)}
    </ul>`
    }
  </div>`;
}

export function Field({ label, name, errors, children }) {
  const message = wordAll(errors && errors[name], label);
  return html`<label class=${message ? "field invalid" : "field"}>
    <span>${label}</span>
    ${children}
    ${message && html`<em class="field-error" data-field=${name}>${message}</em>`}
  </label>`;
}

/** Loads `load()` and re-loads when `deps` change: [data, error, reload].
 *  @template T @param {() => Promise<T>} load @param {unknown[]} deps
 *  @returns {[T | null, any, () => void]} */
export function useLoad(load, deps) {
  /** @type {[{ data: T | null, error: any }, (s: { data: T | null, error: any }) => void]} */
  const [state, setState] = useState({ data: null, error: null });
  const reload = useCallback(() => {
    load().then(
      (data) => setState({ data, error: null }),
      (error) => setState({ data: null, error }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return [state.data, state.error, reload];
}

/** Horizontal bars: [{label, value, text?}] scaled to the largest (or to `max`). */
export function BarChart({ rows, max, label }) {
  const top = max || Math.max(1, ...rows.map((r) => r.value));
  const height = 26;
  return html`<svg class="chart" role="img" aria-label=${label}
      viewBox=${`0 0 600 ${rows.length * height + 4}`} preserveAspectRatio="xMinYMin meet">
    ${rows.map(
      (r, i) => html`<g transform=${`translate(0 ${i * height + 2})`}>
        <text x="0" y="17" class="chart-label">${r.label}</text>
        <rect x="170" y="4" height="16" width=${Math.max(0, (r.value / top) * 330)} class="chart-bar" />
        <text x=${178 + (r.value / top) * 330} y="17" class="chart-value">${r.text ?? r.value}</text>
      </g>`,
    )}
  </svg>`;
}

/** The units as a tree in a `<select>`: each under its parent, indented by its depth
 *  (units whose parent is not in the list — the caller's scope root — at the top). */
export function UnitOptions({ units }) {
  const ids = new Set(units.map((u) => u.id));
  /** @type {Record<string, any[]>} */
  const children = {};
  for (const u of units) (children[u.parent_id !== null && ids.has(u.parent_id) ? u.parent_id : "root"] ||= []).push(u);
  const rows = [];
  const walk = (key, depth) => {
    for (const u of children[key] || []) {
      rows.push(
        html`<option value=${String(u.id)}>${"\u3000".repeat(depth)}${depth > 0 ? "└ " : ""}${u.name}</option>`,
      );
      walk(u.id, depth + 1);
    }
  };
  walk("root", 0);
  return html`${rows}`;
}

export function Options({ map, empty }) {
  return html`${empty !== undefined && html`<option value="">${empty}</option>`}
    ${Object.entries(map).map(([k, v]) => html`<option value=${k}>${v}</option>`)}`;
}

/** A modal dialog (the browser's own `<dialog>`: focus kept inside, Esc closes), open
 *  while it is rendered; `onClose` runs on Esc or the close button. */
export function Dialog({ id, title, onClose, children }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return html`<dialog id=${id} ref=${ref} aria-labelledby=${`${id}-title`} onCancel=${(e) => (e.preventDefault(), onClose())}>
    <h3 id=${`${id}-title`}>${title}</h3>
    ${children}
  </dialog>`;
}

/** Asks before an action, in the page (not `confirm()`): `onYes` runs on 确定. */
export function Confirm({ id, title, text, yes = "确定", onYes, onClose }) {
  return html`<${Dialog} id=${id} title=${title} onClose=${onClose}>
    <p>${text}</p>
    <div class="actions"><button id=${`${id}-yes`} onClick=${onYes}>${yes}</button>
      <button class="secondary" onClick=${onClose}>取消</button></div>
  </${Dialog}>`;
}

/** A short success message that fades after a few seconds: [element, show(text)].
 *  @returns {[any, (text: string) => void]} */
export function useToast() {
  const [text, setText] = useState("");
  useEffect(() => {
    if (!text) return;
    const gone = setTimeout(() => setText(""), 4000);
    return () => clearTimeout(gone);
  }, [text]);
  return [text && html`<p class="toast" role="status" id="toast">${text}</p>`, setText];
}

/** The page's filters kept in the address (`#/admin/users?q=张&page=2`), so a reload or
 *  the back button keeps them: [values, set(changes)]. Any change but the page's own
 *  returns to page 1. @param {URLSearchParams} query @param {Record<string, string>} defaults
 *  @returns {[Record<string, string>, (changes: Record<string, string>) => void]} */
export function useQueryState(query, defaults) {
  /** @type {Record<string, string>} */
  const values = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, query.get(k) ?? v]));
  /** @param {Record<string, string>} changes */
  const set = (changes) => {
    const next = { ...values, ...(changes.page ? {} : { page: "1" }), ...changes };
    const kept = Object.entries(next).filter(([k, v]) => v !== "" && v !== defaults[k]);
    const base = location.hash.split("?")[0];
    location.hash = kept.length ? `${base}?${new URLSearchParams(kept)}` : base;
  };
  return [values, set];
}

/** A search box bound to one filter of the address: what is typed reaches the filter
 *  (and the server) once typing pauses for 400 ms — every list read of people is audited,
 *  and one search should be one entry, not one per keystroke — and a filter changed by
 *  the address (Back, a link) shows in the box. [typed, setTyped].
 *  @param {string} value @param {(v: string) => void} apply @returns {[string, (v: string) => void]} */
export function useTypedFilter(value, apply) {
  const [typed, setTyped] = useState(value);
  useEffect(() => setTyped(value), [value]);
  useEffect(() => {
    const pause = setTimeout(() => typed.trim() !== value && apply(typed.trim()), 400);
    return () => clearTimeout(pause);
  }, [typed]);
  return [typed, setTyped];
}

/** The non-empty values of `values` as a query string, leaving out the keys in `skip`
 *  (those the address holds for the page itself, such as the campaign). */
export function queryOf(values, skip = []) {
  return new URLSearchParams(Object.entries(values).filter(([k, v]) => v !== "" && !skip.includes(k))).toString();
}

/** The sorting headings of a list whose order is `filters.sort` in the address:
 *  `sorter("姓名", "name")` renders one. */
export function sortHeadings(filters, setFilters) {
  return (label, by) =>
    html`<${SortHeader} label=${label} by=${by} sort=${filters.sort} onSort=${(sort) => setFilters({ sort })} />`;
}

/** A column heading that sorts the list on the server by `by` (a click sorts ascending,
 *  a second descending), with the state announced (`aria-sort`) and shown (▲/▼). */
export function SortHeader({ label, by, sort, onSort }) {
  const state = sort === by ? "ascending" : sort === `-${by}` ? "descending" : "none";
  const mark = state === "ascending" ? " ▲" : state === "descending" ? " ▼" : "";
  return html`<th aria-sort=${state}><button class="sort" data-sort=${by} onClick=${() => onSort(state === "ascending" ? `-${by}` : by)}>${label}${mark}</button></th>`;
}

/** 共 N 条 · 第 p / P 页 with 上一页 / 下一页 and the page size, from a page the API
 *  returned: the totals are the server's, never a silent cap. */
export function Pager({ page, onPage, onSize }) {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  return html`<nav class="pager" aria-label="分页">
    <span class="total">共 <strong>${page.total.toLocaleString("zh-CN")}</strong> 条</span>
    <button class="secondary" disabled=${page.page <= 1} onClick=${() => onPage(page.page - 1)}>上一页</button>
    <span class="at">第 ${page.page} / ${pages} 页</span>
    <button class="secondary next" disabled=${page.page >= pages} onClick=${() => onPage(page.page + 1)}>下一页</button>
    <label class="inline">每页<select value=${String(page.per_page)} onChange=${(e) => onSize(e.target.value)}>
      ${[20, 50, 100, 200].map((n) => html`<option value=${String(n)}>${n}</option>`)}
    </select>条</label>
  </nav>`;
}
