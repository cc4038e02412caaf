// @ts-check
// 课程: the courses of study and what each gives to study (an article, a PDF, a video or a
// link), kept by HR and the administrator.
import { html, useState, useLoad, ErrorBanner, Field, fieldErrors, useToast, Dialog, WORDS } from "./ui.js";
import { all, call, post, patch, del } from "./api.js";

const FILE_TYPES = "application/pdf,video/mp4,video/webm,video/ogg";

/** The material of one course: see it, write an article or a link, upload a file, remove. */
function MaterialDialog({ course, onSaved, onClose }) {
  const m = course.material;
  const [kind, setKind] = useState(m ? m.kind : "article");
  const [title, setTitle] = useState(m ? m.title : course.title);
  const [text, setText] = useState((m && m.text) || "");
  const [url, setUrl] = useState((m && m.url) || "");
  const [file, setFile] = useState(/** @type {File | null} */ (null));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const path = `/courses/${course.id}/material`;
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (kind === "article" || kind === "link") {
        await call("PUT", path, kind === "article" ? { kind, title, text } : { kind, title, url });
      } else if (file) {
        await call("PUT", `${path}?title=${encodeURIComponent(title)}`, file, {
          headers: { "Content-Type": file.type },
        });
      } else {
        throw new Error("请选择要上传的文件。");
      }
      onSaved(`已保存“${course.title}”的学习资料。`);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const remove = async () => {
    try {
      await del(path);
      onSaved(`已删除“${course.title}”的学习资料。`);
    } catch (err) {
      setError(err);
    }
  };
  const errors = fieldErrors(error);
  return html`<${Dialog} id="material-dialog" title=${`学习资料：${course.title}`} onClose=${onClose}>
    <form onSubmit=${save} class="grid">
      <${Field} label="类型" name="kind" errors=${errors}>
        <select id="material-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
          ${Object.entries(WORDS.material_kind).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        </select>
      </${Field}>
      <${Field} label="标题" name="material.title" errors=${errors}>
        <input id="material-title" value=${title} onInput=${(e) => setTitle(e.target.value)} />
      </${Field}>
      ${
        kind === "article" &&
        html`<${Field} label="正文（Markdown：# 标题、- 列表、**加粗**）" name="material.text" errors=${errors}>
          <textarea id="material-text" rows="12" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
        </${Field}>`
      }
      ${
        kind === "link" &&
        html`<${Field} label="网址（内网视频或网页）" name="material.url" errors=${errors}>
          <input id="material-url" value=${url} onInput=${(e) => setUrl(e.target.value)} placeholder="http://" />
        </${Field}>`
      }
      ${
        (kind === "pdf" || kind === "video") &&
        html`<${Field} label=${kind === "pdf" ? "PDF 文件" : "视频文件（MP4、WebM 或 Ogg）"} name="body" errors=${errors}>
          <input type="file" id="material-file" aria-label="选择课程文件（PDF 或视频）" accept=${FILE_TYPES} onChange=${(e) => setFile(e.target.files[0] || null)} />
        </${Field}>`
      }
      ${m && m.size != null && html`<p class="muted">当前文件 ${Math.ceil(m.size / 1024)} KB，${m.content_type}</p>`}
      <${ErrorBanner} error=${error} />
      <div class="actions">
        <button type="submit" id="material-save" disabled=${busy}>${busy ? "正在保存…" : "保存"}</button>
        ${m && html`<button type="button" class="secondary" id="material-remove" onClick=${remove}>删除资料</button>`}
        <button type="button" class="secondary" onClick=${onClose}>取消</button>
      </div>
    </form>
  </${Dialog}>`;
}

const EMPTY = { title: "", law: "", minutes: 30, description: "" };

export function Courses() {
  const [tick, setTick] = useState(0);
  const [courses, error] = useLoad(() => all("CourseView", "/courses"), [tick]);
  const [editing, setEditing] = useState(/** @type {any} */ (null));
  const [form, setForm] = useState(EMPTY);
  const [formError, setFormError] = useState(null);
  const [toast, show] = useToast();
  const saved = (text) => {
    setEditing(null);
    setTick(tick + 1);
    show(text);
  };
  const create = async (e) => {
    e.preventDefault();
    setFormError(null);
    try {
      const c = await post("/courses", form);
      setForm(EMPTY);
      saved(`已新建课程“${c.title}”。`);
    } catch (err) {
      setFormError(err);
    }
  };
  const minutes = async (c, value) => {
    try {
      await patch(`/courses/${c.id}`, { minutes: Number(value) });
      saved(`“${c.title}”时长改为 ${value} 分钟。`);
    } catch (err) {
      setFormError(err);
    }
  };
  const errors = fieldErrors(formError);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  return html`<section id="courses">
    ${toast}
    <div class="scroll" tabindex="0"><table><thead><tr><th>课程</th><th>法律</th><th>时长（分钟）</th><th>学习资料</th><th>操作</th></tr></thead>
    <tbody>${(courses || []).map(
      (c) => html`<tr data-course=${c.id}>
        <td>${c.title}</td><td>${c.law}</td>
        <td><input type="number" class="narrow" aria-label=${`${c.title}的时长`} value=${c.minutes} onChange=${(e) => minutes(c, e.target.value)} /></td>
        <td data-field="material">${c.material ? `${WORDS.material_kind[c.material.kind]}：${c.material.title}` : html`<span class="muted">无</span>`}</td>
        <td><button class="link" data-action="material" onClick=${() => setEditing(c)}>学习资料</button></td></tr>`,
    )}</tbody></table></div>
    ${editing && html`<${MaterialDialog} course=${editing} onSaved=${saved} onClose=${() => setEditing(null)} />`}
    <h2>新建课程</h2>
    <form class="grid" onSubmit=${create} id="course-form">
      <${Field} label="课程名称" name="title" errors=${errors}><input value=${form.title} onInput=${(e) => setForm({ ...form, title: e.target.value })} /></${Field}>
      <${Field} label="所学法律" name="law" errors=${errors}><input value=${form.law} onInput=${(e) => setForm({ ...form, law: e.target.value })} /></${Field}>
      <${Field} label="时长（分钟）" name="minutes" errors=${errors}><input type="number" value=${form.minutes} onInput=${(e) => setForm({ ...form, minutes: Number(e.target.value) })} /></${Field}>
      <${Field} label="说明" name="description" errors=${errors}><input value=${form.description} onInput=${(e) => setForm({ ...form, description: e.target.value })} /></${Field}>
      <${ErrorBanner} error=${formError} />
      <button type="submit">新建</button>
    </form>
  </section>`;
}
