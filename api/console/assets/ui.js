// Shared pieces: the Preact + htm binding, Chinese names, error display, forms, charts.
import {
  html,
  render,
  useEffect,
  useState,
  useCallback,
  useRef,
} from "/vendor/htm-preact-standalone.module.js";
import { ApiError } from "./api.js";

export { html, render, useEffect, useState, useCallback, useRef };

export const ROLE = { admin: "系统管理员", hr: "组织人事", judicial: "司法所", cadre: "干部职工" };
export const UNIT_KIND = {
  street: "街道", department: "科室/部门", community: "社区", village: "村",
  school: "学校", enterprise: "企业", other: "其他",
};
export const TARGET = { participation: "参与率", study: "学习率", exam: "考试率", pass: "合格率" };
export const MISSING = { participation: "未参与", study: "学习未完成", exam: "未参加考试", pass: "未合格" };
export const KIND = { publicity: "普法宣传", training: "法治培训" };
export const VENUE = {
  organ: "进机关", village: "进乡村", community: "进社区", school: "进学校",
  enterprise: "进企业", unit: "进单位",
};
export const THEME = {
  constitution_day: "12·4国家宪法日", civil_code: "民法典",
  national_security_day: "4·15全民国家安全教育日", anti_drug_day: "6·26国际禁毒日",
  safety_month: "安全生产月", fire_safety: "119消防", stability_month: "综治维稳宣传月",
  other: "其他",
};
export const AUDIENCE = {
  public: "群众", cadres: "干部", students: "学生", enforcement_staff: "执法人员",
  mediators: "人民调解员", legal_workers: "法律工作者",
};
export const LEVEL = { street: "街道", community: "村居社区", other: "其他" };
export const GRADE = { excellent: "优秀", good: "良好", pass: "合格", fail: "不合格" };
export const QUESTION_KIND = { single: "单选", multiple: "多选", judge: "判断" };
const FIELD = {
  username: "用户名", password: "密码", name: "名称", title: "标题", held_on: "日期",
  organizer_unit_id: "组织单位", attendance: "人次", materials: "宣传品份数", kind: "类别",
  venue: "六进", themes: "主题", audience: "对象", notes: "备注", exempt_reason: "免考原因",
  year: "年度", required_minutes: "应学分钟", pass_score: "合格分", stem: "题干",
  options: "选项", answer: "答案", points: "分值", file: "文件",
  committee_unit_id: "调委会", unit_id: "单位", received_on: "日期", closed_on: "结案日期",
  category: "纠纷类型", result: "调解结果", amount: "涉及金额", count: "数量", topic: "咨询事项",
  issues_found: "排查纠纷", issues_resolved: "化解", cases: "案件", visitors: "来访人次",
  field: "领域", entities_checked: "检查家次", hazards_found: "发现隐患", hazards_fixed: "整改隐患",
  penalties: "处罚单位", fines: "罚款",
};
export const RECORD_LEVEL = { street: "街道", community: "社区", village: "村居", other: "其他" };
export const MEDIATION_CATEGORY = {
  family: "婚姻家庭", neighbour: "邻里", property: "物业", labour: "劳动", contract: "合同", land: "土地", other: "其他",
};
export const MEDIATION_RESULT = { settled: "调解成功", unsettled: "调解不成功", pending: "调解中" };
export const LEGAL_SERVICE = { lawyer_duty: "律师值班", consultation: "法律咨询", legal_aid: "法律援助" };
export const LEGAL_TOPIC = { marriage_family: "婚姻家庭", inheritance: "遗产继承", contract: "合同履行", labour: "劳动争议", other: "其他" };
export const INSPECTION_FIELD = { safety: "安全生产", city: "城市管理", other: "其他" };

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
    ${lines.length > 0 &&
    html`<ul class="line-errors">
      ${lines.map((e) => html`<li>第 ${e.line} 行 ${FIELD[e.field] || e.field}：${e.message}</li>`)}
    </ul>`}
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

/** Loads `load()` and re-loads when `deps` change: [data, error, reload]. */
export function useLoad(load, deps) {
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
