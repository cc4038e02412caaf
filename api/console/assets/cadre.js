// @ts-check
// 干部 (on a phone): my campaigns and progress, the course material with a live study timer
// the server keeps (and an offline timer when the network is gone), and the exam.
import { html, useState, useEffect, useRef, useLoad, ErrorBanner, dateTime, describe, plain, WORDS } from "./ui.js";
import { ApiError, call, get, getAs, post, put, all } from "./api.js";

const QUEUE = "xuefa.unsent-sessions";

/** A UUID for a session, made here so that resending it is safe (crypto.randomUUID needs
 *  a secure context; an intranet over plain HTTP is not one). */
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** This browser's device id, made once and kept: an exam attempt belongs to the device
 *  that started it (saves from another are refused until it takes the attempt over). */
function deviceId() {
  let id = localStorage.getItem("xuefa.device");
  if (!id) {
    id = uuid();
    localStorage.setItem("xuefa.device", id);
  }
  return id;
}

/** An exam request, from this device. */
const onDevice = (method, path, body) => call(method, path, body, { headers: { "X-Device-Id": deviceId() } });

const unsent = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");
const keep = (list) => localStorage.setItem(QUEUE, JSON.stringify(list));

/** Sends every unsent session in one batch. Sent (201), already there (200) and refused
 *  for good (409, 422) leave the queue; nothing is lost if the network fails. */
async function flush() {
  const queue = unsent();
  if (queue.length === 0 || !navigator.onLine) return { sent: 0, refused: [] };
  // The phone's clock as it sends: the server corrects times written by a clock that is off.
  const device_time = new Date().toISOString();
  const sessions = queue.slice(0, 500).map((s) => ({ ...s, device_time }));
  const { results } = await post("/study-sessions/batch", { sessions });
  const done = new Set();
  const refused = [];
  results.forEach((r, i) => {
    if ([200, 201, 403, 409, 422].includes(r.status)) done.add(queue[i].id);
    if (r.status >= 400) refused.push(plain(new ApiError(r.status, r.error || {})));
  });
  keep(unsent().filter((s) => !done.has(s.id)));
  return { sent: done.size - refused.length, refused };
}

function Progress({ campaign, tick }) {
  const [full] = useLoad(() => getAs("CampaignView", `/campaigns/${campaign.id}`), [campaign.id]);
  const [progress, error] = useLoad(
    () => getAs("ProgressView", `/campaigns/${campaign.id}/progress/me`),
    [campaign.id, tick],
  );
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!progress || !full) return null;
  const titles = Object.fromEntries(full.courses.map((c) => [c.course_id, c.title]));
  return html`<div class="progress" id="progress">
    <p class="big"><strong id="credited">${progress.credited_minutes}</strong> / ${progress.required_minutes} 分钟
      ${progress.study_complete ? html`<span class="badge met">学习已完成</span>` : html`<span class="badge unmet">学习未完成</span>`}</p>
    <p class="muted" id="sources">其中在线计时 <span id="live-minutes">${progress.live_minutes}</span> 分钟，离线自报 ${progress.self_reported_minutes} 分钟${progress.min_live_share > 0 ? `（在线计时须占 ${Math.round(progress.min_live_share * 100)}% 以上）` : ""}</p>
    <ul class="courses">${progress.courses.map(
      (c) => html`<li>
      <span>${titles[c.course_id]}${c.compulsory ? "（必修）" : ""}</span>
      <progress max=${c.minutes} value=${c.credited_minutes}></progress>
      <span>${c.credited_minutes}/${c.minutes}</span></li>`,
    )}</ul>
    <p>考试：已考 ${progress.attempts_used} 次，还可考 ${progress.attempts_left} 次${progress.best_score != null ? `，最高分 ${progress.best_score}` : ""}${progress.grade ? `（${WORDS.grade[progress.grade]}）` : ""}</p>
    ${full.makeup_opens_at && progress.makeup_attempts_left > 0 && html`<p id="makeup">补考：${dateTime(full.makeup_opens_at)} 至 ${dateTime(full.makeup_closes_at)}，可考 ${progress.makeup_attempts_left} 次。</p>`}
    ${progress.passed && html`<${Certificate} campaign=${campaign} tick=${tick} />`}
  </div>`;
}

/** 合格证书: shown once the cadre has passed, with the code anyone can check. */
function Certificate({ campaign, tick }) {
  const [cert, error] = useLoad(
    () => getAs("CertificateView", `/campaigns/${campaign.id}/certificate/me`),
    [campaign.id, tick],
  );
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!cert) return null;
  return html`<div class="certificate" id="certificate">
    <h3>合格证书</h3>
    <p>${cert.name}${cert.unit ? `（${cert.unit}）` : ""}参加${cert.campaign}，成绩 ${cert.score} 分，等级<strong>${WORDS.grade[cert.grade]}</strong>，${dateTime(cert.passed_at)} 合格。</p>
    <p>证书编号 <code id="certificate-code">${cert.code}</code>　<a href=${`#/verify/${cert.code}`}>查验</a></p>
  </div>`;
}

/** Where a running study timer is kept, so a reload or a phone killing the tab does not
 *  lose it: `{course, started, live, every, heard}` per campaign (`live`: the server's
 *  session id while the server times it, `every` its heartbeat interval and `heard` when
 *  it last answered; no `live`: the offline timer). */
const timerKey = (campaignId) => `xuefa.timer.${campaignId}`;

/** @returns {{ course: string, started: number, live?: string, every?: number, heard?: number } | null} */
function runningTimer(campaignId) {
  try {
    const t = JSON.parse(localStorage.getItem(timerKey(campaignId)) || "null");
    return t && typeof t.started === "number" && t.course ? t : null;
  } catch {
    return null;
  }
}

/** A failure of the network itself (no answer), as opposed to a refusal by the server. */
const offline = (e) => !(e instanceof ApiError);

/** m 分 s 秒 */
const span = (seconds) => `${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒`;

/** The course's material: an article, a PDF or video (fetched with the sign-in, so it is
 *  shown from memory), or a link. `onRate` hears the video's playback rate. */
function Material({ course, onRate }) {
  const [src, setSrc] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(null);
  const m = course && course.material;
  useEffect(() => {
    setSrc(null);
    if (!m || !m.file_path) return;
    let url = "";
    call("GET", m.file_path.replace(/^\/api\/v1/, ""), undefined, { raw: true })
      .then((r) => r.blob())
      .then((b) => setSrc((url = URL.createObjectURL(b))), setError);
    return () => url && URL.revokeObjectURL(url);
  }, [course && course.id, m && m.sha256]);
  if (!m) return html`<p class="muted" id="material">本课程暂无学习资料，可按课程要求自行学习。</p>`;
  if (error) return html`<${ErrorBanner} error=${error} />`;
  const title = html`<h4>${m.title}</h4>`;
  if (m.kind === "article") {
    return html`<div class="material article" id="material">${title}<div dangerouslySetInnerHTML=${{ __html: m.html }}></div></div>`;
  }
  if (m.kind === "link") {
    return html`<div class="material" id="material">${title}<p><a href=${m.url} target="_blank" rel="noopener">打开学习资料</a>（在新窗口学习时，请保持本页面开启）</p></div>`;
  }
  if (!src) return html`<p class="loading" id="material">正在载入学习资料…</p>`;
  if (m.kind === "video") {
    return html`<div class="material" id="material">${title}<video controls src=${src} id="material-video"
      onRateChange=${(e) => onRate(e.target.playbackRate)}></video></div>`;
  }
  return html`<div class="material" id="material">${title}<iframe src=${src} title=${m.title}></iframe></div>`;
}

/** Study of one course: live (the server times it from heartbeats while the page is on
 *  screen) when online, else the offline timer, uploaded with the phone's clock later. */
function Study({ campaign, onStored }) {
  const [full] = useLoad(() => getAs("CampaignView", `/campaigns/${campaign.id}`), [campaign.id]);
  const [courses] = useLoad(() => all("CourseView", "/courses"), []);
  const kept = runningTimer(campaign.id);
  const [course, setCourse] = useState(kept ? kept.course : "");
  const [started, setStarted] = useState(kept ? kept.started : null);
  const [live, setLive] = useState(
    /** @type {any} */ (
      kept && kept.live ? { id: kept.live, heartbeat_seconds: kept.every, credited_seconds: 0 } : null
    ),
  );
  const [prompt, setPrompt] = useState(/** @type {string | null} */ (null));
  const [answer, setAnswer] = useState("");
  const [now, setNow] = useState(Date.now());
  const [status, setStatus] = useState("");
  const [pending, setPending] = useState(unsent().length);
  // Whether the page stayed on screen, and the fastest playback, since the last heartbeat.
  const stretch = useRef({ visible: true, rate: 1 });
  const remember = (t) =>
    t ? localStorage.setItem(timerKey(campaign.id), JSON.stringify(t)) : localStorage.removeItem(timerKey(campaign.id));
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    const online = () => send();
    const seen = () => {
      if (document.visibilityState !== "visible") stretch.current.visible = false;
    };
    addEventListener("online", online);
    document.addEventListener("visibilitychange", seen);
    send();
    return () => {
      clearInterval(timer);
      removeEventListener("online", online);
      document.removeEventListener("visibilitychange", seen);
    };
  }, []);
  const send = async () => {
    try {
      const { sent, refused } = await flush();
      if (sent > 0) {
        setStatus(`已上传 ${sent} 段学习记录。`);
        onStored();
      }
      if (refused.length > 0) setStatus(`有 ${refused.length} 段记录未被接受：${refused.join("；")}`);
    } catch (e) {
      setStatus(`暂未上传（${describe(e)}），联网后会自动补传。`);
    }
    setPending(unsent().length);
  };
  /** When the server last answered a heartbeat (or the live session began). */
  const heard = () => {
    const t = runningTimer(campaign.id);
    return (t && (t.heard || t.started)) || Date.now();
  };
  /** The network went while the server was timing: the server ends its session at the
   *  last heartbeat it heard, and the offline timer carries on from there. */
  const goOffline = () => {
    const at = heard();
    setLive(null);
    setPrompt(null);
    setStarted(at);
    remember({ course, started: at });
    setStatus("网络已断开，改为离线计时，联网后自动上传。");
  };
  /** @returns {Promise<"ok" | "offline" | "refused">} */
  const beat = async (extra = {}) => {
    if (!live) return "refused";
    const body = {
      visible: stretch.current.visible && document.visibilityState === "visible",
      playback_rate: stretch.current.rate,
      ...extra,
    };
    const video = /** @type {HTMLVideoElement | null} */ (document.getElementById("material-video"));
    stretch.current = { visible: document.visibilityState === "visible", rate: video ? video.playbackRate : 1 };
    try {
      const got = await post(`/study-sessions/live/${live.id}/heartbeat`, body);
      setLive(got);
      setPrompt(got.presence_check ? got.presence_check.prompt : null);
      const t = runningTimer(campaign.id);
      if (t) remember({ ...t, heard: Date.now() });
      return "ok";
    } catch (e) {
      if (offline(e)) {
        goOffline();
        return "offline";
      }
      setLive(null);
      remember(null);
      setStarted(null);
      setStatus(describe(e));
      return "refused";
    }
  };
  useEffect(() => {
    if (!live || !live.heartbeat_seconds) return;
    const timer = setInterval(beat, live.heartbeat_seconds * 1000);
    return () => clearInterval(timer);
  }, [live && live.id, live && live.heartbeat_seconds, prompt]);
  const begin = async () => {
    const at = Date.now();
    setStatus("");
    stretch.current = { visible: true, rate: 1 };
    if (navigator.onLine) {
      try {
        const got = await post("/study-sessions/live", { campaign_id: campaign.id, course_id: Number(course) });
        setLive(got);
        setStarted(at);
        remember({ course, started: at, live: got.id, every: got.heartbeat_seconds });
        return;
      } catch (e) {
        if (!offline(e)) {
          setStatus(describe(e));
          return;
        }
      }
    }
    setStarted(at);
    remember({ course, started: at });
    setStatus("当前离线，开始离线计时，联网后自动上传。");
  };
  /** Keeps an offline stretch to upload, and sends it when the network is there. */
  const queue = async (from) => {
    const session = {
      id: uuid(),
      campaign_id: campaign.id,
      course_id: Number(course),
      started_at: new Date(from).toISOString(),
      ended_at: new Date().toISOString(),
    };
    keep([...unsent(), session]);
    remember(null);
    setStarted(null);
    setPending(unsent().length);
    if (navigator.onLine) await send();
    else setStatus("当前离线，记录已保存在本机，联网后自动上传。");
  };
  const stop = async () => {
    if (live) {
      const from = heard();
      const outcome = await beat();
      if (outcome === "offline") return queue(from);
      if (outcome === "refused") return;
      try {
        const stored = await post(`/study-sessions/live/${live.id}/end`, {});
        setStatus(`本次在线学习计入 ${stored.minutes} 分钟。`);
        onStored();
      } catch (e) {
        setStatus(offline(e) ? "网络已断开，本次在线学习将按最后一次确认的时长计入。" : describe(e));
      }
      setLive(null);
      setPrompt(null);
      setStarted(null);
      remember(null);
      return;
    }
    await queue(started);
  };
  const confirmPresence = async (e) => {
    e.preventDefault();
    await beat({ presence_answer: answer.trim() });
    setAnswer("");
  };
  const seconds = started ? Math.floor((now - started) / 1000) : 0;
  const chosen = (courses || []).find((c) => String(c.id) === course);
  return html`<div class="study" id="study">
    <label for="course">课程</label>
    <select id="course" value=${course} onChange=${(e) => setCourse(e.target.value)} disabled=${started !== null}>
      <option value="">选择课程…</option>
      ${(full ? full.courses : []).map((c) => html`<option value=${c.course_id}>${c.title}</option>`)}
    </select>
    ${
      started === null
        ? html`<button id="start-study" disabled=${!course} onClick=${begin}>开始学习</button>`
        : html`<button id="stop-study" onClick=${stop}>结束学习（${span(seconds)}）</button>`
    }
    ${
      started !== null &&
      html`<p class="muted" id="study-mode">${
        live
          ? html`在线计时：已计入 <strong id="live-credited">${span(live.credited_seconds || 0)}</strong>。页面切到后台、倍速过快或未回答在线确认时不计时。`
          : "离线计时：联网后上传。"
      }</p>`
    }
    ${
      prompt &&
      html`<form class="presence" id="presence" role="alertdialog" aria-labelledby="presence-prompt" onSubmit=${confirmPresence}>
        <p id="presence-prompt"><strong>${prompt}</strong></p>
        <label for="presence-answer">答案</label>
        <input id="presence-answer" inputmode="numeric" autocomplete="off" value=${answer} onInput=${(e) => setAnswer(e.target.value)} />
        <button id="presence-submit">确定</button>
      </form>`
    }
    ${course && html`<${Material} course=${chosen} onRate=${(r) => (stretch.current.rate = Math.max(stretch.current.rate, r))} />`}
    <p class="muted" id="study-status">${status}${pending > 0 ? `（待上传 ${pending} 段）` : ""}</p>
  </div>`;
}

/** Why 开始考试 is not open yet (or any more), from the campaign and the person's progress;
 *  null when it is. The server decides in the end; this only says why beforehand. */
function notStartable(view, progress, now) {
  if (!view || !progress) return null;
  const opens = new Date(view.exam_opens_at).getTime();
  const closes = Math.max(
    new Date(view.exam_closes_at).getTime(),
    view.makeup_closes_at ? new Date(view.makeup_closes_at).getTime() : 0,
  );
  if (now < opens) return `考试将于 ${dateTime(view.exam_opens_at)} 开始。`;
  if (now > closes) return "考试已结束。";
  if (view.exam_requires_study && !progress.study_complete) return "完成应学课程后才能开始考试。";
  if (progress.passed) return null;
  if (progress.attempts_left === 0 && progress.makeup_attempts_left === 0) return "考试次数已用完。";
  return null;
}

/** mm:ss of the seconds left. */
const clock = (left) => `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;

/** The exam page's focus losses, reported as they happen: `onReport` gets the server's
 *  count (and whether it submitted the attempt). */
function useFocusWatch(attempt, onReport) {
  useEffect(() => {
    if (!attempt || attempt.status !== "open") return undefined;
    const report = (kind) =>
      onDevice("POST", `/attempts/${attempt.id}/events`, { events: [{ kind, at: new Date().toISOString() }] }).then(
        onReport,
        () => {},
      );
    const blur = () => report("blur");
    const paste = () => report("paste");
    const fullscreen = () => !document.fullscreenElement && report("fullscreen_exit");
    window.addEventListener("blur", blur);
    document.addEventListener("paste", paste);
    document.addEventListener("fullscreenchange", fullscreen);
    return () => {
      window.removeEventListener("blur", blur);
      document.removeEventListener("paste", paste);
      document.removeEventListener("fullscreenchange", fullscreen);
    };
  }, [attempt && attempt.id, attempt && attempt.status]);
}

/** A question's flag button says what it will do. */
const flagText = (on) => (on ? "⚑ 已标记（点此取消）" : "标记此题，稍后检查");

/** The countdown said aloud (politely) at 5 minutes and at 1, not every second. */
function announcement(left) {
  if (left <= 60) return "考试剩余时间不足 1 分钟，请尽快交卷。";
  if (left <= 300) return "考试剩余时间不足 5 分钟。";
  return "";
}

/** 答题卡: every question's state (answered, unanswered, flagged) in words and marks, each
 *  a button that takes you to it. */
function AnswerSheet({ attempt, answers, flags }) {
  const jump = (q) => {
    const target = /** @type {HTMLElement | null} */ (document.querySelector(`[data-question="${q.id}"] input`));
    target?.scrollIntoView({ block: "center" });
    target?.focus();
  };
  return html`<nav class="answer-sheet" id="answer-sheet" aria-label="答题卡">
    ${attempt.questions.map((q, i) => {
      const done = (answers[q.id] || []).length > 0;
      const state = `${done ? "已答" : "未答"}${flags[q.id] ? "，已标记" : ""}`;
      return html`<button type="button" class=${`sheet-item ${done ? "answered" : "unanswered"}${flags[q.id] ? " flagged" : ""}`}
        aria-label=${`第 ${i + 1} 题，${state}`} onClick=${() => jump(q)}>${i + 1}${flags[q.id] ? "⚑" : ""}${done ? "✓" : ""}</button>`;
    })}
    <p class="muted sheet-legend">✓ 已答　⚑ 已标记　无标记为未答</p>
  </nav>`;
}

function Exam({ campaign, tick, onDone }) {
  const [attempt, setAttempt] = useState(null);
  const [answers, setAnswers] = useState({});
  const [flags, setFlags] = useState({});
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [resumed, setResumed] = useState(false);
  const [losses, setLosses] = useState(null);
  const [now, setNow] = useState(Date.now());
  const [view] = useLoad(() => getAs("CampaignView", `/campaigns/${campaign.id}`), [campaign.id]);
  const [progress] = useLoad(() => getAs("ProgressView", `/campaigns/${campaign.id}/progress/me`), [campaign.id, tick]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  /** @param {any} a */
  const open = (a) => {
    setAttempt(a);
    setAnswers(Object.fromEntries(a.questions.map((q) => [q.id, q.choices || []])));
    setFlags(Object.fromEntries(a.questions.map((q) => [q.id, q.flagged])));
  };
  /** @param {any} focus */
  const reported = async (focus) => {
    setLosses(focus);
    if (focus.submitted) {
      const done = await get(`/attempts/${attempt.id}`);
      setResult({ ...done, autoSubmitted: true });
      onDone();
    }
  };
  useFocusWatch(result ? null : attempt, reported);
  // A running attempt (after a reload, or begun on another device) is resumed, never
  // replaced: the page says so and offers to go on.
  useEffect(() => {
    if (!attempt && progress && progress.open_attempt) {
      get(`/attempts/${progress.open_attempt.id}`).then((a) => {
        open(a);
        setResumed(true);
      }, setError);
    }
  }, [progress]);
  const start = async () => {
    setError(null);
    try {
      open(await onDevice("POST", `/campaigns/${campaign.id}/attempts`));
    } catch (e) {
      setError(e);
    }
  };
  const takeOver = async () => {
    setError(null);
    try {
      open(await onDevice("POST", `/attempts/${attempt ? attempt.id : progress.open_attempt.id}/takeover`));
      setResumed(false);
    } catch (e) {
      setError(e);
    }
  };
  const save = (q, choices, flagged) =>
    onDevice("PUT", `/attempts/${attempt.id}/answers`, { answers: [{ question_id: q.id, choices, flagged }] }).catch(
      setError,
    );
  const choose = (q, i) => {
    // From the latest answers, not this render's: taps faster than a render each count.
    setAnswers((before) => {
      const current = before[q.id] || [];
      const next =
        q.kind === "multiple" ? (current.includes(i) ? current.filter((x) => x !== i) : [...current, i].sort()) : [i];
      // Saved as chosen: a crash or a lost connection loses at most this click.
      save(q, next, undefined);
      return { ...before, [q.id]: next };
    });
  };
  const flag = (q) => {
    const next = !flags[q.id];
    setFlags({ ...flags, [q.id]: next });
    save(q, answers[q.id] || [], next);
  };
  const submit = async () => {
    setConfirming(false);
    try {
      const sheet = Object.entries(answers).map(([id, choices]) => ({ question_id: Number(id), choices }));
      setResult(await onDevice("POST", `/attempts/${attempt.id}/submit`, { answers: sheet }));
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const elsewhere = error && error.code === "attempt_on_another_device";
  const takeOverButton =
    elsewhere && html`<button id="take-over" onClick=${takeOver}>在本设备继续作答（接管）</button>`;
  if (result) {
    return html`<div class="result" id="exam-result">
      ${result.autoSubmitted && html`<p class="notice" role="alert">离开考试页面次数超过规定，已自动交卷。</p>`}
      <p class="big">得分 <strong id="score">${result.score}</strong></p>
      <p><span id="grade">${WORDS.grade[result.grade]}</span>，答对 ${result.correct} / ${result.total} 题。</p></div>`;
  }
  if (!attempt) {
    const why = notStartable(view, progress, now);
    return html`<div>
      ${progress && progress.extra_minutes > 0 && html`<p id="extra-time">您的考试时间延长 ${progress.extra_minutes} 分钟。</p>`}
      ${
        progress &&
        progress.max_focus_losses != null &&
        html`<p class="notice" id="focus-rule">考试期间请勿离开考试页面：离开考试页面超过 ${progress.max_focus_losses} 次将自动交卷。</p>`
      }
      <button id="start-exam" onClick=${start} disabled=${!!why || !progress}>开始考试</button>
      ${why && html`<p class="muted" id="start-why">${why}</p>`}
      <${ErrorBanner} error=${error} />${takeOverButton}
    </div>`;
  }
  const left = Math.max(0, Math.floor((new Date(attempt.deadline).getTime() - now) / 1000));
  if (resumed) {
    return html`<p class="notice" id="exam-running">考试进行中，剩余 <strong>${clock(left)}</strong>
      <button onClick=${() => setResumed(false)} id="continue-exam">继续作答</button></p>`;
  }
  const unanswered = attempt.questions.filter((q) => !(answers[q.id] || []).length).length;
  const limit = losses ? losses.limit : attempt.max_focus_losses;
  return html`<div class="exam" id="exam">
    ${attempt.kind === "makeup" && html`<p class="badge unmet" id="makeup-attempt">补考</p>`}
    <p class="countdown">剩余时间 <strong id="countdown">${clock(left)}</strong>（截止 ${dateTime(attempt.deadline)}）</p>
    <p class="visually-hidden" aria-live="polite" id="time-announcement">${announcement(left)}</p>
    ${
      limit != null &&
      html`<p class="muted" id="focus-count">已离开考试页面 ${losses ? losses.focus_losses : attempt.focus_losses} 次，超过 ${limit} 次将自动交卷。</p>`
    }
    <${AnswerSheet} attempt=${attempt} answers=${answers} flags=${flags} />
    <ol>${attempt.questions.map(
      (q, n) => html`<li class="question" data-question=${q.id} data-kind=${q.kind}>
      <fieldset><legend><span class="kind">${WORDS.question_kind[q.kind]}</span> ${q.stem}（${q.points} 分）</legend>
      ${q.options.map(
        (
          o,
          i,
        ) => html`<label class="option"><input type=${q.kind === "multiple" ? "checkbox" : "radio"} name=${`q${q.id}`}
        checked=${(answers[q.id] || []).includes(i)} onChange=${() => choose(q, i)} /> ${o}</label>`,
      )}
      <button type="button" class="link flag" aria-pressed=${flags[q.id] ? "true" : "false"} onClick=${() => flag(q)}
        aria-label=${`${flagText(flags[q.id])}（第 ${n + 1} 题）`}>${flagText(flags[q.id])}</button>
      </fieldset>
    </li>`,
    )}</ol>
    <${ErrorBanner} error=${error} />${takeOverButton}
    ${
      confirming
        ? html`<div class="confirm" role="alertdialog" aria-labelledby="confirm-text" id="submit-confirm">
          <p id="confirm-text">${unanswered > 0 ? `还有 ${unanswered} 题未作答。` : "已全部作答。"}交卷后不能再修改，确定交卷吗？</p>
          <button id="confirm-submit" onClick=${submit}>确定交卷</button>
          <button class="secondary" id="cancel-submit" onClick=${() => setConfirming(false)}>继续作答</button>
        </div>`
        : html`<button id="submit-exam" onClick=${() => setConfirming(true)}>交卷</button>`
    }
  </div>`;
}

/** 模拟练习: practice-pool questions, each marked right or wrong as soon as it is answered. */
function Practice({ campaign, onAnswered }) {
  const [set, setSet] = useState(null);
  const [chosen, setChosen] = useState({});
  const [verdicts, setVerdicts] = useState({});
  const [error, setError] = useState(null);
  const start = async () => {
    setError(null);
    try {
      setSet(await post(`/campaigns/${campaign.id}/practice`, {}));
      setChosen({});
      setVerdicts({});
    } catch (e) {
      setError(e);
    }
  };
  const choose = (q, i) => {
    const current = chosen[q.id] || [];
    setChosen({
      ...chosen,
      [q.id]:
        q.kind === "multiple" ? (current.includes(i) ? current.filter((x) => x !== i) : [...current, i].sort()) : [i],
    });
  };
  const check = async (q) => {
    try {
      const v = await post(`/practice/${set.id}/answers`, { question_id: q.id, choices: chosen[q.id] || [] });
      setVerdicts({ ...verdicts, [q.id]: v });
      onAnswered();
    } catch (e) {
      setError(e);
    }
  };
  if (!set) {
    return html`<div><button class="secondary" id="start-practice" onClick=${start}>开始练习</button><${ErrorBanner} error=${error} /></div>`;
  }
  if (set.questions.length === 0) return html`<p class="muted" id="practice">练习题库暂无题目。</p>`;
  return html`<div class="practice" id="practice">
    <ol>${set.questions.map((q) => {
      const v = verdicts[q.id];
      return html`<li class="question" data-question=${q.id}>
        <p>${q.stem}</p>
        ${q.options.map(
          (
            o,
            i,
          ) => html`<label class="option"><input type=${q.kind === "multiple" ? "checkbox" : "radio"} name=${`p${q.id}`}
          disabled=${!!v} checked=${(chosen[q.id] || []).includes(i)} onChange=${() => choose(q, i)} /> ${o}</label>`,
        )}
        ${
          v
            ? html`<p class=${v.correct ? "verdict right" : "verdict wrong"}>${v.correct ? "回答正确" : `回答错误，正确答案：${v.answer.map((i) => q.options[i]).join("、")}`}${v.law_ref ? `（${v.law_ref}）` : ""}</p>`
            : html`<button class="secondary check" disabled=${!(chosen[q.id] || []).length} onClick=${() => check(q)}>确定</button>`
        }
      </li>`;
    })}</ol>
    <${ErrorBanner} error=${error} />
    <button class="secondary" onClick=${start}>再练一组</button>
  </div>`;
}

/** 错题本: practice questions answered wrong, and exam ones once every window has closed. */
function Mistakes({ campaign, tick }) {
  const [page, error] = useLoad(
    () => getAs("Page_MistakeView", `/campaigns/${campaign.id}/mistakes/me?per_page=100`),
    [campaign.id, tick],
  );
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!page) return null;
  if (page.total === 0) return html`<p class="muted" id="mistakes">暂无错题。</p>`;
  return html`<ol class="mistakes" id="mistakes">${page.items.map(
    (m) => html`<li data-question=${m.question_id}>
    <p>${m.stem}<span class="muted">（${m.source === "exam" ? "考试" : "练习"}）</span></p>
    <p class="muted">我的答案：${m.choices.map((i) => m.options[i]).join("、") || "未作答"}；正确答案：${m.answer.map((i) => m.options[i]).join("、")}${m.law_ref ? `（${m.law_ref}）` : ""}</p>
  </li>`,
  )}</ol>`;
}

/** My notices (reminders from HR and the automatic ones), unread first to the eye. */
function Notices() {
  const [page, error, reload] = useLoad(() => getAs("NoticePage", "/me/notices?per_page=20"), []);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!page || page.total === 0) return null;
  const read = async (n) => {
    await post(`/me/notices/${n.id}/read`, {});
    reload();
  };
  return html`<article class="card notices" id="notices">
    <h2>通知${page.unread > 0 ? html` <span class="badge unmet" id="unread">${page.unread} 条未读</span>` : ""}</h2>
    <ul>${page.items.map(
      (n) => html`<li class=${n.read_at ? "read" : "unread"} key=${n.id}>
      <strong>${n.title}</strong> <span class="muted">${dateTime(n.created_at)}</span>
      <p>${n.body}</p>
      ${!n.read_at && html`<button class="link" onClick=${() => read(n)}>标为已读</button>`}
    </li>`,
    )}</ul>
  </article>`;
}

export function CadreHome() {
  const [campaigns, error] = useLoad(() => all("CampaignSummary", "/campaigns"), []);
  const [tick, setTick] = useState(0);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!campaigns) return html`<p class="loading">正在加载…</p>`;
  if (campaigns.length === 0) return html`<${Notices} /><p>您还没有参加的学法活动。</p>`;
  return html`<section class="cadre"><${Notices} />${campaigns.map(
    (c) => html`<article class="card" key=${c.id}>
    <h2>${c.title}</h2>
    <p class="muted">学习 ${c.study_starts_on} 至 ${c.study_ends_on}；考试 ${dateTime(c.exam_opens_at)} 至 ${dateTime(c.exam_closes_at)}</p>
    <${Progress} campaign=${c} tick=${tick} />
    <h3>学习</h3><${Study} campaign=${c} onStored=${() => setTick(tick + 1)} />
    <h3>考试</h3><${Exam} campaign=${c} tick=${tick} onDone=${() => setTick(tick + 1)} />
    <h3>模拟练习</h3><${Practice} campaign=${c} onAnswered=${() => setTick(tick + 1)} />
    <h3>错题本</h3><${Mistakes} campaign=${c} tick=${tick} />
  </article>`,
  )}</section>`;
}
