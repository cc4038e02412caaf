// A cadre and HR use xuefa through a client generated from the spec (openapi-typescript
// types + openapi-fetch), compiled with `tsc --strict` and no casts: log in, read progress,
// upload a study session, download the targets as XLSX.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const base = process.env.XUEFA_BASE ?? "http://127.0.0.1:18094";
const password = process.env.XUEFA_DEMO_PASSWORD ?? "xuefa-demo-2026";

function fail(message: string): never {
  throw new Error(message);
}

async function signIn(username: string): Promise<string> {
  const client = createClient<paths>({ baseUrl: base });
  const { data, error } = await client.POST("/api/v1/auth/login", {
    body: { username, password },
  });
  if (error !== undefined || data === undefined) fail(`login ${username}: ${JSON.stringify(error)}`);
  return data.access_token;
}

function authed(token: string) {
  return createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
}

const cadre = authed(await signIn("gb00004"));
const campaigns = await cadre.GET("/api/v1/campaigns", { params: { query: {} } });
const campaign = campaigns.data?.items[0] ?? fail("the cadre has a campaign");

const progress = await cadre.GET("/api/v1/campaigns/{id}/progress/me", {
  params: { path: { id: campaign.id } },
});
if (progress.data === undefined) fail(`progress: ${JSON.stringify(progress.error)}`);
const before = progress.data.credited_minutes;

const full = await cadre.GET("/api/v1/campaigns/{id}", { params: { path: { id: campaign.id } } });
const course = full.data?.courses[0] ?? fail("the campaign has a course");
const end = new Date(Date.now() - 60 * 60 * 1000);
const start = new Date(end.getTime() - 20 * 60 * 1000);
const upload = await cadre.POST("/api/v1/study-sessions", {
  body: {
    id: crypto.randomUUID(),
    campaign_id: campaign.id,
    course_id: course.course_id,
    started_at: start.toISOString(),
    ended_at: end.toISOString(),
  },
});
if (upload.response.status !== 201 || upload.data === undefined) {
  fail(`upload: ${upload.response.status} ${JSON.stringify(upload.error)}`);
}
const minutes: number = upload.data.minutes;

const hr = authed(await signIn("hr"));
const xlsx = await hr.GET("/api/v1/campaigns/{id}/targets/export", {
  params: { path: { id: campaign.id }, query: { format: "xlsx" } },
  parseAs: "arrayBuffer",
});
if (xlsx.data === undefined) fail(`export: ${xlsx.response.status}`);
const bytes = new Uint8Array(xlsx.data);
if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) fail("the export is not an XLSX (zip) file");
const disposition = xlsx.response.headers.get("content-disposition") ?? "";
if (!disposition.includes("filename*=UTF-8''")) fail(`no Chinese filename: ${disposition}`);

console.log(
  `typescript: signed in, progress ${before} min, uploaded ${minutes} min, downloaded ${bytes.length}-byte XLSX`,
);
