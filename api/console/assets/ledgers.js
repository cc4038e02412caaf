// @ts-check
// 司法所's ledgers (工作台账): mediation, legal services, dispute screenings, petitions and
// enforcement inspections, and the rest of the 法治政府建设 report (the 任务分解表 with its
// 自查 notes, legality reviews of major decisions, legal advisers, 述职述法 with the
// leaders still missing, the 普法责任清单). One page, a tab per ledger; each ledger is
// described once below (its fields and list columns) and the list, the form and the CSV
// import are the same for all ten.
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
const text = (name, label, optional) => ({ name, label, type: "text", optional });
const year = (name, label) => ({ name, label, type: "year" });
const flag = (name, label) => ({ name, label, type: "flag" });
const leader = (name, label) => ({ name, label, type: "leader" });
/** Who keeps a ledger (all of them read it: admin, judicial, hr). */
const JUDICIAL = ["judicial", "admin"];

/** Today in the browser's calendar, as the API writes a day. */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A task not done and past its due day. */
export function overdue(task) {
  return task.status !== "done" && task.due_on < today();
}

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
  "law-tasks": {
    title: "任务分解表",
    noun: "任务",
    law: true,
    date: "due_on",
    fields: [
      year("year", "年度"),
      text("title", "任务"),
      choice("category", "类别", WORDS.law_task_category),
      unit("unit_id", "责任单位"),
      text("lead", "牵头领导", true),
      date("due_on", "完成时限"),
      choice("status", "进度", WORDS.law_task_status),
      date("done_on", "完成日期", true),
      notes,
    ],
    columns: "年度、任务、类别、责任单位、牵头领导、完成时限、进度、完成日期、备注",
  },
  "decision-reviews": {
    title: "重大决策审查",
    noun: "决策审查记录",
    law: true,
    date: "submitted_on",
    fields: [
      text("title", "决策事项"),
      unit("unit_id", "决策单位"),
      choice("category", "类别", WORDS.decision_category),
      date("submitted_on", "提交审查日期"),
      choice("reviewer", "审查人", WORDS.reviewer, true),
      choice("result", "审查结论", WORDS.review_result, true),
      date("decided_on", "决策日期", true),
      flag("adopted", "经决策通过"),
      notes,
    ],
    columns: "决策事项、决策单位、类别、提交审查日期、审查人、审查结论、决策日期、是否通过（是/否）、备注",
  },
  "legal-advisers": {
    title: "法律顾问",
    noun: "法律顾问或公职律师",
    law: true,
    date: "since",
    fields: [
      text("name", "姓名"),
      choice("kind", "类别", WORDS.adviser_kind),
      unit("unit_id", "服务单位"),
      date("since", "聘任日期"),
      date("until", "到期日期", true),
      notes,
    ],
    columns: "姓名、类别（法律顾问或公职律师）、单位、聘任日期、到期日期、备注",
  },
  "law-reports": {
    title: "述职述法",
    noun: "述法记录",
    law: true,
    writers: ["judicial", "admin", "hr"],
    date: "held_on",
    fields: [
      year("year", "年度"),
      leader("user_id", "领导干部"),
      choice("form", "述法形式", WORDS.report_form),
      date("held_on", "述法日期"),
      choice("rating", "评议结果", WORDS.report_rating, true),
      notes,
    ],
    columns: "账号（用户名或工号）、年度、形式、述法日期、评议结果、备注",
  },
  "pufa-duties": {
    title: "普法责任清单",
    noun: "普法责任",
    law: true,
    date: "year",
    fields: [
      unit("unit_id", "责任单位"),
      year("year", "年度"),
      text("law", "法律法规"),
      text("audience", "普法对象", true),
      text("actions", "普法措施", true),
      count("cases_explained", "以案释法（件）"),
      choice("status", "落实情况", WORDS.duty_status),
      notes,
    ],
    columns: "责任单位、年度、法律法规、普法对象、普法措施、以案释法、落实情况、备注",
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
  if (["count", "unit", "year", "leader"].includes(field.type)) return text === "" ? null : Number(text);
  if (field.type === "flag") return text === "true";
  if (field.optional && text === "") return null;
  return text;
}

const BLANK = {
  count: (f) => String(f.min),
  money: () => "0",
  year: () => String(new Date().getFullYear()),
  flag: () => "false",
};

function blank(ledger, preset = {}) {
  return Object.fromEntries(
    ledger.fields.map((f) => [
      f.name,
      preset[f.name] ??
        (f.type === "choice" && !f.optional ? Object.keys(f.map)[0] : BLANK[f.type] ? BLANK[f.type](f) : ""),
    ]),
  );
}

/** The leading cadres a 述法 can be for: those still missing that year, and the one edited. */
function LeaderOptions({ year, editing }) {
  const [missing] = useLoad(
    () => (year ? get(`/law-reports/missing?year=${year}&per_page=500`) : Promise.resolve(null)),
    [year],
  );
  const people = (missing?.items || []).map((m) => [m.user_id, `${m.name}（${m.username}）`]);
  if (editing && !people.some(([id]) => id === editing.user_id)) people.unshift([editing.user_id, editing.user_name]);
  return html`<option value="">选择领导干部…</option>${people.map(([id, name]) => html`<option value=${id}>${name}</option>`)}`;
}

function LedgerForm({ kind, ledger, units, editing, preset, onDone, onCancel }) {
  const [form, setForm] = useState(
    editing
      ? Object.fromEntries(ledger.fields.map((f) => [f.name, formValue(f, editing[f.name])]))
      : blank(ledger, preset),
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
    const needed = ledger.fields.filter(
      (f) => !f.optional && ["unit", "date", "count", "year", "leader"].includes(f.type),
    );
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
      case "year":
        return html`<input ...${common} type="number" min="2000" step="1" onInput=${set(f.name)} />`;
      case "flag":
        return html`<select ...${common} onChange=${set(f.name)}><option value="false">否</option><option value="true">是</option></select>`;
      case "leader":
        return html`<select ...${common} onChange=${set(f.name)}><${LeaderOptions} year=${form.year} editing=${editing} /></select>`;
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
function shown(field, value, names, record) {
  if (value === null || value === undefined || value === "") return "—";
  if (field.type === "unit") return names[value] || value;
  if (field.type === "leader") return record.user_name;
  if (field.type === "flag") return value ? "是" : "否";
  if (field.type === "year") return String(value);
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
    <input type="file" accept=".csv,text/csv" id="ledger-file" aria-label="选择台账文件（CSV）" onChange=${(e) => setFile(e.target.files[0])} />
    <button type="submit" disabled=${!file}>导入台账</button>
    <span class="muted">CSV（UTF-8 或 GBK，Excel 另存即可），列：${ledger.columns}。有一行出错则整份不导入。</span>
    <${ErrorBanner} error=${error} />
    ${result && html`<p class="ok" role="status">${result}</p>`}
  </form>`;
}

/** A task's 自查 notes, the latest first, and a form to add one (for those who keep it). */
function TaskNotes({ task, writer, onChanged }) {
  const [notes, error, reload] = useLoad(() => get(`/law-tasks/${task.id}/notes`), [task.id]);
  const [form, setForm] = useState({ on: today(), text: "" });
  const [failure, setFailure] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setFailure(null);
    try {
      await post(`/law-tasks/${task.id}/notes`, form);
      setForm({ on: form.on, text: "" });
      reload();
      onChanged();
    } catch (err) {
      setFailure(err);
    }
  };
  const errors = fieldErrors(failure);
  return html`<div id="task-notes">
    <p>${task.title}：完成时限 ${task.due_on}，${WORDS.law_task_status[task.status]}${overdue(task) ? "（逾期）" : ""}。</p>
    <${ErrorBanner} error=${error} />
    ${notes && notes.length === 0 && html`<p class="empty">还没有自查记录。</p>`}
    ${notes && html`<ol class="notes">${notes.map((n) => html`<li><strong>${n.on}</strong> ${n.text}</li>`)}</ol>`}
    ${
      writer &&
      html`<form class="grid" onSubmit=${add} id="note-form">
      <${Field} label="自查日期" name="on" errors=${errors}><input type="date" name="on" value=${form.on} onInput=${(e) => setForm({ ...form, on: e.target.value })} /></${Field}>
      <${Field} label="自查情况" name="text" errors=${errors}><input name="text" value=${form.text} onInput=${(e) => setForm({ ...form, text: e.target.value })} /></${Field}>
      <${ErrorBanner} error=${failure} />
      <div class="wide"><button type="submit">记录自查</button></div>
    </form>`
    }
  </div>`;
}

/** The leading cadres with no 述法 for the year, each with a button to record one. */
function MissingLeaders({ year, unitId, writer, onRecord }) {
  const [missing, error] = useLoad(
    () => get(`/law-reports/missing?year=${year}&per_page=500${unitId ? `&unit_id=${unitId}` : ""}`),
    [year, unitId],
  );
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!missing) return null;
  return html`<div class="panel" id="missing-leaders">
    <h3>${year} 年度尚未述法的领导干部（${missing.total} 名）</h3>
    ${missing.total === 0 && html`<p class="ok">领导干部述法已全覆盖。</p>`}
    <ul>${missing.items.map(
      (m) =>
        html`<li>${m.name}（${m.username}）${writer && html` <button class="link" onClick=${() => onRecord(m)}>记录述法</button>`}</li>`,
    )}</ul>
  </div>`;
}

/** The tabs: the tallies, then the rest of the report. */
function Tabs({ kind, onPick }) {
  const tab = ([k, l]) =>
    html`<a href=${`#/judicial/ledgers?kind=${k}`} class=${k === kind ? "tab active" : "tab"} aria-current=${k === kind ? "page" : undefined} onClick=${onPick}>${l.title}</a>`;
  const entries = Object.entries(LEDGERS);
  return html`<div class="tabs">${entries.filter(([, l]) => !l.law).map(tab)}
    <span class="tab-group">法治政府建设</span>${entries.filter(([, l]) => l.law).map(tab)}</div>`;
}

/** A record's row: overdue tasks marked in words too, a task's 自查 button. */
function Row({ kind, ledger, r, names, writer, onEdit, onRemove, onNotes }) {
  const late = kind === "law-tasks" && overdue(r);
  return html`<tr class=${late ? "overdue" : ""}>
    ${ledger.fields.map(
      (f) =>
        html`<td data-field=${f.name} class=${f.type === "count" || f.type === "money" ? "num" : ""}>${shown(f, r[f.name], names, r)}${
          late && f.name === "due_on" ? html` <span class="badge warn">逾期</span>` : ""
        }</td>`,
    )}
    <td>${WORDS.level[r.level]}</td>
    <td class="row-actions">${kind === "law-tasks" && html`<button class="link" onClick=${() => onNotes(r)}>自查（${r.note_count}）</button>`}${
      writer &&
      html`<button class="link" onClick=${() => onEdit(r)}>修改</button><button class="link" onClick=${() => onRemove(r)}>删除</button>`
    }</td>
  </tr>`;
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
  const [preset, setPreset] = useState({});
  const [notesOf, setNotesOf] = useState(null);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [toast, showToast] = useToast();
  /** @type {[any, (d: any) => void]} */
  const [asking, setAsking] = useState(null);
  const [failure, setFailure] = useState(null);
  const filter = queryOf(filters, ["kind"]);
  const [list, error, reload] = useLoad(() => get(`/${kind}?${filter}`), [kind, filter]);
  const writer = (ledger.writers || JUDICIAL).some((r) => me.roles.includes(r));
  const names = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const create = (values = {}) => {
    setPreset({ year: filters.year, ...values });
    setEditing(null);
  };
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
    <${Tabs} kind=${kind} onPick=${() => setEditing(undefined)} />
    <div class="toolbar filters">
      <label class="inline">年度<input type="number" value=${filters.year} onChange=${(e) => setFilters({ kind, year: e.target.value })} /></label>
      <label class="inline">单位（含下级）<select value=${filters.unit_id} onChange=${(e) => setFilters({ kind, unit_id: e.target.value })}>
        <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
      ${writer && html`<button id="new-record" onClick=${() => create()}>新增${ledger.noun}</button>`}
    </div>
    ${writer && html`<${ImportForm} kind=${kind} ledger=${ledger} onDone=${reload} key=${kind} />`}
    ${
      kind === "law-reports" &&
      html`<${MissingLeaders} year=${filters.year} unitId=${filters.unit_id} writer=${writer} key=${`${filters.year}-${list?.total}`}
        onRecord=${(m) => create({ user_id: String(m.user_id) })} />`
    }
    ${
      editing !== undefined &&
      units &&
      html`<${Dialog} id="ledger-dialog" title=${editing ? `修改${ledger.noun}` : `新增${ledger.noun}`} onClose=${() => setEditing(undefined)}>
        <${LedgerForm} key=${`${kind}-${editing ? editing.id : "new"}`} kind=${kind} ledger=${ledger} preset=${preset}
        units=${units} editing=${editing} onCancel=${() => setEditing(undefined)} onDone=${() => {
          showToast(editing ? `已保存${ledger.noun}。` : `已新增${ledger.noun}。`);
          setEditing(undefined);
          reload();
        }} /></${Dialog}>`
    }
    ${
      notesOf &&
      html`<${Dialog} id="notes-dialog" title="任务自查" onClose=${() => setNotesOf(null)}>
        <${TaskNotes} task=${notesOf} writer=${writer} onChanged=${reload} /></${Dialog}>`
    }
    ${toast}${asking}
    <${ErrorBanner} error=${error || failure} />
    ${!list && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      list &&
      html`<div class="scroll" tabindex="0"><table id="ledger"><thead><tr>
        ${ledger.fields.map((f) => html`<th>${f.label}</th>`)}<th>层级</th><th>操作</th></tr></thead>
      <tbody>${list.items.map(
        (r) =>
          html`<${Row} kind=${kind} ledger=${ledger} r=${r} names=${names} writer=${writer} onEdit=${setEditing} onRemove=${remove} onNotes=${setNotesOf} />`,
      )}</tbody></table>${list.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${list} onPage=${(n) => setFilters({ kind, page: String(n) })} onSize=${(n) => setFilters({ kind, per_page: n })} />`
    }
  </section>`;
}
