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

/** The form labels of request fields, for an import's line errors (`第 3 行 用户名：…`). */
const FIELD = {
  username: "用户名",
  password: "密码",
  name: "名称",
  title: "标题",
  held_on: "日期",
  organizer_unit_id: "组织单位",
  attendance: "人次",
  materials: "宣传品份数",
  kind: "类别",
  venue: "六进",
  themes: "主题",
  audience: "对象",
  notes: "备注",
  exempt_reason: "免考原因",
  year: "年度",
  required_minutes: "应学分钟",
  pass_score: "合格分",
  stem: "题干",
  options: "选项",
  answer: "答案",
  points: "分值",
  file: "文件",
  committee_unit_id: "调委会",
  unit_id: "单位",
  received_on: "日期",
  closed_on: "结案日期",
  category: "纠纷类型",
  result: "调解结果",
  amount: "涉及金额",
  count: "数量",
  topic: "咨询事项",
  issues_found: "排查纠纷",
  issues_resolved: "化解",
  cases: "案件",
  visitors: "来访人次",
  field: "领域",
  entities_checked: "检查家次",
  hazards_found: "发现隐患",
  hazards_fixed: "整改隐患",
  penalties: "处罚单位",
  fines: "罚款",
};
/** A rate in [0, 1] as the 工作总结 writes it: 94.92%. */
export function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(2)}%`;
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

/** What a failed request means, in Chinese. */
export function describe(error) {
  if (!(error instanceof ApiError)) return `网络连接失败：${error.message || error}`;
  if (error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfter || 60) / 60));
    return `尝试次数过多，请 ${minutes} 分钟后再试。`;
  }
  const words = {
    401: "用户名或密码错误，或登录已过期。",
    403: "您没有执行此操作的权限。",
    404: "未找到该记录。",
    409: "与已有记录冲突：",
    413: "文件过大。",
    415: "文件类型不支持。",
    422: "填写有误，请检查标出的项目。",
  };
  const head = words[error.status] || "操作失败：";
  return error.status === 409 || !words[error.status] ? `${head}${error.message}` : head;
}

/** Field errors of a 422 by field name (for the forms), and line errors (for imports). */
export function fieldErrors(error) {
  const out = {};
  if (error instanceof ApiError) {
    for (const e of error.errors) {
      const key = e.field.split(/[.[]/)[0];
      out[key] = out[key] ? `${out[key]}；${e.message}` : e.message;
    }
  }
  return out;
}

export function ErrorBanner({ error }) {
  if (!error) return null;
  const lines = error instanceof ApiError ? error.errors.filter((e) => e.line) : [];
  return html`<div class="error" role="alert">
    <p>${describe(error)}</p>
    ${
      lines.length > 0 &&
      html`<ul class="line-errors">
      ${lines.map((e) => html`<li>第 ${e.line} 行 ${FIELD[e.field] || e.field}：${e.message}</li>`)}
    </ul>`
    }
  </div>`;
}

export function Field({ label, name, errors, children }) {
  const message = errors && errors[name];
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

export function Options({ map, empty }) {
  return html`${empty !== undefined && html`<option value="">${empty}</option>`}
    ${Object.entries(map).map(([k, v]) => html`<option value=${k}>${v}</option>`)}`;
}
