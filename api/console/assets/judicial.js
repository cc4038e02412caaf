// @ts-check
// 司法所: activities (list, filters, the form), their statistics, the annual summary.
import {
  html,
  useState,
  useLoad,
  ErrorBanner,
  Field,
  BarChart,
  fieldErrors,
  missingFields,
  percent,
  WORDS,
  VENUE,
  Options,
  dateTime,
  number,
  useQueryState,
  useToast,
  Dialog,
  Confirm,
  Pager,
  UnitOptions,
  sortHeadings,
  queryOf,
} from "./ui.js";
import { get, getAs, post, patch, del, all, download, text } from "./api.js";

const thisYear = () => new Date().getFullYear();

const EMPTY = {
  kind: "publicity",
  title: "",
  held_on: "",
  organizer_unit_id: "",
  venue: "",
  themes: [],
  audience: "public",
  attendance: 0,
  materials: 0,
  notes: "",
};

function ActivityForm({ units, editing, onDone, onCancel }) {
  const [form, setForm] = useState(editing ? { ...editing, venue: editing.venue || "" } : EMPTY);
  const [error, setError] = useState(null);
  const set = (k, number) => (e) => setForm({ ...form, [k]: number ? Number(e.target.value) : e.target.value });
  const toggleTheme = (t) =>
    setForm({ ...form, themes: form.themes.includes(t) ? form.themes.filter((x) => x !== t) : [...form.themes, t] });
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    const body = {
      kind: form.kind,
      title: form.title,
      held_on: form.held_on,
      organizer_unit_id: Number(form.organizer_unit_id) || 0,
      venue: form.venue || null,
      themes: form.themes,
      audience: form.audience,
      attendance: form.attendance,
      materials: form.kind === "publicity" ? form.materials : 0,
      notes: form.notes,
    };
    const missing = missingFields(body, ["title", "held_on", "organizer_unit_id"]);
    if (missing) return setError(missing);
    try {
      if (editing) await patch(`/activities/${editing.id}`, body);
      else await post("/activities", body);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  return html`<form class="grid" onSubmit=${save} id="activity-form">
    <${Field} label="类别" name="kind" errors=${errors}><select name="kind" value=${form.kind} onChange=${set("kind")}><${Options} map=${WORDS.activity_kind} /></select></${Field}>
    <${Field} label="活动名称" name="title" errors=${errors}><input name="title" value=${form.title} onInput=${set("title")} /></${Field}>
    <${Field} label="日期" name="held_on" errors=${errors}><input name="held_on" type="date" value=${form.held_on} onInput=${set("held_on")} /></${Field}>
    <${Field} label="组织单位" name="organizer_unit_id" errors=${errors}>
      <select name="organizer_unit_id" value=${form.organizer_unit_id} onChange=${set("organizer_unit_id")}>
        <option value="">选择单位…</option><${UnitOptions} units=${units || []} />
      </select></${Field}>
    <${Field} label="法律“六进”" name="venue" errors=${errors}><select name="venue" value=${form.venue} onChange=${set("venue")}><${Options} map=${VENUE} empty="无" /></select></${Field}>
    <${Field} label="对象" name="audience" errors=${errors}><select name="audience" value=${form.audience} onChange=${set("audience")}><${Options} map=${WORDS.audience} /></select></${Field}>
    <${Field} label="人次" name="attendance" errors=${errors}><input name="attendance" type="number" min="0" value=${form.attendance} onInput=${set("attendance", true)} /></${Field}>
    ${form.kind === "publicity" && html`<${Field} label="宣传品份数" name="materials" errors=${errors}><input name="materials" type="number" min="0" value=${form.materials} onInput=${set("materials", true)} /></${Field}>`}
    <fieldset class="wide"><legend>主题</legend>
      ${Object.entries(WORDS.theme).map(([k, v]) => html`<label class="inline"><input type="checkbox" name="themes" value=${k} checked=${form.themes.includes(k)} onChange=${() => toggleTheme(k)} />${v}</label>`)}
    </fieldset>
    <${Field} label="备注" name="notes" errors=${errors}><input name="notes" value=${form.notes} onInput=${set("notes")} /></${Field}>
    <${ErrorBanner} error=${error} />
    <div class="wide"><button type="submit">保存</button> <button type="button" class="secondary" onClick=${onCancel}>取消</button></div>
  </form>`;
}

export function Activities({ me, query }) {
  const [filters, setFilters] = useQueryState(query, {
    year: String(thisYear()),
    kind: "",
    venue: "",
    theme: "",
    organizer_unit_id: "",
    sort: "",
    page: "1",
    per_page: "50",
  });
  const sorter = sortHeadings(filters, setFilters);
  const [editing, setEditing] = useState(undefined);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [toast, showToast] = useToast();
  /** @type {[any, (d: any) => void]} */
  const [asking, setAsking] = useState(null);
  const [failure, setFailure] = useState(null);
  const [page, error, reload] = useLoad(
    () => getAs("Page_ActivityView", `/activities?${queryOf(filters)}`),
    [queryOf(filters)],
  );
  const writer = me.roles.includes("judicial") || me.roles.includes("admin");
  const set = (k) => (e) => setFilters({ [k]: e.target.value });
  const names = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const remove = (a) =>
    setAsking(
      html`<${Confirm} id="confirm-delete" title="删除活动" text=${`删除“${a.title}”（${a.held_on}）？删除后不再计入统计和年度总结。`}
        yes="删除" onClose=${() => setAsking(null)}
        onYes=${async () => {
          setAsking(null);
          setFailure(null);
          try {
            await del(`/activities/${a.id}`);
            showToast("已删除活动。");
            reload();
          } catch (err) {
            setFailure(err);
          }
        }} />`,
    );
  const done = (what) => {
    setEditing(undefined);
    showToast(what);
    reload();
  };
  return html`<section>
    <div class="toolbar filters">
      <label class="inline">年度<input type="number" value=${filters.year} onChange=${set("year")} /></label>
      <label class="inline">类别<select value=${filters.kind} onChange=${set("kind")}><${Options} map=${WORDS.activity_kind} empty="全部" /></select></label>
      <label class="inline">六进<select value=${filters.venue} onChange=${set("venue")}><${Options} map=${VENUE} empty="全部" /></select></label>
      <label class="inline">主题<select value=${filters.theme} onChange=${set("theme")}><${Options} map=${WORDS.theme} empty="全部" /></select></label>
      <label class="inline">组织单位（含下级）<select value=${filters.organizer_unit_id} onChange=${set("organizer_unit_id")}>
        <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
      ${writer && html`<button id="new-activity" onClick=${() => setEditing(null)}>记录活动</button>`}
    </div>
    ${
      editing !== undefined &&
      units &&
      html`<${Dialog} id="activity-dialog" title=${editing ? `修改活动：${editing.title}` : "记录活动"} onClose=${() => setEditing(undefined)}>
        <${ActivityForm} units=${units} editing=${editing} onCancel=${() => setEditing(undefined)}
          onDone=${() => done(editing ? "已保存活动。" : "已记录活动。")} /></${Dialog}>`
    }
    ${toast}${asking}
    <${ErrorBanner} error=${error || failure} />
    ${!page && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      page &&
      html`<div class="scroll" tabindex="0"><table id="activities"><thead><tr>${sorter("日期", "held_on")}<th>类别</th>${sorter("名称", "title")}<th>组织单位</th><th>六进</th><th>主题</th><th>对象</th>${sorter("人次", "attendance")}${sorter("宣传品", "materials")}<th>操作</th></tr></thead>
      <tbody>${page.items.map(
        (a) => html`<tr data-activity=${a.id}>
        <td>${a.held_on}</td><td>${WORDS.activity_kind[a.kind]}</td><td class="clip" title=${a.title}>${a.title}</td><td class="clip" title=${names[a.organizer_unit_id] || ""}>${names[a.organizer_unit_id] || ""}</td>
        <td>${a.venue ? VENUE[a.venue] : "—"}</td><td>${a.themes.map((t) => WORDS.theme[t]).join("、")}</td><td>${WORDS.audience[a.audience]}</td>
        <td class="num">${number(a.attendance)}</td><td class="num">${number(a.materials)}</td>
        <td class="row-actions">${writer && html`<button class="link" data-action="edit" onClick=${() => setEditing(a)}>修改</button><button class="link" data-action="delete" onClick=${() => remove(a)}>删除</button>`}</td>
      </tr>`,
      )}</tbody></table>${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}

/** The groupings the statistics page shows, in its order. */
const GROUPS = ["month", "venue", "organizer_level", "theme"];
const KEY_NAMES = {
  venue: { ...VENUE, none: "未进" },
  organizer_level: WORDS.organizer_level,
  theme: WORDS.theme,
  audience: WORDS.audience,
  kind: WORDS.activity_kind,
};

function Stats({ year, groupBy }) {
  const [stats, error] = useLoad(
    () => getAs("StatsView", `/activities/stats?year=${year}&group_by=${groupBy}`),
    [year, groupBy],
  );
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!stats) return null;
  const names = KEY_NAMES[groupBy] || {};
  return html`<div class="stat" data-group=${groupBy}>
    <h3>${WORDS.group_by[groupBy]}（共 <span class="total-events">${stats.total.events}</span> 次，${stats.total.attendance} 人次）</h3>
    <${BarChart} label=${WORDS.group_by[groupBy]} rows=${stats.groups.map((g) => ({ label: names[g.key] || g.key, value: g.events }))} />
  </div>`;
}

export function ActivityStats() {
  const [year, setYear] = useState(thisYear());
  return html`<section>
    <div class="toolbar"><label class="inline">年度<input type="number" value=${year} onInput=${(e) => setYear(Number(e.target.value))} /></label></div>
    <div class="stats">${GROUPS.map((g) => html`<${Stats} year=${year} groupBy=${g} key=${g} />`)}</div>
  </section>`;
}

export function AnnualSummary({ me }) {
  const [year, setYear] = useState(thisYear());
  const [report, error] = useLoad(() => getAs("AnnualReport", `/reports/annual/${year}`), [year]);
  const [narrative, narrativeError] = useLoad(() => text(`/reports/annual/${year}/export?format=text`), [year]);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(narrative);
    setCopied(true);
  };
  return html`<section class="annual">
    <div class="toolbar">
      <label class="inline">年度<input type="number" value=${year} onInput=${(e) => setYear(Number(e.target.value))} /></label>
      <button onClick=${() => download(`/reports/annual/${year}/export?format=xlsx`)}>下载 Excel</button>
      <button class="secondary" onClick=${() => download(`/reports/annual/${year}/export?format=csv`)}>下载 CSV</button>
    </div>
    <${ErrorBanner} error=${error || narrativeError} />
    <h2>工作总结文字</h2>
    <pre id="narrative" class="narrative">${narrative || "正在生成…"}</pre>
    <button onClick=${copy} disabled=${!narrative}>${copied ? "已复制" : "复制文字"}</button>
    ${
      report &&
      html`<h2>数据</h2>
      <div class="figures">
        <div class="figure"><span class="label">普法宣传活动</span><strong>${report.publicity.events}</strong><span class="count">街道 ${report.publicity.street_events}，村居社区 ${report.publicity.community_events}</span></div>
        <div class="figure"><span class="label">服务群众</span><strong>${report.publicity.attendance}</strong><span class="count">人次</span></div>
        <div class="figure"><span class="label">宣传品</span><strong>${report.publicity.materials}</strong><span class="count">份</span></div>
        <div class="figure"><span class="label">法治培训</span><strong>${report.training.events}</strong><span class="count">${report.training.attendance} 人次</span></div>
        <div class=${report.six_into.full_coverage ? "figure met" : "figure unmet"}><span class="label">法律“六进”</span><strong>${report.six_into.full_coverage ? "全覆盖" : "未全覆盖"}</strong></div>
      </div>
      <h2>人民调解、法律服务、排查、信访与执法</h2>
      <${LedgerFigures} now=${report} before=${report.previous} />
      <h2>法治政府建设</h2>
      <${LawFigures} now=${report} before=${report.previous} />
      <${Archives} year=${year} me=${me} />
      ${report.campaigns.map(
        (c) =>
          html`<p>${c.title}：应参加 ${c.roster} 人，${Object.entries(WORDS.target)
            .map(([k, v]) => `${v} ${percent(c[k].rate)}`)
            .join("，")}。</p>`,
      )}`
    }
  </section>`;
}

/** One figure with last year's beside it. */
function Figure({ id, label, value, before, unit, extra }) {
  const text = number(value);
  const size = text.length > 12 ? "longer" : text.length > 8 ? "long" : "";
  return html`<div class="figure" id=${id}><span class="label">${label}</span><strong class=${size}>${text}</strong>
    <span class="count">${unit}${before !== undefined ? `（上年 ${number(before)}）` : ""}${extra ? `，${extra}` : ""}</span></div>`;
}

/** The ledgers' headline figures of the year, each beside the year before's. */
function LedgerFigures({ now, before }) {
  const m = now.mediation;
  const levels = m.by_level
    .filter((l) => l.cases > 0)
    .map((l) => `${WORDS.level[l.key]} ${l.cases}`)
    .join("，");
  return html`<div class="figures" id="ledger-figures">
    <${Figure} id="mediation-cases" label="调解纠纷" value=${m.cases} before=${before.mediation.cases} unit="起" />
    <${Figure} id="mediation-amount" label="调解金额" value=${m.amount} unit="元" />
    <div class="figure"><span class="label">各级调委会</span><span class="count">${levels || "—"}</span></div>
    <${Figure} id="lawyer-duty" label="律师值班" value=${now.legal_services.lawyer_duty.count} before=${before.legal_services.lawyer_duty.count} unit="次" />
    <${Figure} id="consultations" label="法律咨询" value=${now.legal_services.consultation.count} before=${before.legal_services.consultation.count} unit="次" />
    <${Figure} id="legal-aid" label="法律援助" value=${now.legal_services.legal_aid.count} before=${before.legal_services.legal_aid.count} unit="件" />
    <${Figure} id="screened" label="排查矛盾纠纷" value=${now.screenings.issues_found} before=${before.screenings.issues_found} unit="件" extra=${`化解 ${now.screenings.issues_resolved} 件`} />
    <${Figure} id="petitions" label="信访案件" value=${now.petitions.cases} before=${before.petitions.cases} unit="件" extra=${`来访 ${now.petitions.visitors} 人次`} />
    <${Figure} id="inspections" label="执法检查" value=${now.inspections.entities_checked} before=${before.inspections.entities_checked} unit="家次" />
    <${Figure} id="fines" label="罚款" value=${now.inspections.fines} unit="元" extra=${`处罚 ${now.inspections.penalties} 家`} />
  </div>`;
}

/** The rest of the 法治政府建设 report: tasks, decisions, advisers, 述法, duties. */
function LawFigures({ now, before }) {
  const d = now.decisions;
  const reviewed =
    d.total === 0
      ? ""
      : d.reviewed === d.total
        ? "全部经合法性审查"
        : `经审查 ${d.reviewed} 项，未经审查即决策 ${d.decided_unreviewed} 项`;
  return html`<div class="figures" id="law-figures">
    <${Figure} id="law-tasks" label="法治建设任务" value=${now.tasks.total} before=${before.tasks.total} unit="项"
      extra=${`已完成 ${now.tasks.done} 项${now.tasks.overdue ? `，逾期 ${now.tasks.overdue} 项` : ""}`} />
    <${Figure} id="decisions" label="重大行政决策" value=${d.total} before=${before.decisions.total} unit="项" extra=${reviewed} />
    <${Figure} id="advisers" label="法律顾问" value=${now.advisers.legal_advisers} before=${before.advisers.legal_advisers} unit="名"
      extra=${`公职律师 ${now.advisers.public_lawyers} 名`} />
    <${Figure} id="law-reports" label="领导干部述法" value=${now.law_reports.reported} before=${before.law_reports.reported} unit="名"
      extra=${now.law_reports.missing ? `未述法 ${now.law_reports.missing} 名` : now.law_reports.leaders ? "全覆盖" : ""} />
    <${Figure} id="pufa-duties" label="普法责任清单" value=${now.duties.items} before=${before.duties.items} unit="项"
      extra=${`${now.duties.units} 个单位，以案释法 ${now.duties.cases_explained} 件`} />
  </div>`;
}

/** The year's archives (存档): freeze the figures as filed, and see what has moved since. */
function Archives({ year, me }) {
  const [list, error, reload] = useLoad(() => getAs("Page_ArchiveInfo", `/reports/annual/${year}/archives`), [year]);
  const [diff, setDiff] = useState(null);
  const [failure, setFailure] = useState(null);
  const writer = me.roles.includes("judicial") || me.roles.includes("admin");
  const freeze = async () => {
    setFailure(null);
    try {
      await post(`/reports/annual/${year}/archive`, {});
      reload();
    } catch (err) {
      setFailure(err);
    }
  };
  const compare = async (a) => {
    setFailure(null);
    try {
      const [changes, archived] = await Promise.all([
        get(`/reports/archives/${a.id}/diff`),
        get(`/reports/archives/${a.id}`),
      ]);
      setDiff({ archive: a, changes, archived });
    } catch (err) {
      setFailure(err);
    }
  };
  const shown = (v) =>
    v === null || v === undefined
      ? "—"
      : typeof v === "number"
        ? number(v)
        : typeof v === "boolean"
          ? v
            ? "是"
            : "否"
          : typeof v === "object"
            ? JSON.stringify(v)
            : String(v);
  return html`<section class="archives" id="archives">
    <h2>存档</h2>
    <p class="muted">工作总结报出后存档：存档的数字不再随记录修改而变化，可随时与现在的数字比较。</p>
    ${writer && html`<button id="archive-year" onClick=${freeze}>存档 ${year} 年数据</button>`}
    <${ErrorBanner} error=${error || failure} />
    ${
      list &&
      list.items.length > 0 &&
      html`<table><thead><tr><th>存档时间</th><th>SHA-256</th><th></th></tr></thead>
      <tbody>${list.items.map(
        (a) => html`<tr key=${a.id}><td>${dateTime(a.created_at)}</td><td><code>${a.sha256}</code></td>
        <td><button class="link" onClick=${() => compare(a)}>与现在比较</button>${" "}
          <button class="link" onClick=${() => download(`/reports/archives/${a.id}/export?format=xlsx`)}>下载 Excel</button>${" "}
          <button class="link" onClick=${() => download(`/reports/archives/${a.id}/export?format=text`)}>下载文字</button></td></tr>`,
      )}</tbody></table>`
    }
    ${
      diff &&
      html`<div id="archive-diff">
      <h3>${dateTime(diff.archive.created_at)} 存档以来的变化</h3>
      ${
        diff.changes.length === 0
          ? html`<p class="ok">没有变化。</p>`
          : html`<table><thead><tr><th>数据项</th><th>存档时</th><th>现在</th></tr></thead>
        <tbody>${diff.changes.map((c) => html`<tr><td title=${c.path}>${pathLabel(c.path, diff.archived)}</td><td class="num">${shown(c.archived)}</td><td class="num">${shown(c.live)}</td></tr>`)}</tbody></table>`
      }
    </div>`
    }
  </section>`;
}

/** The Chinese words of an archive path's parts (`summary.petitions.cases` → 信访 案件数). */
const PATH_WORDS = {
  summary: "",
  targets: "四率",
  campaigns: "学法活动",
  publicity: "普法宣传",
  training: "法治培训",
  themes: "主题",
  six_into: "法律六进",
  mediation: "人民调解",
  legal_services: "公共法律服务",
  screenings: "矛盾纠纷排查",
  petitions: "信访",
  inspections: "行政执法检查",
  tasks: "法治建设任务",
  decisions: "重大行政决策",
  advisers: "法律顾问",
  law_reports: "述职述法",
  duties: "普法责任清单",
  total: "总数",
  done: "已完成",
  overdue: "逾期未完成",
  reviewed: "经合法性审查",
  by_result: "按审查结论",
  adopted: "经决策通过",
  decided_unreviewed: "未经审查即决策",
  pending: "正在审查",
  legal_advisers: "法律顾问",
  public_lawyers: "公职律师",
  leaders: "领导干部",
  reported: "已述法",
  on_site: "现场述法",
  missing: "未述法",
  units: "单位数",
  items: "责任事项",
  cases_explained: "以案释法",
  lawyer_duty: "律师值班",
  consultation: "法律咨询",
  legal_aid: "法律援助",
  by_level: "按层级",
  by_category: "按类型",
  by_topic: "按事项",
  by_field: "按领域",
  by_unit: "按单位",
  by_audience: "按对象",
  cases: "案件数",
  amount: "金额",
  settled: "调解成功",
  count: "数量",
  events: "次数",
  attendance: "人次",
  materials: "宣传品",
  visitors: "来访人次",
  issues_found: "排查出纠纷",
  issues_resolved: "化解",
  entities_checked: "检查家次",
  hazards_found: "发现隐患",
  hazards_fixed: "整改隐患",
  penalties: "处罚",
  fines: "罚款",
  participation: "参与率",
  study: "学习率",
  exam: "考试率",
  pass: "合格率",
  rate: "比率",
  roster: "应参加人数",
  all_met: "四个100%",
  community_events: "村居社区场次",
  street_events: "街道场次",
  covered: "已覆盖",
  full_coverage: "全覆盖",
  venues: "",
  grades: "成绩等级",
  excellent: "优秀",
  good: "良好",
  fail: "不合格",
  not_sat: "未参考",
  passed_in_makeup: "补考合格",
  previous: "上年",
  unit: "单位",
  year: "年度",
  title: "名称",
  name: "名称",
};

/** Which vocabulary names the items of each list of the summary, by the item's `key`. */
const ITEM_WORDS = {
  venues: VENUE,
  themes: WORDS.theme,
  by_audience: WORDS.audience,
  by_level: WORDS.level,
  by_category: WORDS.mediation_category,
  by_topic: WORDS.legal_topic,
  by_field: WORDS.inspection_field,
  by_result: WORDS.review_result,
};

/** The name of one item of a list: its key in words, its title or name, else 第 n 项. */
function itemLabel(list, item, index) {
  if (item && typeof item === "object") {
    if (item.key && ITEM_WORDS[list]?.[item.key]) return ITEM_WORDS[list][item.key];
    if (item.title || item.name) return `“${item.title || item.name}”`;
  }
  if (list === "covered" && typeof item === "string") return VENUE[item] || item;
  return `第${index + 1}项`;
}

/** A changed figure's path in words (`summary.publicity.venues[2].events` → 普法宣传
 *  法律六进 进社区 次数), naming list items from the archived report `root`. */
function pathLabel(path, root) {
  /** @type {any} */
  let at = root;
  const words = [];
  for (const part of path.split(".")) {
    const [key, index] = part.split("[");
    at = at?.[key];
    if (PATH_WORDS[key] !== "") words.push(PATH_WORDS[key] ?? key);
    if (index !== undefined) {
      const i = Number(index.replace("]", ""));
      words.push(itemLabel(key, at?.[i], i));
      at = at?.[i];
    }
  }
  return words.filter(Boolean).join(" ");
}
