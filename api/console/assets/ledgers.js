// @ts-check
// 司法所's other ledgers (工作台账): mediation, legal services, dispute screenings,
// petitions and enforcement inspections. One page, a tab per ledger; each ledger is
// described once below (its fields and list columns) and the list, the form and the CSV
// import are the same for all five.
import { html, useState, useLoad, ErrorBanner, Field, fieldErrors, missingFields, Options, WORDS } from "./ui.js";
import { get, post, patch, del, all, upload, money } from "./api.js";

const unit = (name, label) => ({ name, label, type: "unit" });
const date = (name, label, optional) => ({ name, label, type: "date", optional });
const count = (name, label, min = 0) => ({ name, label, type: "count", min });
const choice = (name, label, map, optional) => ({ name, label, type: "choice", map, optional });
const yuan = (name, label) => ({ name, label, type: "money" });
const notes = { name: "notes", label: "备注", type: "text" };

export const LEDGERS = {
  "mediation-cases": {
    title: "人民调解",
    noun: "调解案件",
    date: "received_on",
    fields: [
      unit("committee_unit_id", "调委会所在单位"),
      date("received_on", "受理日期"),
      date("closed_on", "结案日期", true),
      choice("category", "纠纷类型", WORDS.mediation_category),
      choice("result", "调解结果", WORDS.mediation_result),
      yuan("amount", "涉及金额（元）"),
      notes,
    ],
    columns: "调委会（单位名称）、受理日期、结案日期、类别、结果、涉及金额、备注",
  },
  "legal-services": {
    title: "公共法律服务",
    noun: "服务记录",
    date: "held_on",
    fields: [
      choice("kind", "服务类型", WORDS.legal_service_kind),
      unit("unit_id", "单位"),
      date("held_on", "日期"),
      count("count", "数量（次/件）", 1),
      choice("topic", "咨询事项", WORDS.legal_topic, true),
      notes,
    ],
    columns: "服务类型、单位、日期、次数、咨询事项、备注",
  },
  screenings: {
    title: "矛盾纠纷排查",
    noun: "排查记录",
    date: "held_on",
    fields: [
      unit("unit_id", "单位"),
      date("held_on", "排查日期"),
      count("issues_found", "排查出纠纷（件）"),
      count("issues_resolved", "化解（件）"),
      notes,
    ],
    columns: "单位、日期、排查纠纷数、化解数、备注",
  },
  petitions: {
    title: "信访",
    noun: "信访记录",
    date: "received_on",
    fields: [
      unit("unit_id", "单位"),
      date("received_on", "日期"),
      count("cases", "信访案件（件）"),
      count("visitors", "来访群众（人次）"),
      notes,
    ],
    columns: "单位、日期、案件数、来访人次、备注",
  },
  inspections: {
    title: "行政执法检查",
    noun: "检查记录",
    date: "held_on",
    fields: [
      unit("unit_id", "执法单位"),
      date("held_on", "检查日期"),
      choice("field", "领域", WORDS.inspection_field),
      count("entities_checked", "检查（家次）"),
      count("hazards_found", "发现隐患（处）"),
      count("hazards_fixed", "整改隐患（处）"),
      count("penalties", "处罚（家）"),
      yuan("fines", "罚款（元）"),
      notes,
    ],
    columns: "单位、日期、领域、检查家次、发现隐患、整改隐患、处罚单位数、罚款金额、备注",
  },
};

/** A stored value as the form edits it. */
function formValue(field, value) {
  if (value === null || value === undefined) return "";
  return String(value);
}

/** The form's text as the API reads it; a PATCH sends `null` to clear an optional field. */
function apiValue(field, text) {
  if (field.type === "money") return money(text === "" ? "0" : text);
  if (field.type === "count" || field.type === "unit") return text === "" ? null : Number(text);
  if (field.optional && text === "") return null;
  return text;
}

function blank(ledger) {
  return Object.fromEntries(
    ledger.fields.map((f) => [
      f.name,
      f.type === "choice" && !f.optional
        ? Object.keys(f.map)[0]
        : f.type === "count"
          ? String(f.min)
          : f.type === "money"
            ? "0"
            : "",
    ]),
  );
}

function LedgerForm({ kind, ledger, units, editing, onDone }) {
  const [form, setForm] = useState(
    editing ? Object.fromEntries(ledger.fields.map((f) => [f.name, formValue(f, editing[f.name])])) : blank(ledger),
  );
  const [error, setError] = useState(null);
  // Functional updates: two quick changes (a unit chosen, then a date) must not undo each other.
  const set = (k) => (e) => {
    const value = e.target.value;
    setForm((f) => ({ ...f, [k]: value }));
  };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    const body = {};
    for (const f of ledger.fields) {
      const value = apiValue(f, form[f.name]);
      if (value !== null || editing) body[f.name] = value;
    }
    const needed = ledger.fields.filter((f) => !f.optional && ["unit", "date", "count"].includes(f.type));
    const missing = missingFields(
      body,
      needed.filter((f) => f.type !== "count" || body[f.name] === null).map((f) => f.name),
    );
    if (missing) return setError(missing);
    try {
      if (editing) await patch(`/${kind}/${editing.id}`, body);
      else await post(`/${kind}`, body);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  const input = (f) => {
    const common = { name: f.name, value: form[f.name] };
    switch (f.type) {
      case "unit":
        return html`<select ...${common} onChange=${set(f.name)}><option value="">选择单位…</option>
          ${units.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select>`;
      case "choice":
        return html`<select ...${common} onChange=${set(f.name)}><${Options} map=${f.map} empty=${f.optional ? "—" : undefined} /></select>`;
      case "date":
        return html`<input ...${common} type="date" onInput=${set(f.name)} />`;
      case "count":
        return html`<input ...${common} type="number" min=${f.min} step="1" onInput=${set(f.name)} />`;
      case "money":
        return html`<input ...${common} inputmode="decimal" placeholder="0.00" onInput=${set(f.name)} />`;
      default:
        return html`<input ...${common} onInput=${set(f.name)} />`;
    }
  };
  return html`<form class="grid" onSubmit=${save} id="ledger-form">
    ${ledger.fields.map((f) => html`<${Field} label=${f.label} name=${f.name} errors=${errors}>${input(f)}</${Field}>`)}
    <${ErrorBanner} error=${error} />
    <div class="wide"><button type="submit">保存</button> <button type="button" class="secondary" onClick=${onDone}>取消</button></div>
  </form>`;
}

/** A cell of the list: choices in Chinese, units by name, amounts as sent. */
function shown(field, value, names) {
  if (value === null || value === undefined || value === "") return "—";
  if (field.type === "unit") return names[value] || value;
  if (field.type === "choice") return field.map[value] || value;
  return String(value);
}

function ImportForm({ kind, ledger, onDone }) {
  const [file, setFile] = useState(null);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      const r = await upload(`/${kind}/import`, file);
      setResult(`导入完成：新增 ${r.created} 条${ledger.noun}。`);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="toolbar" onSubmit=${submit} id="ledger-import">
    <input type="file" accept=".csv,text/csv" id="ledger-file" onChange=${(e) => setFile(e.target.files[0])} />
    <button type="submit" disabled=${!file}>导入台账</button>
    <span class="muted">CSV（UTF-8 或 GBK，Excel 另存即可），列：${ledger.columns}。有一行出错则整份不导入。</span>
    <${ErrorBanner} error=${error} />
    ${result && html`<p class="ok" role="status">${result}</p>`}
  </form>`;
}

const PER_PAGE = 50;

export function Ledgers({ me, query }) {
  const kind = LEDGERS[query.get("kind")] ? query.get("kind") : "mediation-cases";
  const ledger = LEDGERS[kind];
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [unitId, setUnitId] = useState("");
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState(undefined);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const filter = new URLSearchParams({
    ...(year && { year }),
    ...(unitId && { unit_id: unitId }),
    page: String(page),
    per_page: String(PER_PAGE),
  });
  const [list, error, reload] = useLoad(() => get(`/${kind}?${filter}`), [kind, filter.toString()]);
  const writer = me.roles.includes("judicial") || me.roles.includes("admin");
  const names = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const remove = async (r) => {
    if (!confirm(`删除这条${ledger.noun}（${r[ledger.date]}）？`)) return;
    await del(`/${kind}/${r.id}`);
    reload();
  };
  const pages = list ? Math.max(1, Math.ceil(list.total / PER_PAGE)) : 1;
  return html`<section class="ledgers">
    <div class="tabs">${Object.entries(LEDGERS).map(
      ([k, l]) =>
        html`<a href=${`#/judicial/ledgers?kind=${k}`} class=${k === kind ? "tab active" : "tab"} onClick=${() => {
          setEditing(undefined);
          setPage(1);
        }}>${l.title}</a>`,
    )}</div>
    <div class="toolbar filters">
      <label class="inline">年度<input type="number" value=${year} onInput=${(e) => {
        setYear(e.target.value);
        setPage(1);
      }} /></label>
      <label class="inline">单位（含下级）<select value=${unitId} onChange=${(e) => {
        setUnitId(e.target.value);
        setPage(1);
      }}>
        <option value="">全部</option>${(units || []).map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
      ${writer && html`<button id="new-record" onClick=${() => setEditing(null)}>新增${ledger.noun}</button>`}
    </div>
    ${writer && html`<${ImportForm} kind=${kind} ledger=${ledger} onDone=${reload} key=${kind} />`}
    ${
      editing !== undefined &&
      units &&
      html`<${LedgerForm} key=${`${kind}-${editing ? editing.id : "new"}`} kind=${kind} ledger=${ledger}
      units=${units} editing=${editing} onDone=${() => {
        setEditing(undefined);
        reload();
      }} />`
    }
    <${ErrorBanner} error=${error} />
    ${
      list &&
      html`<p class="muted">共 ${list.total} 条${ledger.noun}。</p>
      <div class="scroll"><table id="ledger"><thead><tr>
        ${ledger.fields.map((f) => html`<th>${f.label}</th>`)}<th>层级</th><th></th></tr></thead>
      <tbody>${list.items.map(
        (r) => html`<tr>
        ${ledger.fields.map((f) => html`<td data-field=${f.name}>${shown(f, r[f.name], names)}</td>`)}
        <td>${WORDS.level[r.level]}</td>
        <td>${writer && html`<button class="link" onClick=${() => setEditing(r)}>修改</button> <button class="link" onClick=${() => remove(r)}>删除</button>`}</td>
      </tr>`,
      )}</tbody></table></div>
      ${
        pages > 1 &&
        html`<div class="toolbar">
        <button class="secondary" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>上一页</button>
        <span>第 ${page} / ${pages} 页</span>
        <button class="secondary" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>下一页</button></div>`
      }`
    }
  </section>`;
}
