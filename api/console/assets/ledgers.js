// @ts-check
// 司法所's other ledgers (工作台账): mediation, legal services, dispute screenings,
// petitions and enforcement inspections. One page, a tab per ledger; each ledger is
// described once below (its fields and list columns) and the list, the form and the CSV
// import are the same for all five.
import {
  html,
  useState,
  useLoad,
  useQueryState,
  useToast,
  ErrorBanner,
  Field,
  fieldErrors,
  missingFields,
  Options,
  Dialog,
  Confirm,
  Pager,
  number,
  queryOf,
  WORDS,
  UnitOptions,
} from "./ui.js";
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

function LedgerForm({ kind, ledger, units, editing, onDone, onCancel }) {
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
          <${UnitOptions} units=${units || []} /></select>`;
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
    <div class="wide"><button type="submit">保存</button> <button type="button" class="secondary" onClick=${onCancel}>取消</button></div>
  </form>`;
}

/** A cell of the list: choices in Chinese, units by name, amounts as sent. */
function shown(field, value, names) {
  if (value === null || value === undefined || value === "") return "—";
  if (field.type === "unit") return names[value] || value;
  if (field.type === "choice") return field.map[value] || value;
  if (field.type === "count" || field.type === "money") return number(value);
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

export function Ledgers({ me, query }) {
  const kind = LEDGERS[query.get("kind")] ? query.get("kind") : "mediation-cases";
  const ledger = LEDGERS[kind];
  const [filters, setFilters] = useQueryState(query, {
    kind: "mediation-cases",
    year: String(new Date().getFullYear()),
    unit_id: "",
    page: "1",
    per_page: "50",
  });
  const [editing, setEditing] = useState(undefined);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [toast, showToast] = useToast();
  /** @type {[any, (d: any) => void]} */
  const [asking, setAsking] = useState(null);
  const [failure, setFailure] = useState(null);
  const filter = queryOf(filters, ["kind"]);
  const [list, error, reload] = useLoad(() => get(`/${kind}?${filter}`), [kind, filter]);
  const writer = me.roles.includes("judicial") || me.roles.includes("admin");
  const names = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const remove = (r) =>
    setAsking(
      html`<${Confirm} id="confirm-delete" title=${`删除${ledger.noun}`} text=${`删除这条${ledger.noun}（${r[ledger.date]}）？删除后不再计入统计和年度总结。`}
        yes="删除" onClose=${() => setAsking(null)}
        onYes=${async () => {
          setAsking(null);
          setFailure(null);
          try {
            await del(`/${kind}/${r.id}`);
            showToast(`已删除${ledger.noun}。`);
            reload();
          } catch (err) {
            setFailure(err);
          }
        }} />`,
    );
  return html`<section class="ledgers">
    <div class="tabs">${Object.entries(LEDGERS).map(
      ([k, l]) =>
        html`<a href=${`#/judicial/ledgers?kind=${k}`} class=${k === kind ? "tab active" : "tab"} onClick=${() => setEditing(undefined)}>${l.title}</a>`,
    )}</div>
    <div class="toolbar filters">
      <label class="inline">年度<input type="number" value=${filters.year} onChange=${(e) => setFilters({ kind, year: e.target.value })} /></label>
      <label class="inline">单位（含下级）<select value=${filters.unit_id} onChange=${(e) => setFilters({ kind, unit_id: e.target.value })}>
        <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
      ${writer && html`<button id="new-record" onClick=${() => setEditing(null)}>新增${ledger.noun}</button>`}
    </div>
    ${writer && html`<${ImportForm} kind=${kind} ledger=${ledger} onDone=${reload} key=${kind} />`}
    ${
      editing !== undefined &&
      units &&
      html`<${Dialog} id="ledger-dialog" title=${editing ? `修改${ledger.noun}` : `新增${ledger.noun}`} onClose=${() => setEditing(undefined)}>
        <${LedgerForm} key=${`${kind}-${editing ? editing.id : "new"}`} kind=${kind} ledger=${ledger}
        units=${units} editing=${editing} onCancel=${() => setEditing(undefined)} onDone=${() => {
          showToast(editing ? `已保存${ledger.noun}。` : `已新增${ledger.noun}。`);
          setEditing(undefined);
          reload();
        }} /></${Dialog}>`
    }
    ${toast}${asking}
    <${ErrorBanner} error=${error || failure} />
    ${!list && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      list &&
      html`<div class="scroll"><table id="ledger"><thead><tr>
        ${ledger.fields.map((f) => html`<th>${f.label}</th>`)}<th>层级</th><th>操作</th></tr></thead>
      <tbody>${list.items.map(
        (r) => html`<tr>
        ${ledger.fields.map((f) => html`<td data-field=${f.name} class=${f.type === "count" || f.type === "money" ? "num" : ""}>${shown(f, r[f.name], names)}</td>`)}
        <td>${WORDS.level[r.level]}</td>
        <td class="row-actions">${writer && html`<button class="link" onClick=${() => setEditing(r)}>修改</button><button class="link" onClick=${() => remove(r)}>删除</button>`}</td>
      </tr>`,
      )}</tbody></table>${list.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${list} onPage=${(n) => setFilters({ kind, page: String(n) })} onSize=${(n) => setFilters({ kind, per_page: n })} />`
    }
  </section>`;
}
