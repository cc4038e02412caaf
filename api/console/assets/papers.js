// @ts-check
// 组卷 by rank: HR composes a paper for leading cadres and one for the others, rule by
// rule, and sees at once whether the bank can fill every rule.
import { html, useLoad, ErrorBanner, Options, WORDS } from "./ui.js";
import { get } from "./api.js";

export const AUDIENCE_FOR = { leaders: "领导干部", others: "其他干部", all: "全体干部" };
const DIFFICULTY_ANY = { "": "不限", 1: "易", 2: "中", 3: "难" };

const splitTags = (text) => (text || "").split(/[;；,，、\s]+/).filter(Boolean);

/** The papers as the form edits them: tags as typed text. */
export const papersForForm = (papers) =>
  (papers || []).map((p) => ({ ...p, rules: p.rules.map((r) => ({ ...r, tags_text: (r.tags || []).join("；") })) }));

/** The papers as the API takes them. */
export const papersForApi = (papers) =>
  papers.map(({ key, name, for: audience, rules }) => ({
    key: key.trim(),
    name,
    for: audience,
    rules: rules.map(({ kind, count, points, tags_text, difficulty }) => ({
      kind,
      count: Number(count),
      points: Number(points),
      tags: splitTags(tags_text),
      ...(difficulty ? { difficulty: Number(difficulty) } : {}),
    })),
  }));

const NEW_RULE = { kind: "single", count: 10, points: 2, tags_text: "", difficulty: null };

export function PapersEditor({ papers, onChange, error }) {
  const setPaper = (i, change) => onChange(papers.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const setRule = (i, k, change) =>
    setPaper(i, { rules: papers[i].rules.map((r, j) => (j === k ? { ...r, ...change } : r)) });
  const addPaper = () => {
    const used = papers.map((p) => p.for);
    const audience = used.includes("leaders") ? "others" : "leaders";
    onChange([
      ...papers,
      { key: audience, name: `${AUDIENCE_FOR[audience]}试卷`, for: audience, rules: [{ ...NEW_RULE }] },
    ]);
  };
  return html`<fieldset class="wide" id="papers"><legend>组卷（按职级）</legend>
    <p class="muted">不设试卷时，每次考试从考试题库随机抽取“每卷题数”道题。设了试卷，则按规则逐条抽题，每题按规则的分值计分；每名干部至多适用一套试卷。</p>
    ${papers.map(
      (p, i) => html`<div class="paper" data-paper=${i}>
      <div class="toolbar">
        <label class="inline">代码 <input class="short" value=${p.key} onInput=${(e) => setPaper(i, { key: e.target.value })} /></label>
        <label class="inline">名称 <input value=${p.name} onInput=${(e) => setPaper(i, { name: e.target.value })} /></label>
        <label class="inline">适用 <select value=${p.for} onChange=${(e) => setPaper(i, { for: e.target.value })}><${Options} map=${AUDIENCE_FOR} /></select></label>
        <button type="button" class="link" onClick=${() => onChange(papers.filter((_, j) => j !== i))}>删除试卷</button>
      </div>
      <table class="rules"><thead><tr><th>题型</th><th>题数</th><th>每题分值</th><th>标签（任一）</th><th>难度</th><th></th></tr></thead>
        <tbody>${p.rules.map(
          (r, k) => html`<tr data-rule=${k}>
          <td><select value=${r.kind} onChange=${(e) => setRule(i, k, { kind: e.target.value })}><${Options} map=${WORDS.question_kind} /></select></td>
          <td><input type="number" class="short" name="count" value=${r.count} onInput=${(e) => setRule(i, k, { count: e.target.value })} /></td>
          <td><input type="number" class="short" name="points" value=${r.points} onInput=${(e) => setRule(i, k, { points: e.target.value })} /></td>
          <td><input value=${r.tags_text} placeholder="宪法；民法典" onInput=${(e) => setRule(i, k, { tags_text: e.target.value })} /></td>
          <td><select value=${r.difficulty ?? ""} onChange=${(e) => setRule(i, k, { difficulty: e.target.value || null })}><${Options} map=${DIFFICULTY_ANY} /></select></td>
          <td><button type="button" class="link" onClick=${() => setPaper(i, { rules: p.rules.filter((_, j) => j !== k) })}>删除</button></td>
        </tr>`,
        )}</tbody></table>
      <button type="button" class="secondary" onClick=${() => setPaper(i, { rules: [...p.rules, { ...NEW_RULE }] })}>添加规则</button>
      <span class="muted">本卷 ${p.rules.reduce((n, r) => n + Number(r.count || 0), 0)} 题，满分 ${p.rules.reduce((n, r) => n + Number(r.count || 0) * Number(r.points || 0), 0)} 分（按百分制折算）。</span>
    </div>`,
    )}
    ${papers.length < 3 && html`<button type="button" class="secondary" id="add-paper" onClick=${addPaper}>添加试卷</button>`}
    ${error && html`<em class="field-error" data-field="papers">${error}</em>`}
  </fieldset>`;
}

/** What each rule of the saved papers needs against what the exam bank has. */
export function PaperCheck({ campaign, tick }) {
  const [rules, error] = useLoad(() => get(`/campaigns/${campaign}/papers/check`), [campaign, tick]);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!rules || rules.length === 0) return null;
  const short = rules.filter((r) => r.available < r.needed);
  return html`<section id="paper-check">
    <h3>题库够不够</h3>
    ${
      short.length > 0
        ? html`<p class="bad" role="alert">有 ${short.length} 条规则题库不足，适用这些试卷的干部开始考试时会被拒绝。请补充考试题库或调整规则。</p>`
        : html`<p class="ok">每条规则题库都够。</p>`
    }
    <table><thead><tr><th>试卷</th><th>规则</th><th>题型</th><th>标签</th><th>难度</th><th>需要</th><th>题库现有</th></tr></thead>
      <tbody>${rules.map(
        (r) => html`<tr class=${r.available < r.needed ? "short" : ""} data-paper=${r.paper} data-rule=${r.rule}>
        <td>${r.paper}</td><td>第 ${r.rule + 1} 条</td><td>${WORDS.question_kind[r.kind]}</td><td>${r.tags.join("、") || "不限"}</td>
        <td>${DIFFICULTY_ANY[r.difficulty ?? ""]}</td><td>${r.needed}</td><td>${r.available}</td></tr>`,
      )}</tbody></table>
  </section>`;
}
