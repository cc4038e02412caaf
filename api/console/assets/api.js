// @ts-check
// The console talks only to the public /api/v1 operations, with the tokens of the signed-in
// person kept in this tab's session storage and refreshed before they run out.

/** The API's schemas, as openapi-typescript generates them from the spec.
 *  @typedef {import("xuefa-api").components["schemas"]} Schemas */
/** An RFC 7807 problem as the API answers it, with the Retry-After of a 429.
 *  @typedef {Partial<Schemas["Problem"]> & { retryAfter?: number }} Problem */
/** The signed-in person's tokens and profile, kept in this tab; `limit` is what the
 *  person must do before anything else (change the password, enrol a second factor), and
 *  `idle` the minutes without activity after which the session ends.
 *  @typedef {{ access: string, refresh: string, expires: number, me: Schemas["MeView"],
 *    limit: "password" | "totp" | null, idle: number, greeted?: boolean }} Session */

const KEY = "xuefa.session";

export class ApiError extends Error {
  /** @param {number} status @param {Problem} problem */
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "error";
    this.errors = problem.errors || [];
    this.retryAfter = problem.retryAfter;
  }
}

/** Where the session is kept: this tab only, or — 记住我 — every tab of this browser. */
function keeper() {
  return localStorage.getItem(KEY) ? localStorage : sessionStorage;
}

/** @returns {Session | null} */
export function session() {
  try {
    return JSON.parse(keeper().getItem(KEY) || "null");
  } catch {
    return null;
  }
}

/** @param {Schemas["TokenResponse"]} pair @param {Schemas["MeView"] | null} [me] @returns {Session} */
function store(pair, me) {
  const before = session() || /** @type {Partial<Session>} */ ({});
  /** @type {Session} */
  const s = {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expires: Date.now() + pair.expires_in * 1000,
    me: me || before.me,
    limit: pair.password_change_required ? "password" : pair.totp_enrollment_required ? "totp" : null,
    idle: pair.idle_timeout_minutes || 30,
    greeted: before.greeted,
  };
  keeper().setItem(KEY, JSON.stringify(s));
  return s;
}

/** Marks the 上次登录 notice as shown for this session. */
export function greeted() {
  const s = session();
  if (s) keeper().setItem(KEY, JSON.stringify({ ...s, greeted: true }));
}

let onSignedOut = () => {};
export function whenSignedOut(f) {
  onSignedOut = f;
}

export function signOut() {
  const s = session();
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  if (s) {
    fetch("/api/v1/auth/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${s.access}` },
      body: JSON.stringify({ refresh_token: s.refresh }),
    }).catch(() => {});
  }
  onSignedOut();
}

const EXPIRED = "xuefa.expired";

/** Signs out because the session ended — `idle`: nobody used it for the idle time (the
 *  console's own watch, or the server's `session_expired`); `expired`: its refresh was
 *  refused or a request came back 401. The sign-in page says which, and the address
 *  stays, so signing in again returns to the same page.
 *  @param {"idle" | "expired"} [why] */
function expire(why = "expired") {
  sessionStorage.setItem(EXPIRED, why === "idle" ? `idle:${(session() || { idle: 30 }).idle}` : "expired");
  signOut();
}

/** Why the last sign-out happened, when a session ended (asked once, by the sign-in page):
 *  `{ idle: minutes }`, `{ expired: true }`, or null. */
export function sessionEnded() {
  const ended = sessionStorage.getItem(EXPIRED);
  sessionStorage.removeItem(EXPIRED);
  if (!ended) return null;
  return ended.startsWith("idle:") ? { idle: Number(ended.slice(5)) } : { expired: true };
}

let lastActivity = Date.now();
let idleWatch = 0;
/** Signs out after the session's idle time without a key, a click or a touch (等保: a
 *  session left open is closed). Started at sign-in and on a reload while signed in. */
export function watchIdle() {
  lastActivity = Date.now();
  if (idleWatch) return;
  const touch = () => {
    lastActivity = Date.now();
  };
  for (const type of ["keydown", "pointerdown", "wheel", "touchstart"]) {
    addEventListener(type, touch, { passive: true });
  }
  idleWatch = window.setInterval(() => {
    const s = session();
    if (s && Date.now() - lastActivity > s.idle * 60_000) expire("idle");
  }, 5_000);
}

/** @param {Response} response @returns {Promise<ApiError>} */
async function problemOf(response) {
  /** @type {Problem} */
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = { detail: response.statusText };
  }
  const retry = response.headers.get("Retry-After");
  if (retry) body.retryAfter = Number(retry);
  return new ApiError(response.status, body);
}

/** @param {string} username @param {string} password @param {boolean} [remember] 记住我:
 *  keep the session for every tab of this browser, not only this one.
 *  @param {string} [totp] the authenticator's code (or a recovery code), when asked for. */
export async function signIn(username, password, remember = false, totp = "") {
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(totp ? { username, password, totp } : { username, password }),
  });
  if (!response.ok) throw await problemOf(response);
  const pair = await response.json();
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  if (remember) localStorage.setItem(KEY, "{}");
  store(pair, null);
  const me = await call("GET", "/me");
  return store(pair, me);
}

/** Exchanges the one-time code a provider's sign-in came back with (`#sso=…`) for this
 *  server's tokens, as `signIn` does for a password.
 *  @param {string} code @param {string} [totp] the account's own second factor, when asked. */
export async function exchangeSso(code, totp = "") {
  const response = await fetch("/api/v1/auth/sso/exchange", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(totp ? { code, totp } : { code }),
  });
  if (!response.ok) throw await problemOf(response);
  const pair = await response.json();
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  store(pair, null);
  const me = await call("GET", "/me");
  return store(pair, me);
}

let refreshing = null;
/** Why the last refresh was refused (`session_expired`: idle too long). */
let refusedFor = "";
/** @param {boolean} [now] refresh even though the access token is still good (after
 *  enrolling a second factor, the renewed token is no longer limited). */
async function freshToken(now = false) {
  const s = session();
  if (!s) return null;
  // Refresh a minute before the access token runs out; one refresh at a time.
  if (!now && Date.now() < s.expires - 60_000) return s.access;
  if (!refreshing) {
    refreshing = fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: s.refresh }),
    })
      .then(async (r) => {
        if (r.ok) return store(await r.json()).access;
        refusedFor = (await r.json().catch(() => ({}))).code || "";
        return null;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Renews the session's tokens now and reads the profile again; the renewed session. */
export async function renew() {
  await freshToken(true);
  const me = await call("GET", "/me");
  const s = session();
  if (s) keeper().setItem(KEY, JSON.stringify({ ...s, me }));
  return session();
}

/** The fields that hold money (yuan with two decimals). They travel as the digits typed
 *  and shown, never through a JavaScript number: `JSON.rawJSON` writes the typed text into
 *  the request, and the response keeps each amount's source text. */
const MONEY = new Set(["amount", "fines"]);

/** A typed amount for a request body: its own digits when it is a plain decimal, else
 *  the text as it is (which the server refuses, naming the field). */
/** `JSON.rawJSON` where the browser has it (Chrome 114, Firefox 135, Safari 18.4). */
const rawJSON = /** @type {{ rawJSON?: (text: string) => unknown }} */ (JSON).rawJSON;

/** @param {unknown} text */
export function money(text) {
  const t = String(text ?? "").trim();
  if (/^\d+(\.\d+)?$/.test(t) && typeof rawJSON === "function") return rawJSON(t);
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function parseJson(text) {
  return JSON.parse(text, (key, value, context) =>
    MONEY.has(key) && typeof value === "number" && context && context.source ? context.source : value,
  );
}

/** Sends a request; JSON in, JSON out. A session that has ended (refresh refused, or 401)
 *  signs the person out to the sign-in page, which says why.
 *  @param {string} method @param {string} path @param {unknown} [body]
 *  @param {{ headers?: Record<string, string>, raw?: boolean }} [options] @returns {Promise<any>} */
export async function call(method, path, body, options = {}) {
  const signedIn = session() !== null;
  const token = await freshToken();
  if (signedIn && !token) {
    expire(refusedFor === "session_expired" ? "idle" : "expired");
    throw new ApiError(401, { code: "session_expired", detail: "登录已过期，请重新登录。" });
  }
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload = /** @type {BodyInit | undefined} */ (body);
  if (body !== undefined && !(body instanceof Blob) && typeof body !== "string") {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  if (response.status === 401 && signedIn) {
    expire();
  }
  if (!response.ok) throw await problemOf(response);
  if (options.raw) return response;
  if (response.status === 204) return null;
  return parseJson(await response.text());
}

/** @param {string} path */
export const get = (path) => call("GET", path);
/** A GET whose answer is the spec's schema `schema`: `getAs("ProgressView", path)`.
 *  @template {keyof Schemas} K @param {K} schema @param {string} path
 *  @returns {Promise<Schemas[K]>} */
export const getAs = (schema, path) => call("GET", path);
export const post = (path, body) => call("POST", path, body);
export const patch = (path, body) => call("PATCH", path, body);
export const put = (path, body) => call("PUT", path, body);
export const del = (path) => call("DELETE", path);

/** The file's name from Content-Disposition (RFC 5987 `filename*`, in Chinese). */
function filenameOf(response, fallback) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/.exec(disposition);
  return plain ? plain[1] : fallback;
}

/** Downloads an export operation's file, under its Chinese name. */
export async function download(path) {
  const response = await call("GET", path, undefined, { raw: true });
  const blob = await response.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filenameOf(response, "download");
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** An export's text (the narrative). */
export async function text(path) {
  const response = await call("GET", path, undefined, { raw: true });
  return response.text();
}

/** Uploads a CSV file as the operation reads it. */
export function upload(path, file) {
  return call("POST", path, file, { headers: { "Content-Type": "text/csv" } });
}

/** Every item of a list operation (pages of 500), each the spec's schema `schema`.
 *  @template {keyof Schemas} K @param {K} schema @param {string} path
 *  @returns {Promise<Schemas[K][]>} */
export async function all(schema, path) {
  const sep = path.includes("?") ? "&" : "?";
  let page = 1;
  const items = [];
  for (;;) {
    const got = await get(`${path}${sep}page=${page}&per_page=500`);
    items.push(...got.items);
    if (items.length >= got.total || got.items.length === 0) return items;
    page += 1;
  }
}
