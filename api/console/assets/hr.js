// @ts-check
// 组织人事: the four rates and who is missing, the roster, the campaign, the question bank.
import {
  html,
  useState,
  useEffect,
  useLoad,
  ErrorBanner,
  Field,
  BarChart,
  fieldErrors,
  wordAll,
  missingFields,
  useToast,
  useQueryState,
  Dialog,
  Confirm,
  Pager,
  number,
  percent,
  day,
  WORDS,
  Options,
  UnitOptions,
  useTypedFilter,
  sortHeadings,
  queryOf,
  dateTime,
} from "./ui.js";
import { get, getAs, post, patch, del, all, download, upload } from "./api.js";
import { PapersEditor, PaperCheck, papersForForm, papersForApi } from "./papers.js";

/** The campaign last picked in a page's picker on this browser. */
const LAST_CAMPAIGN = "xuefa.campaign";

/** Whether a campaign's study or exam window is open now. */
function inProgress(c, now = new Date()) {
  const today = now.toISOString().slice(0, 10);
  const studying = c.study_starts_on <= today && today <= c.study_ends_on;
  const examining = new Date(c.exam_opens_at) <= now && now <= new Date(c.exam_closes_at);
  return studying || examining;
}

/** The campaigns, newest first, and the one chosen: ?campaign=, else the one last picked
 *  here, else one in progress, else the newest — so creating next year's campaign does
 *  not turn the landing page into an empty one. */
function useCampaign(query) {
  const [campaigns, error] = useLoad(() => all("CampaignSummary", "/campaigns"), []);
  const list = (campaigns || []).slice().sort((a, b) => b.year - a.year || b.id - a.id);
  const remembered = Number(localStorage.getItem(LAST_CAMPAIGN));
  const running = list.find((c) => inProgress(c));
  const chosen =
    Number(query.get("campaign")) ||
    (list.some((c) => c.id === remembered) && remembered) ||
    (running && running.id) ||
    (list[0] && list[0].id);
  return [list, chosen, error];
}

function go(path, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  location.hash = `${path}?${q}`;
}

function CampaignPicker({ list, chosen, path, extra }) {
  return html`<label class="inline">学法活动
    <select id="campaign" value=${chosen} onChange=${(e) => {
      localStorage.setItem(LAST_CAMPAIGN, e.target.value);
      go(path, { ...extra, campaign: e.target.value });
    }}>
      ${list.map((c) => html`<option value=${c.id}>${c.title}</option>`)}
    </select>
  </label>`;
}

export function HrTargets({ query }) {
  const [list, campaign, listError] = useCampaign(query);
  const unit = query.get("unit") || "";
  const [target, setTarget] = useState("study");
  const [report, error] = useLoad(
    () =>
      campaign
        ? getAs("TargetsView", `/campaigns/${campaign}/targets${unit ? `?unit_id=${unit}` : ""}`)
        : Promise.resolve(null),
    [campaign, unit],
  );
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  if (listError || error) return html`<${ErrorBanner} error=${listError || error} />`;
  if (!campaign) return html`<p>还没有学法活动。请先在“学法活动”中创建。</p>`;
  if (!report) return html`<p class="loading">正在统计…</p>`;
  const byId = Object.fromEntries((units || []).map((u) => [u.id, u]));
  const children = report.by_unit.filter((u) => {
    const parent = byId[u.unit_id] && byId[u.unit_id].parent_id;
    // The top of the caller's scope: units whose parent they do not see (a street's
    // office under its district), or none at all.
    return unit ? String(parent) === unit : !byId[parent];
  });
  const trail = [];
  for (let u = byId[unit]; u; u = byId[u.parent_id]) trail.unshift(u);
  const exportQuery = unit ? `&unit_id=${unit}` : "";
  return html`<section class="targets">
    <div class="toolbar">
      <${CampaignPicker} list=${list} chosen=${campaign} path="/hr/targets" extra=${{}} />
      <nav class="trail">
        <a href=${`#/hr/targets?campaign=${campaign}`}>全部单位</a>
        ${trail.map((u) => html` › <a href=${`#/hr/targets?campaign=${campaign}&unit=${u.id}`}>${u.name}</a>`)}
      </nav>
      <button onClick=${() => download(`/campaigns/${campaign}/targets/export?format=xlsx${exportQuery}`)} id="targets-xlsx">下载 Excel</button>
      <button class="secondary" onClick=${() => download(`/campaigns/${campaign}/targets/export?format=csv${exportQuery}`)}>下载 CSV</button>
    </div>
    <div class="figures">
      <div class="figure"><span class="label">应参加人数</span><strong id="roster">${report.roster}</strong></div>
      ${Object.entries(WORDS.target).map(
        ([key, label]) => html`<div class="figure" data-target=${key}>
          <span class="label">${label}</span>
          <strong class="rate">${percent(report[key].rate)}</strong>
          <span class="count">${report[key].count} 人</span>
        </div>`,
      )}
      <div class=${report.all_met ? "figure met" : "figure unmet"}>
        <span class="label">四个100%</span><strong id="all-met">${report.all_met ? "已实现" : "未实现"}</strong>
      </div>
    </div>
    <div class="figures" id="grades">
      ${Object.entries(WORDS.grade).map(
        ([key, label]) =>
          html`<div class="figure" data-grade=${key}><span class="label">${label}</span><strong>${report.grades[key]}</strong><span class="count">人</span></div>`,
      )}
      <div class="figure" data-grade="not_sat"><span class="label">未参考</span><strong>${report.grades.not_sat}</strong><span class="count">人</span></div>
      <div class="figure" id="passed-in-makeup"><span class="label">补考合格</span><strong>${report.passed_in_makeup}</strong><span class="count">人</span></div>
      <div class="figure" id="live-share"><span class="label">在线计时占比</span><strong>${report.live_share == null ? "—" : percent(report.live_share)}</strong><span class="count">${number(report.live_minutes)} / ${number(report.credited_minutes)} 分钟</span></div>
    </div>
    <h2>各单位${WORDS.target[target]}</h2>
    <div class="tabs">
      ${Object.entries(WORDS.target).map(
        ([key, label]) =>
          html`<button class=${key === target ? "tab active" : "tab"} onClick=${() => setTarget(key)}>${label}</button>`,
      )}
    </div>
    <${BarChart} label="各单位比率" max=${1}
      rows=${children.map((u) => ({ label: u.name, value: u[target].rate || 0, text: percent(u[target].rate) }))} />
    <table class="units" id="by-unit">
      <thead><tr><th>单位</th><th>应参加</th>${Object.values(WORDS.target).map((t) => html`<th>${t}</th>`)}<th>四个100%</th></tr></thead>
      <tbody>
        ${children.map(
          (u) => html`<tr data-unit=${u.unit_id}>
            <td><a href=${`#/hr/targets?campaign=${campaign}&unit=${u.unit_id}`}>${u.name}</a></td>
            <td>${u.roster}</td>
            ${Object.keys(WORDS.target).map((k) => html`<td data-target=${k}>${percent(u[k].rate)}（${u[k].count}）</td>`)}
            <td>${u.all_met ? "是" : "否"}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <${Missing} campaign=${campaign} unit=${unit} target=${target} />
  </section>`;
}

/** 一键提醒, previewed: who will be told (the count, the first names) and the text, which
 *  HR may rewrite; empty keeps each person's own message (what they lack, by when). */
function ReminderDialog({ page, target, onSend, onClose }) {
  const [message, setMessage] = useState("");
  const [error, setError] = useState(null);
  const names = page.items.map((m) => m.name);
  const send = (e) => {
    e.preventDefault();
    onSend(message.trim() || null).catch(setError);
  };
  return html`<${Dialog} id="remind-dialog" title="发送提醒" onClose=${onClose}>
    <form id="remind-form" onSubmit=${send}>
      <p>将向${WORDS.missing[target]}名单中的 <strong id="remind-count">${page.total}</strong> 人发送提醒：${names.slice(0, 10).join("、")}${page.total > 10 ? " 等" : ""}。24 小时内已提醒过的人本次跳过。</p>
      <${Field} label="提醒内容" name="message" errors=${fieldErrors(error)}>
        <textarea name="message" rows="3" maxlength="500" value=${message} onInput=${(e) => setMessage(e.target.value)}
          placeholder="不填则按每人情况自动生成，如：您在“2026年度学法考试”中的学习尚未完成（还差30分钟），请于12月31日前完成。"></textarea></${Field}>
      <${ErrorBanner} error=${error} />
      <div class="actions"><button type="submit" id="remind-send">发送</button><button type="button" class="secondary" onClick=${onClose}>取消</button></div>
    </form>
  </${Dialog}>`;
}

function Missing({ campaign, unit, target }) {
  const q = `target=${target}${unit ? `&unit_id=${unit}` : ""}`;
  // The page belongs to the list it was chosen on: another target or unit starts at 1.
  const [chosen, setAt] = useState({ q, page: 1, per_page: 50 });
  const at = chosen.q === q ? chosen : { ...chosen, q, page: 1 };
  const [page, error] = useLoad(
    () => getAs("MissingPage", `/campaigns/${campaign}/targets/missing?${q}&page=${at.page}&per_page=${at.per_page}`),
    [campaign, q, at.page, at.per_page],
  );
  const [toast, showToast] = useToast();
  const [asking, setAsking] = useState(false);
  const send = async (message) => {
    const r = await post(`/campaigns/${campaign}/reminders`, { target, unit_id: unit ? Number(unit) : null, message });
    setAsking(false);
    showToast(`已向 ${r.notified} 人发送提醒${r.skipped ? `，${r.skipped} 人 24 小时内已提醒过，本次跳过` : ""}。`);
  };
  return html`<section class="missing">
    <div class="toolbar">
      <h2>${WORDS.missing[target]}名单${page ? `（${page.total} 人）` : ""}</h2>
      <button id="send-reminders" disabled=${!page || page.total === 0} onClick=${() => setAsking(true)}>一键提醒</button>
      <button onClick=${() => download(`/campaigns/${campaign}/targets/missing/export?${q}&format=xlsx`)}>下载 Excel</button>
      <button class="secondary" onClick=${() => download(`/campaigns/${campaign}/targets/missing/export?${q}&format=csv`)}>下载 CSV</button>
    </div>
    ${toast}
    ${asking && page && html`<${ReminderDialog} page=${page} target=${target} onSend=${send} onClose=${() => setAsking(false)} />`}
    <${ErrorBanner} error=${error} />
    ${
      page &&
      html`<div class="scroll" tabindex="0"><table><thead><tr><th>姓名</th><th>工号</th><th>单位</th><th>差分钟</th><th>在线/自报</th><th>未完成必修课</th><th>已考/剩余</th><th>最高分</th><th>等级</th></tr></thead>
      <tbody>${page.items.map(
        (m) => html`<tr><td>${m.name}${m.is_leader ? "（领导干部）" : ""}</td><td>${m.employee_no || ""}</td>
          <td>${m.unit_name || ""}</td><td>${m.minutes_short}</td><td>${m.live_minutes}/${m.self_reported_minutes}</td><td>${m.compulsory_unfinished.join("、")}</td>
          <td>${m.attempts_used}/${m.attempts_left}</td><td>${m.best_score ?? "—"}</td><td>${m.grade ? WORDS.grade[m.grade] : "—"}</td></tr>`,
      )}</tbody></table>${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setAt({ ...at, page: n })} onSize=${(n) => setAt({ q, page: 1, per_page: Number(n) })} />`
    }
  </section>`;
}

/** 考试延时 for one person (适老化, disability accommodation): 0–120 minutes more. */
function ExtraTimeDialog({ member, onSave, onClose }) {
  const [minutes, setMinutes] = useState(String(member.extra_minutes || 0));
  const [error, setError] = useState(null);
  const save = (e) => {
    e.preventDefault();
    onSave(Number(minutes)).catch(setError);
  };
  return html`<${Dialog} id="extra-time-dialog" title="考试延时" onClose=${onClose}>
    <form id="extra-time-form" onSubmit=${save}>
      <p>为 ${member.name} 延长考试时间：本人的每次考试和考试截止时间都推后这些分钟。</p>
      <${Field} label="延时（分钟，0–120）" name="extra_minutes" errors=${fieldErrors(error)}>
        <input name="extra_minutes" type="number" min="0" max="120" value=${minutes} onInput=${(e) => setMinutes(e.target.value)} /></${Field}>
      <${ErrorBanner} error=${error} />
      <div class="actions"><button type="submit">保存</button><button type="button" class="secondary" onClick=${onClose}>取消</button></div>
    </form>
  </${Dialog}>`;
}

/** 免考 for one person or several: the reason asked in the page, not in `prompt()`. */
function ExemptDialog({ people, onSave, onClose }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState(null);
  const save = (e) => {
    e.preventDefault();
    const missing = missingFields({ exempt_reason: reason.trim() }, ["exempt_reason"]);
    if (missing) return setError(missing);
    onSave(reason.trim()).catch(setError);
  };
  const names = people.map((m) => m.name);
  return html`<${Dialog} id="exempt-dialog" title="设置免考" onClose=${onClose}>
    <form id="exempt-form" onSubmit=${save}>
      <p>为 ${names.slice(0, 5).join("、")}${names.length > 5 ? ` 等 ${names.length} 人` : ""} 设置免考。免考的人不计入四率的分母。</p>
      <${Field} label="免考原因" name="exempt_reason" errors=${fieldErrors(error)}>
        <input name="exempt_reason" value=${reason} placeholder="如：病假、援派" onInput=${(e) => setReason(e.target.value)} /></${Field}>
      <${ErrorBanner} error=${error} />
      <div class="actions"><button type="submit">免考</button><button type="button" class="secondary" onClick=${onClose}>取消</button></div>
    </form>
  </${Dialog}>`;
}

export function HrRoster({ query }) {
  const [list, campaign] = useCampaign(query);
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [enrollUnit, setEnrollUnit] = useState("");
  const [filters, setFilters] = useQueryState(query, {
    campaign: "",
    q: "",
    unit_id: "",
    exempt: "",
    study_complete: "",
    sort: "",
    page: "1",
    per_page: "50",
  });
  const sorter = sortHeadings(filters, setFilters);
  const [typed, setTyped] = useTypedFilter(filters.q, (q) => setFilters({ q }));
  const listQuery = queryOf(filters, ["campaign"]);
  const [roster, rosterError, reload] = useLoad(
    () =>
      campaign ? getAs("Page_RosterEntry", `/campaigns/${campaign}/enrollments?${listQuery}`) : Promise.resolve(null),
    [campaign, listQuery],
  );
  const [toast, showToast] = useToast();
  /** @type {[any, (d: any) => void]} */
  const [dialog, setDialog] = useState(null);
  const [picked, setPicked] = useState(/** @type {number[]} */ ([]));
  const unitName = Object.fromEntries((units || []).map((u) => [u.id, u.name]));
  const act = async (work) => {
    setError(null);
    setResult(null);
    try {
      setResult(await work());
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const importFile = (e) => {
    e.preventDefault();
    if (file)
      act(() =>
        upload("/users/import?default_password=Xuefa-2026-init", file).then(
          (r) => `导入完成：新建 ${r.created} 人，更新 ${r.updated} 人。`,
        ),
      );
  };
  /** Sets (or lifts) 免考 for each of `people`, one request each; says how it went. */
  const setExempt = async (people, exempt, reason) => {
    for (const m of people) {
      await patch(`/campaigns/${campaign}/enrollments/${m.user_id}`, { exempt, exempt_reason: exempt ? reason : null });
    }
    setDialog(null);
    setPicked([]);
    const who = people.length === 1 ? people[0].name : `${people.length} 人`;
    showToast(exempt ? `已为 ${who} 设置免考。` : `已取消 ${who} 的免考。`);
    reload();
  };
  const askExempt = (people) =>
    setDialog(
      html`<${ExemptDialog} people=${people} onClose=${() => setDialog(null)} onSave=${(reason) => setExempt(people, true, reason)} />`,
    );
  const exempt = (m) => (m.exempt ? setExempt([m], false, null).catch(setError) : askExempt([m]));
  const askExtra = (m) =>
    setDialog(
      html`<${ExtraTimeDialog} member=${m} onClose=${() => setDialog(null)} onSave=${async (minutes) => {
        await patch(`/campaigns/${campaign}/enrollments/${m.user_id}`, { extra_minutes: minutes });
        setDialog(null);
        showToast(`已为 ${m.name} 设置考试延时 ${minutes} 分钟。`);
        reload();
      }} />`,
    );
  /** 移出名单: for people enrolled by mistake; the server refuses anyone who has started. */
  const askRemove = (people) =>
    setDialog(
      html`<${Confirm} id="confirm-unenroll" title="移出名单"
        text=${`将 ${people
          .map((m) => m.name)
          .slice(0, 5)
          .join(
            "、",
          )}${people.length > 5 ? ` 等 ${people.length} 人` : ""} 移出本次学法活动的名单？已开始学习或考试的人不能移出，可改为免考。`}
        yes="移出" onClose=${() => setDialog(null)}
        onYes=${async () => {
          setDialog(null);
          setError(null);
          let removed = 0;
          try {
            for (const m of people) {
              await del(`/campaigns/${campaign}/enrollments/${m.user_id}`);
              removed += 1;
            }
          } catch (err) {
            setError(err);
          }
          setPicked([]);
          if (removed > 0) showToast(`已将 ${removed} 人移出名单。`);
          reload();
        }} />`,
    );
  const rows = roster ? roster.items : [];
  const toggle = (id) => setPicked(picked.includes(id) ? picked.filter((x) => x !== id) : [...picked, id]);
  const allPicked = rows.length > 0 && rows.every((m) => picked.includes(m.user_id));
  return html`<section>
    <h2>导入花名册</h2>
    <form class="toolbar" onSubmit=${importFile} id="import-form">
      <input type="file" accept=".csv,text/csv" id="roster-file" aria-label="选择花名册文件（CSV）" onChange=${(e) => setFile(e.target.files[0])} />
      <button type="submit" disabled=${!file}>导入</button>
      <span class="muted">CSV（UTF-8 或 GBK），列：姓名、工号、单位、角色、领导干部、密码；新账号初始密码 Xuefa-2026-init。</span>
    </form>
    <${ErrorBanner} error=${error} />
    ${result && html`<p class="ok" role="status">${result}</p>`}
    ${toast}${dialog}
    ${
      campaign &&
      html`<div>
      <h2>报名与免考</h2>
      <div class="toolbar">
        <${CampaignPicker} list=${list} chosen=${campaign} path="/hr/roster" extra=${{}} />
        <select value=${enrollUnit} aria-label="报名单位" onChange=${(e) => setEnrollUnit(e.target.value)}>
          <option value="">选择单位…</option>
          <${UnitOptions} units=${units || []} />
        </select>
        <button disabled=${!enrollUnit} onClick=${() => act(() => post(`/campaigns/${campaign}/enrollments`, { unit_ids: [Number(enrollUnit)] }).then((r) => `新报名 ${r.enrolled} 人。`))}>报名该单位及下级单位的干部</button>
      </div>
      <div class="toolbar" id="roster-filters">
        <label class="inline">姓名/用户名/工号<input id="roster-search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></label>
        <label class="inline">单位<select id="roster-unit" value=${filters.unit_id} onChange=${(e) => setFilters({ unit_id: e.target.value })}>
          <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
        <label class="inline">免考<select value=${filters.exempt} onChange=${(e) => setFilters({ exempt: e.target.value })}>
          <option value="">全部</option><option value="true">免考</option><option value="false">参考</option></select></label>
        <label class="inline">学习<select value=${filters.study_complete} onChange=${(e) => setFilters({ study_complete: e.target.value })}>
          <option value="">全部</option><option value="true">已完成</option><option value="false">未完成</option></select></label>
        <button id="batch-exempt" disabled=${picked.length === 0} onClick=${() => askExempt(rows.filter((m) => picked.includes(m.user_id)))}>
          批量免考${picked.length > 0 ? `（${picked.length}）` : ""}</button>
        <button id="batch-unenroll" class="secondary" disabled=${picked.length === 0} onClick=${() => askRemove(rows.filter((m) => picked.includes(m.user_id)))}>
          移出名单${picked.length > 0 ? `（${picked.length}）` : ""}</button>
      </div>
      <${ErrorBanner} error=${rosterError} />
      ${!roster && !rosterError && html`<p class="muted loading">加载中…</p>`}
      ${
        roster &&
        html`<div class="scroll" tabindex="0"><table id="roster-table"><thead><tr>
          <th><input type="checkbox" aria-label="全选本页" checked=${allPicked} onChange=${() => setPicked(allPicked ? [] : rows.map((m) => m.user_id))} /></th>
          ${sorter("姓名", "name")}<th>单位</th>${sorter("工号", "employee_no")}<th>领导干部</th>${sorter("已学分钟", "credited_minutes")}<th>在线/自报</th>${sorter("学习完成", "study_complete")}${sorter("免考", "exempt")}<th>考试延时</th><th>操作</th></tr></thead>
        <tbody>${rows.map(
          (m) => html`<tr data-user=${m.user_id}>
            <td><input type="checkbox" aria-label=${`选择${m.name}`} checked=${picked.includes(m.user_id)} onChange=${() => toggle(m.user_id)} /></td>
            <td>${m.name}</td><td class="clip" title=${unitName[m.unit_id] || ""}>${unitName[m.unit_id] || ""}</td><td>${m.employee_no || ""}</td>
            <td>${m.is_leader ? "是" : ""}</td><td class="num">${number(m.credited_minutes)}</td>
            <td class="num" data-field="sources">${number(m.live_minutes)}/${number(m.self_reported_minutes)}</td>
            <td>${m.study_complete ? "是" : "否"}</td><td data-field="exempt" class="clip" title=${m.exempt_reason || ""}>${m.exempt ? `是（${m.exempt_reason}）` : "否"}</td>
            <td class="num" data-field="extra_minutes">${m.extra_minutes ? `${m.extra_minutes} 分钟` : "—"}</td>
            <td class="row-actions"><button class="link" data-action="exempt" onClick=${() => exempt(m)}>${m.exempt ? "取消免考" : "免考"}</button><button class="link" data-action="extra-time" onClick=${() => askExtra(m)}>延时</button><button class="link" data-action="unenroll" onClick=${() => askRemove([m])}>移出</button></td></tr>`,
        )}</tbody></table>
        ${rows.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
        <${Pager} page=${roster} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
      }
    </div>`
    }
  </section>`;
}

const EMPTY_CAMPAIGN = {
  year: new Date().getFullYear(),
  title: "",
  study_starts_on: "",
  study_ends_on: "",
  required_minutes: 240,
  exam_opens_at: "",
  exam_closes_at: "",
  duration_minutes: 60,
  question_count: 50,
  pass_score: 60,
  good_score: 80,
  excellent_score: 90,
  max_attempts: 3,
  exam_requires_study: true,
  courses: [],
  papers: [],
  makeup_opens_at: null,
  makeup_closes_at: null,
  makeup_attempts: 1,
  remind_before_days: [7, 1],
  daily_cap_minutes: null,
  self_reported_daily_cap_minutes: null,
  min_live_share: 0,
  max_playback_rate: 1.5,
  presence_check_minutes: 0,
  max_focus_losses: null,
};

/** A cap as the form edits it: empty is no cap (null). */
const capOf = (text) => (text.trim() === "" ? null : Number(text));

/** `7、1` ↔ [7, 1]: the days before each deadline for automatic reminders. */
const daysText = (days) => (days || []).join("、");
const daysList = (text) =>
  text
    .split(/[,，、\s]+/)
    .filter(Boolean)
    .map(Number);

/** `2026-11-01T09:00` (Beijing) ↔ RFC 3339. */
const toLocal = (t) => (t ? new Date(new Date(t).getTime() + 8 * 3600_000).toISOString().slice(0, 16) : "");
const fromLocal = (t) => (t ? `${t}:00+08:00` : "");
/** An optional time: cleared to null, not "". */
const fromLocalOrNull = (t) => fromLocal(t) || null;

export function HrCampaign({ me, query }) {
  const [list, chosen] = useCampaign(query);
  const editing = query.get("new") ? null : chosen;
  const [courses] = useLoad(() => all("CourseView", "/courses"), []);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [form, setForm] = useState(EMPTY_CAMPAIGN);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!editing) return setForm(EMPTY_CAMPAIGN);
    get(`/campaigns/${editing}`).then(
      (c) =>
        setForm({
          ...c,
          courses: c.courses.map(({ course_id, compulsory }) => ({ course_id, compulsory })),
          papers: papersForForm(c.papers),
        }),
      setError,
    );
  }, [editing, tick]);
  const set = (k) => (e) =>
    setForm({
      ...form,
      [k]:
        e.target.type === "number"
          ? Number(e.target.value)
          : e.target.type === "checkbox"
            ? e.target.checked
            : e.target.value,
    });
  const toggleCourse = (id, state) => {
    const rest = form.courses.filter((c) => c.course_id !== id);
    setForm({
      ...form,
      courses: state === "" ? rest : [...rest, { course_id: id, compulsory: state === "compulsory" }],
    });
  };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    const { id, created_at, updated_at, owner_unit_id, ...rest } = form;
    const body = { ...rest, papers: papersForApi(form.papers) };
    try {
      const c = editing ? await patch(`/campaigns/${editing}`, body) : await post("/campaigns", body);
      setSaved(`已保存“${c.title}”。`);
      setTick(tick + 1);
      go("/hr/campaign", { campaign: c.id });
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  // A campaign run above the caller's scope (the district's, seen from a street) is read
  // here; its settings are its own managers'.
  const owned = !editing || !me.scope || (units || []).some((u) => u.id === form.owner_unit_id);
  return html`<section>
    <div class="toolbar">
      ${list.length > 0 && html`<${CampaignPicker} list=${list} chosen=${editing || ""} path="/hr/campaign" extra=${{}} />`}
      <a href="#/hr/campaign?new=1" class="button secondary">新建学法活动</a>
    </div>
    ${
      !owned &&
      html`<p class="note" id="not-owned">本活动由上级单位组织，设置、题库和试卷由其管理员维护，这里只能查看。本单位人员的统计、花名册、免考和提醒在“四率统计”“花名册”中办理。</p>`
    }
    <form class="grid" onSubmit=${save} id="campaign-form">
      <fieldset class="wide contents" disabled=${!owned}>
      <${Field} label="年度" name="year" errors=${errors}><input type="number" value=${form.year} onInput=${set("year")} /></${Field}>
      <${Field} label="标题" name="title" errors=${errors}><input value=${form.title} onInput=${set("title")} placeholder="2026年度领导干部网上学法用法考试" /></${Field}>
      <${Field} label="学习开始日期" name="study_starts_on" errors=${errors}><input type="date" value=${form.study_starts_on} onInput=${set("study_starts_on")} /></${Field}>
      <${Field} label="学习结束日期" name="study_ends_on" errors=${errors}><input type="date" value=${form.study_ends_on} onInput=${set("study_ends_on")} /></${Field}>
      <${Field} label="应学分钟" name="required_minutes" errors=${errors}><input type="number" value=${form.required_minutes} onInput=${set("required_minutes")} /></${Field}>
      <${Field} label="考试开始（北京时间）" name="exam_opens_at" errors=${errors}><input type="datetime-local" value=${toLocal(form.exam_opens_at)} onInput=${(e) => setForm({ ...form, exam_opens_at: fromLocal(e.target.value) })} /></${Field}>
      <${Field} label="考试结束（北京时间）" name="exam_closes_at" errors=${errors}><input type="datetime-local" value=${toLocal(form.exam_closes_at)} onInput=${(e) => setForm({ ...form, exam_closes_at: fromLocal(e.target.value) })} /></${Field}>
      <${Field} label="考试时长（分钟）" name="duration_minutes" errors=${errors}><input type="number" value=${form.duration_minutes} onInput=${set("duration_minutes")} /></${Field}>
      <${Field} label="每卷题数" name="question_count" errors=${errors}><input type="number" value=${form.question_count} onInput=${set("question_count")} /></${Field}>
      <${Field} label="合格分" name="pass_score" errors=${errors}><input type="number" value=${form.pass_score} onInput=${set("pass_score")} /></${Field}>
      <${Field} label="良好分" name="good_score" errors=${errors}><input type="number" value=${form.good_score} onInput=${set("good_score")} /></${Field}>
      <${Field} label="优秀分" name="excellent_score" errors=${errors}><input type="number" value=${form.excellent_score} onInput=${set("excellent_score")} /></${Field}>
      <${Field} label="考试次数" name="max_attempts" errors=${errors}><input type="number" value=${form.max_attempts} onInput=${set("max_attempts")} /></${Field}>
      <label class="field check"><input type="checkbox" checked=${form.exam_requires_study} onChange=${set("exam_requires_study")} /><span>学习完成后方可考试</span></label>
      <${Field} label="补考开始（北京时间，可不设）" name="makeup_opens_at" errors=${errors}><input type="datetime-local" id="makeup-opens" value=${toLocal(form.makeup_opens_at)} onInput=${(e) => setForm({ ...form, makeup_opens_at: fromLocalOrNull(e.target.value) })} /></${Field}>
      <${Field} label="补考结束（北京时间）" name="makeup_closes_at" errors=${errors}><input type="datetime-local" id="makeup-closes" value=${toLocal(form.makeup_closes_at)} onInput=${(e) => setForm({ ...form, makeup_closes_at: fromLocalOrNull(e.target.value) })} /></${Field}>
      <${Field} label="允许离开考试页面次数（空为不限）" name="max_focus_losses" errors=${errors}><input type="number" id="max-focus-losses" min="0" max="100" value=${form.max_focus_losses ?? ""} onInput=${(e) => setForm({ ...form, max_focus_losses: capOf(e.target.value) })} /></${Field}>
      <${Field} label="补考次数" name="makeup_attempts" errors=${errors}><input type="number" value=${form.makeup_attempts} onInput=${set("makeup_attempts")} /></${Field}>
      <${Field} label="截止前几天自动提醒（如 7、1）" name="remind_before_days" errors=${errors}><input name="remind_before_days" value=${daysText(form.remind_before_days)} onChange=${(e) => setForm({ ...form, remind_before_days: daysList(e.target.value) })} /></${Field}>
      <fieldset class="wide"><legend>学时认定</legend>
        <div class="grid">
        <${Field} label="每日学时上限（分钟，空为不限）" name="daily_cap_minutes" errors=${errors}><input type="number" id="daily-cap" value=${form.daily_cap_minutes ?? ""} onInput=${(e) => setForm({ ...form, daily_cap_minutes: capOf(e.target.value) })} /></${Field}>
        <${Field} label="每日离线自报上限（分钟，空为不限）" name="self_reported_daily_cap_minutes" errors=${errors}><input type="number" id="self-cap" value=${form.self_reported_daily_cap_minutes ?? ""} onInput=${(e) => setForm({ ...form, self_reported_daily_cap_minutes: capOf(e.target.value) })} /></${Field}>
        <${Field} label="在线计时最低占比（%）" name="min_live_share" errors=${errors}><input type="number" id="live-share" min="0" max="100" value=${Math.round(form.min_live_share * 100)} onInput=${(e) => setForm({ ...form, min_live_share: Number(e.target.value) / 100 })} /></${Field}>
        <${Field} label="计时的最高倍速" name="max_playback_rate" errors=${errors}><input type="number" step="0.25" value=${form.max_playback_rate} onInput=${set("max_playback_rate")} /></${Field}>
        <${Field} label="在线确认间隔（分钟，0 为不确认）" name="presence_check_minutes" errors=${errors}><input type="number" id="presence-minutes" value=${form.presence_check_minutes} onInput=${set("presence_check_minutes")} /></${Field}>
        </div>
      </fieldset>
      <${PapersEditor} papers=${form.papers} onChange=${(papers) => setForm({ ...form, papers })} error=${wordAll(errors.papers, "试卷")} />
      <fieldset class="wide"><legend>课程</legend>
        ${(courses || []).map((c) => {
          const on = form.courses.find((x) => x.course_id === c.id);
          return html`<label class="inline">${c.title}（${c.minutes} 分钟）
            <select value=${on ? (on.compulsory ? "compulsory" : "elective") : ""} onChange=${(e) => toggleCourse(c.id, e.target.value)}>
              <option value="">不选</option><option value="compulsory">必修</option><option value="elective">选修</option>
            </select></label>`;
        })}
        ${errors.courses && html`<em class="field-error" data-field="courses">${wordAll(errors.courses, "课程")}</em>`}
      </fieldset>
      <${ErrorBanner} error=${error} />
      ${saved && html`<p class="ok">${saved}</p>`}
      <button type="submit">保存</button>
      </fieldset>
    </form>
    ${editing && html`<${PaperCheck} campaign=${editing} tick=${tick} />`}
  </section>`;
}

const EMPTY_QUESTION = {
  kind: "single",
  stem: "",
  options: ["", "", "", ""],
  answer: [0],
  points: 1,
  law_ref: "",
  tags: "",
  difficulty: 2,
  pool: "exam",
};
const DIFFICULTY = { 1: "易", 2: "中", 3: "难" };

const LETTERS = "ABCDEFGHIJ";

/** A question as the form edits it (tags as text). */
function formOf(q) {
  return {
    ...EMPTY_QUESTION,
    ...q,
    tags: (q.tags || []).join("；"),
    options: q.kind === "judge" ? ["", "", "", ""] : q.options,
  };
}

/** The form's question as the API takes it. */
function questionBody(form) {
  return {
    kind: form.kind,
    stem: form.stem,
    options: form.kind === "judge" ? ["正确", "错误"] : form.options.filter((o) => o.trim()),
    answer: form.answer,
    points: form.points,
    law_ref: form.law_ref,
    tags: form.tags.split(/[;；,，、\s]+/).filter(Boolean),
    difficulty: form.difficulty,
    pool: form.pool,
  };
}

/** Adds a question (inline) or changes one (in a dialog): the same fields. */
function QuestionForm({ id, start, submit, label, onSaved, onCancel }) {
  const [form, setForm] = useState(start);
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    const missing = missingFields({ stem: form.stem.trim() }, ["stem"]);
    if (missing) return setError(missing);
    setError(null);
    try {
      await submit(questionBody(form));
      setForm(start);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  return html`<form class="grid" id=${id} onSubmit=${save}>
    <${Field} label="题型" name="kind" errors=${errors}><select name="kind" value=${form.kind} onChange=${(e) => setForm({ ...form, kind: e.target.value, answer: [0] })}><${Options} map=${WORDS.question_kind} /></select></${Field}>
    <${Field} label="题干" name="stem" errors=${errors}><input name="stem" value=${form.stem} onInput=${(e) => setForm({ ...form, stem: e.target.value })} /></${Field}>
    ${
      form.kind !== "judge" &&
      form.options.map(
        (o, i) => html`<label class="field"><span>选项${LETTERS[i]}
        <input type=${form.kind === "single" ? "radio" : "checkbox"} name=${`${id}-answer`} checked=${form.answer.includes(i)}
          onChange=${() => setForm({ ...form, answer: form.kind === "single" ? [i] : form.answer.includes(i) ? form.answer.filter((a) => a !== i) : [...form.answer, i].sort() })} /> 正确</span>
        <input name=${`option-${i}`} value=${o} onInput=${(e) => setForm({ ...form, options: form.options.map((x, j) => (j === i ? e.target.value : x)) })} /></label>`,
      )
    }
    ${form.kind === "judge" && html`<${Field} label="答案" name="answer" errors=${errors}><select value=${String(form.answer[0] ?? 0)} onChange=${(e) => setForm({ ...form, answer: [Number(e.target.value)] })}><option value="0">正确</option><option value="1">错误</option></select></${Field}>`}
    ${form.kind !== "judge" && errors.answer && html`<em class="field-error" data-field="answer">${wordAll(errors.answer, "答案")}</em>`}
    ${form.kind !== "judge" && errors.options && html`<em class="field-error" data-field="options">${wordAll(errors.options, "选项")}</em>`}
    <${Field} label="分值" name="points" errors=${errors}><input type="number" name="points" value=${form.points} onInput=${(e) => setForm({ ...form, points: Number(e.target.value) })} /></${Field}>
    <${Field} label="法律依据" name="law_ref" errors=${errors}><input name="law_ref" value=${form.law_ref} onInput=${(e) => setForm({ ...form, law_ref: e.target.value })} /></${Field}>
    <${Field} label="标签（用分号分隔）" name="tags" errors=${errors}><input name="tags" value=${form.tags} placeholder="宪法；民法典" onInput=${(e) => setForm({ ...form, tags: e.target.value })} /></${Field}>
    <${Field} label="难度" name="difficulty" errors=${errors}><select value=${String(form.difficulty)} onChange=${(e) => setForm({ ...form, difficulty: Number(e.target.value) })}><${Options} map=${DIFFICULTY} /></select></${Field}>
    <${Field} label="题库" name="pool" errors=${errors}><select value=${form.pool} onChange=${(e) => setForm({ ...form, pool: e.target.value })}><${Options} map=${WORDS.question_pool} /></select></${Field}>
    <${ErrorBanner} error=${error} />
    <div class="wide actions"><button type="submit">${label}</button>${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>取消</button>`}</div>
  </form>`;
}

export function HrQuestions({ me, query }) {
  const [list, campaign] = useCampaign(query);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const chosen = list.find((c) => c.id === campaign);
  // A campaign run above the caller's scope (the district's) keeps its bank there.
  const owned = !me.scope || !chosen || (units || []).some((u) => u.id === chosen.owner_unit_id);
  const [filters, setFilters] = useQueryState(query, {
    campaign: "",
    q: "",
    kind: "",
    pool: "",
    sort: "",
    page: "1",
    per_page: "50",
  });
  const sorter = sortHeadings(filters, setFilters);
  const [typed, setTyped] = useTypedFilter(filters.q, (q) => setFilters({ q }));
  const listQuery = queryOf(filters, ["campaign"]);
  const [bank, bankError, reload] = useLoad(
    () =>
      campaign ? getAs("Page_QuestionView", `/campaigns/${campaign}/questions?${listQuery}`) : Promise.resolve(null),
    [campaign, listQuery],
  );
  const [error, setError] = useState(null);
  const [file, setFile] = useState(null);
  const [toast, showToast] = useToast();
  /** @type {[any, (d: any) => void]} */
  const [dialog, setDialog] = useState(null);
  const edit = (q) =>
    setDialog(
      html`<${Dialog} id="question-dialog" title="修改试题" onClose=${() => setDialog(null)}>
        <${QuestionForm} id="edit-question" start=${formOf(q)} label="保存" submit=${(body) => patch(`/questions/${q.id}`, body)}
          onSaved=${() => (setDialog(null), showToast("已保存试题。"), reload())} onCancel=${() => setDialog(null)} /></${Dialog}>`,
    );
  const remove = (q) =>
    setDialog(
      html`<${Confirm} id="confirm-delete" title="删除试题" text=${`删除“${q.stem.slice(0, 40)}”？已被考试抽到的题不会真正删除，只是停用，不再出现在新的试卷中。`}
        yes="删除" onClose=${() => setDialog(null)}
        onYes=${async () => {
          setDialog(null);
          try {
            await del(`/questions/${q.id}`);
            showToast("已删除试题。");
            reload();
          } catch (err) {
            setError(err);
          }
        }} />`,
    );
  return html`<section>
    <div class="toolbar"><${CampaignPicker} list=${list} chosen=${campaign} path="/hr/questions" extra=${{}} /></div>
    ${!owned && html`<p class="note" id="not-owned">本活动由上级单位组织，题库由其管理员维护，这里只能查看。</p>`}
    ${
      owned &&
      html`<form class="toolbar" onSubmit=${async (e) => {
        e.preventDefault();
        if (!file) return;
        setError(null);
        try {
          const r = await upload(`/campaigns/${campaign}/questions/import`, file);
          showToast(`已导入 ${r.imported} 题。`);
          reload();
        } catch (err) {
          setError(err);
        }
      }}>
      <input type="file" accept=".csv,text/csv" aria-label="选择题库文件（CSV）" onChange=${(e) => setFile(e.target.files[0])} />
      <button type="submit" disabled=${!file}>导入题库 CSV</button>
    </form>
    <details class="guide" id="csv-guide"><summary>题库 CSV 的列</summary>
      <p>第一行是列名，UTF-8 或 GBK 编码均可；有错误的行会逐行列出，整个文件不导入。</p>
      <table><thead><tr><th>列名</th><th>必填</th><th>写法</th></tr></thead><tbody>
        <tr><td>题型</td><td>是</td><td>单选、多选 或 判断</td></tr>
        <tr><td>题干</td><td>是</td><td>题目文字，最多 2000 字</td></tr>
        <tr><td>A、B、C…（或“选项”）</td><td>选择题必填</td><td>每列一个选项；或在“选项”一列里用 | 分隔；判断题可不填</td></tr>
        <tr><td>答案</td><td>是</td><td>选项字母，如 A、AC；判断题写 对/错</td></tr>
        <tr><td>分值</td><td>否</td><td>整数，默认 1</td></tr>
        <tr><td>法律依据</td><td>否</td><td>如《宪法》第三十三条</td></tr>
        <tr><td>标签</td><td>否</td><td>用分号分隔</td></tr>
        <tr><td>难度</td><td>否</td><td>易、中、难（或 1、2、3），默认 中</td></tr>
        <tr><td>题库</td><td>否</td><td>考试 或 练习，默认 考试</td></tr>
      </tbody></table>
    </details>
    <h2>添加试题</h2>
    <${QuestionForm} id="question-form" start=${EMPTY_QUESTION} label="添加试题"
      submit=${(body) => post(`/campaigns/${campaign}/questions`, body)} onSaved=${() => (showToast("已添加试题。"), reload())} />`
    }
    <${ErrorBanner} error=${error || bankError} />
    ${toast}${dialog}
    <h2>题库</h2>
    <div class="toolbar">
      <label class="inline">题干/法律依据<input id="question-search" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></label>
      <label class="inline">题型<select value=${filters.kind} onChange=${(e) => setFilters({ kind: e.target.value })}><${Options} map=${WORDS.question_kind} empty="全部" /></select></label>
      <label class="inline">题库<select value=${filters.pool} onChange=${(e) => setFilters({ pool: e.target.value })}><${Options} map=${WORDS.question_pool} empty="全部" /></select></label>
    </div>
    ${!bank && !bankError && html`<p class="muted loading">加载中…</p>`}
    ${
      bank &&
      html`<div class="scroll" tabindex="0"><table id="questions"><thead><tr>${sorter("题型", "kind")}<th>题干</th><th>选项</th><th>答案</th>${sorter("分值", "points")}<th>法律依据</th><th>标签</th>${sorter("难度", "difficulty")}<th>题库</th><th>操作</th></tr></thead>
      <tbody>${bank.items.map(
        (
          q,
        ) => html`<tr data-question=${q.id}><td>${WORDS.question_kind[q.kind]}</td><td class="clip" title=${q.stem}>${q.stem}</td>
        <td class="clip" title=${q.options.map((o, i) => `${LETTERS[i]}. ${o}`).join("　")}>${q.options.map((o, i) => `${LETTERS[i]}. ${o}`).join("　")}</td><td>${q.answer.map((a) => LETTERS[a]).join("")}</td>
        <td>${q.points}</td><td>${q.law_ref}</td><td>${q.tags.join("、")}</td><td>${DIFFICULTY[q.difficulty]}</td><td>${WORDS.question_pool[q.pool]}</td>
        <td class="row-actions">${owned && html`<button class="link" data-action="edit" onClick=${() => edit(q)}>修改</button><button class="link" data-action="delete" onClick=${() => remove(q)}>删除</button>`}</td></tr>`,
      )}</tbody></table>${bank.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${bank} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}

/** 考试记录: every attempt of a campaign, by unit and result, paged, and downloadable as
 *  filtered. @param {{ query: URLSearchParams }} props */
export function HrAttempts({ query }) {
  const [list, campaign] = useCampaign(query);
  const [units] = useLoad(() => all("UnitView", "/units"), []);
  const [filters, setFilters] = useQueryState(query, {
    campaign: "",
    unit_id: "",
    passed: "",
    page: "1",
    per_page: "50",
  });
  const listQuery = queryOf(filters, ["campaign"]);
  const exportQuery = new URLSearchParams(
    Object.entries(filters).filter(([k, v]) => v && ["unit_id", "passed"].includes(k)),
  ).toString();
  const [page, error] = useLoad(
    () =>
      campaign ? getAs("Page_AttemptListItem", `/campaigns/${campaign}/attempts?${listQuery}`) : Promise.resolve(null),
    [campaign, listQuery],
  );
  return html`<section>
    <div class="toolbar">
      <${CampaignPicker} list=${list} chosen=${campaign} path="/hr/attempts" extra=${{}} />
      <label class="inline">单位（含下级）<select id="attempts-unit" value=${filters.unit_id} onChange=${(e) => setFilters({ unit_id: e.target.value })}>
        <option value="">全部</option><${UnitOptions} units=${units || []} /></select></label>
      <label class="inline">结果<select id="attempts-passed" value=${filters.passed} onChange=${(e) => setFilters({ passed: e.target.value })}>
        <option value="">全部</option><option value="true">合格</option><option value="false">不合格</option></select></label>
      <button id="attempts-xlsx" disabled=${!campaign} onClick=${() => download(`/campaigns/${campaign}/attempts/export?format=xlsx&${exportQuery}`)}>下载 Excel</button>
      <button class="secondary" disabled=${!campaign} onClick=${() => download(`/campaigns/${campaign}/attempts/export?format=csv&${exportQuery}`)}>下载 CSV</button>
    </div>
    <${ErrorBanner} error=${error} />
    ${campaign && !page && !error && html`<p class="muted loading">加载中…</p>`}
    ${
      page &&
      html`<div class="scroll" tabindex="0"><table id="attempts"><thead><tr><th>姓名</th><th>单位</th><th>类别</th><th>状态</th><th>开始</th><th>交卷</th><th>得分</th><th>结果</th><th>等级</th><th>交卷方式</th><th>离开页面</th><th>换设备</th></tr></thead>
      <tbody>${page.items.map(
        (
          a,
        ) => html`<tr data-attempt=${a.id}><td>${a.name}</td><td class="clip" title=${a.unit_name || ""}>${a.unit_name || ""}</td>
        <td>${WORDS.attempt_kind[a.kind]}</td><td>${WORDS.attempt_status[a.status]}</td><td>${dateTime(a.started_at)}</td>
        <td>${a.finished_at ? dateTime(a.finished_at) : "—"}</td><td class="num">${a.score ?? "—"}</td>
        <td>${a.passed === null || a.passed === undefined ? "—" : a.passed ? "合格" : "不合格"}</td><td>${a.grade ? WORDS.grade[a.grade] : "—"}</td>
        <td>${a.finished_reason ? WORDS.finished_reason[a.finished_reason] : "—"}</td><td class="num" data-field="focus_losses">${a.focus_losses}</td><td class="num">${a.takeovers}</td></tr>`,
      )}</tbody></table>${page.items.length === 0 && html`<p class="empty">暂无数据</p>`}</div>
      <${Pager} page=${page} onPage=${(n) => setFilters({ page: String(n) })} onSize=${(n) => setFilters({ per_page: n })} />`
    }
  </section>`;
}

export { day };
