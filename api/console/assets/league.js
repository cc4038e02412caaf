// @ts-check
// 各单位排名: the units one level below a manager's scope side by side (a district's
// streets, a street's communities): the four rates of a campaign, publicity and training
// events, mediation cases — from the annual summary's `by_unit`, sortable, each row a way
// into that unit's own figures.
import { html, useState, useLoad, ErrorBanner, WORDS, percent } from "./ui.js";
import { getAs } from "./api.js";

/** @typedef {import("./api.js").Schemas} Schemas */

/** The columns: a rate of the chosen campaign, or a count of the year. */
const COLUMNS = [
  ...Object.entries(WORDS.target).map(([key, label]) => ({ key, label, rate: true })),
  { key: "publicity_events", label: "普法宣传（次）", rate: false },
  { key: "training_events", label: "法治培训（次）", rate: false },
  { key: "mediation_cases", label: "人民调解（件）", rate: false },
];

/** @param {{ me: Schemas["MeView"], query: URLSearchParams }} props */
export function League({ me, query }) {
  const year = Number(query.get("year")) || new Date().getFullYear();
  const unit = query.get("unit") || "";
  const [report, error] = useLoad(
    () => getAs("AnnualReport", `/reports/annual/${year}${unit ? `?unit_id=${unit}` : ""}`),
    [year, unit],
  );
  const [chosen, setChosen] = useState("");
  const [sort, setSort] = useState({ key: "study", desc: true });
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!report) return html`<p class="loading">正在统计…</p>`;
  const campaign = chosen || (report.campaigns[0] ? String(report.campaigns[0].campaign_id) : "");
  /** The row's value under a column: a rate of the chosen campaign, or a count. */
  const value = (row, key) => {
    const c = row.campaigns.find((c) => String(c.campaign_id) === campaign);
    if (COLUMNS.find((col) => col.key === key)?.rate) return c ? c[key].rate : null;
    if (key === "roster") return c ? c.roster : 0;
    return row[key];
  };
  const rows = [...report.by_unit].sort((a, b) => {
    const [x, y] = [value(a, sort.key) ?? -1, value(b, sort.key) ?? -1];
    return (sort.desc ? y - x : x - y) || a.name.localeCompare(b.name, "zh");
  });
  const head = (key, label) => {
    const active = sort.key === key;
    return html`<th aria-sort=${active ? (sort.desc ? "descending" : "ascending") : "none"}>
      <button class="link" data-sort=${key} onClick=${() => setSort({ key, desc: active ? !sort.desc : true })}>
        ${label}${active ? (sort.desc ? " ↓" : " ↑") : ""}
      </button>
    </th>`;
  };
  const here = report.unit ? report.unit.name : "全部单位";
  const link = (params) => `#/league?${new URLSearchParams({ year: String(year), ...params })}`;
  const manages = me.roles.includes("hr") || me.roles.includes("admin");
  return html`<section class="league">
    <div class="toolbar">
      <label class="inline">年度<input type="number" value=${year} onChange=${(e) => (location.hash = link({ ...(unit ? { unit } : {}), year: e.target.value }))} /></label>
      ${
        report.campaigns.length > 0 &&
        html`<label class="inline">学法活动
          <select id="league-campaign" value=${campaign} onChange=${(e) => setChosen(e.target.value)}>
            ${report.campaigns.map((c) => html`<option value=${c.campaign_id}>${c.title}</option>`)}
          </select>
        </label>`
      }
      <nav class="trail">${unit ? html`<a href=${link({})}>返回</a> › ` : ""}<strong id="league-unit">${here}</strong></nav>
    </div>
    ${
      rows.length === 0
        ? html`<p class="muted">${here}下没有下级单位。</p>`
        : html`<div class="scroll" tabindex="0"><table class="units" id="league">
          <thead><tr><th>单位</th>${head("roster", "应参加")}${COLUMNS.map((c) => head(c.key, c.label))}</tr></thead>
          <tbody>${rows.map(
            (row) => html`<tr data-unit=${row.unit_id}>
              <td><a href=${link({ unit: String(row.unit_id) })}>${row.name}</a>
                ${manages && campaign && html` <a class="muted" href=${`#/hr/targets?campaign=${campaign}&unit=${row.unit_id}`}>名单</a>`}</td>
              <td data-field="roster">${value(row, "roster")}</td>
              ${COLUMNS.map(
                (c) => html`<td data-field=${c.key}>${c.rate ? percent(value(row, c.key)) : value(row, c.key)}</td>`,
              )}
            </tr>`,
          )}</tbody>
        </table></div>`
    }
  </section>`;
}
