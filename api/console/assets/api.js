// @ts-check
// The console talks only to the public /api/v1 operations, with the tokens of the signed-in
// person kept in this tab's session storage and refreshed before they run out.

/** The API's schemas, as openapi-typescript generates them from the spec.
 *  @typedef {import("xuefa-api").components["schemas"]} Schemas */
/** An RFC 7807 problem as the API answers it, with the Retry-After of a 429.
 *  @typedef {Partial<Schemas["Problem"]> & { retryAfter?: number }} Problem */
/** The signed-in person's tokens and profile, kept in this tab.
 *  @typedef {{ access: string, refresh: string, expires: number, me: Schemas["MeView"] }} Session */

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
  const s = {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expires: Date.now() + pair.expires_in * 1000,
    me: me || (session() || {}).me,
  };
  keeper().setItem(KEY, JSON.stringify(s));
  return s;
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

/** Signs out because the session ended (its refresh was refused, or a request came back
 *  401): the sign-in page says so, and the address stays, so signing in again returns to
 *  the same page. */
function expire() {
  sessionStorage.setItem(EXPIRED, "1");
  signOut();
}

/** Whether the last sign-out was a session that ended (asked once, by the sign-in page). */
export function sessionEnded() {
  const ended = sessionStorage.getItem(EXPIRED) === "1";
  sessionStorage.removeItem(EXPIRED);
  return ended;
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
 *  keep the session for every tab of this browser, not only this one. */
export async function signIn(username, password, remember = false) {
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
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

let refreshing = null;
async function freshToken() {
  const s = session();
  if (!s) return null;
  // Refresh a minute before the access token runs out; one refresh at a time.
  if (Date.now() < s.expires - 60_000) return s.access;
  if (!refreshing) {
    refreshing = fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: s.refresh }),
    })
      .then(async (r) => (r.ok ? store(await r.json()).access : null))
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
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
    expire();
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
