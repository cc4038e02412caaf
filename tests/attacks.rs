//! The attack matrix: every write endpoint tried with the wrong role and with malformed
//! input, every id-taking endpoint with another cadre's ids. Each case must get the right
//! 4xx and leave every domain row as it was.

use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp, session};

/// What a test world holds: ids to aim at, and a token per role.
struct World {
    tokens: Vec<(&'static str, String)>,
    ids: std::collections::HashMap<&'static str, i64>,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (_, judicial) = app.login_as("judicial", &[Role::Judicial]).await;
    let (cadre, cadre_token) = app.login_as("cadre", &[Role::Cadre]).await;
    let (_, sysadmin) = app.login_as("sysadmin", &[Role::Sysadmin]).await;
    let (_, secadmin) = app.login_as("secadmin", &[Role::Secadmin]).await;
    let (_, auditor) = app.login_as("auditor", &[Role::Auditor]).await;
    let unit = app.make_unit(&admin, "街道", "street", None).await;
    let campaign = app.make_campaign(&hr).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let question = app
        .post(
            &format!("/api/v1/campaigns/{}/questions", campaign.id),
            &hr,
            json!({"kind": "judge", "stem": "s", "options": ["正确", "错误"], "answer": [0]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let activity = app
        .post("/api/v1/activities", &judicial, json!({"kind": "publicity", "title": "t", "held_on": "2026-05-01", "organizer_unit_id": unit, "audience": "public", "attendance": 5}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut ids: std::collections::HashMap<&'static str, i64> = [
        ("unit", unit),
        ("campaign", campaign.id),
        ("course", campaign.law_course),
        ("cadre", cadre),
        ("question", question),
        ("activity", activity),
    ]
    .into_iter()
    .collect();
    for (name, path, body) in ledger_records(unit) {
        let id = app.post(path, &judicial, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        ids.insert(name, id);
    }
    let leader = app.make_user("leader", &[Role::Cadre], Some(unit)).await;
    app.patch(
        &format!("/api/v1/users/{leader}"),
        &admin,
        json!({"is_leader": true}),
    )
    .await
    .expect(200);
    ids.insert("leader", leader);
    for (name, path, body, _, _) in law_records(unit, leader) {
        let id = app.post(path, &judicial, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        ids.insert(name, id);
    }
    World {
        tokens: vec![
            ("admin", admin),
            ("hr", hr),
            ("judicial", judicial),
            ("cadre", cadre_token),
            ("sysadmin", sysadmin),
            ("secadmin", secadmin),
            ("auditor", auditor),
        ],
        ids,
    }
}

/// A write operation: method, path, a valid body, and the roles allowed to call it.
type WriteCase = (&'static str, String, Option<Value>, &'static [&'static str]);

const MANAGERS: &[&str] = &["admin", "hr"];
const JUDICIAL: &[&str] = &["admin", "judicial"];
/// 述职述法: HR keeps them too.
const LAW_REPORTS: &[&str] = &["admin", "judicial", "hr"];
/// Units and accounts' details: also the system administrator (三权分立).
const ACCOUNTS: &[&str] = &["admin", "hr", "sysadmin"];
/// A one-time password: also the security administrator.
const RESETS: &[&str] = &["admin", "hr", "secadmin"];
/// Unlocks and a second factor's reset: the security administrator (or admin).
const SECURITY: &[&str] = &["admin", "secadmin"];

/// Every write operation of the spec, with a valid body and the roles allowed to call it.
fn write_matrix(w: &World, campaign_course: i64) -> Vec<WriteCase> {
    let id = |k: &str| w.ids[k];
    let mut matrix = vec![
        (
            "POST",
            "/api/v1/units".into(),
            Some(json!({"name": "新单位", "kind": "other"})),
            ACCOUNTS,
        ),
        (
            "PATCH",
            format!("/api/v1/units/{}", id("unit")),
            Some(json!({"name": "改名"})),
            ACCOUNTS,
        ),
        (
            "DELETE",
            format!("/api/v1/units/{}", id("unit")),
            None,
            ACCOUNTS,
        ),
        (
            "POST",
            "/api/v1/users".into(),
            Some(json!({"username": "new1", "password": "Study-Law-123", "name": "新人"})),
            ACCOUNTS,
        ),
        (
            "PATCH",
            format!("/api/v1/users/{}", id("cadre")),
            Some(json!({"is_leader": true})),
            ACCOUNTS,
        ),
        (
            "POST",
            format!("/api/v1/users/{}/reset-password", id("cadre")),
            None,
            RESETS,
        ),
        (
            "POST",
            format!("/api/v1/users/{}/unlock", id("cadre")),
            None,
            SECURITY,
        ),
        (
            "POST",
            format!("/api/v1/users/{}/reset-totp", id("cadre")),
            None,
            SECURITY,
        ),
        (
            "DELETE",
            format!(
                "/api/v1/campaigns/{}/enrollments/{}",
                id("campaign"),
                id("cadre")
            ),
            None,
            MANAGERS,
        ),
        (
            "POST",
            "/api/v1/users/import?default_password=Study-Law-123".into(),
            None,
            ACCOUNTS,
        ),
        (
            "POST",
            "/api/v1/courses".into(),
            Some(json!({"title": "新课", "minutes": 10})),
            MANAGERS,
        ),
        (
            "PATCH",
            format!("/api/v1/courses/{}", id("course")),
            Some(json!({"minutes": 61})),
            MANAGERS,
        ),
        (
            "PUT",
            format!("/api/v1/courses/{}/material", id("course")),
            Some(json!({"kind": "article", "title": "宪法", "text": "第一条"})),
            MANAGERS,
        ),
        (
            "DELETE",
            format!("/api/v1/courses/{}/material", id("course")),
            None,
            MANAGERS,
        ),
    ];
    matrix.extend(campaign_and_record_writes(w, campaign_course));
    matrix.extend(ledger_writes(w));
    matrix.extend(law_writes(w));
    matrix
}

/// One valid new record of each of the rest of the report's records: (id name, path,
/// body, a change, who writes it). `leader` is a leading cadre of `unit`.
pub fn law_records(
    unit: i64,
    leader: i64,
) -> Vec<(
    &'static str,
    &'static str,
    Value,
    Value,
    &'static [&'static str],
)> {
    vec![
        (
            "law-tasks",
            "/api/v1/law-tasks",
            json!({"year": 2026, "title": "任务", "category": "leadership", "unit_id": unit, "due_on": "2026-05-01"}),
            json!({"status": "in_progress"}),
            JUDICIAL,
        ),
        (
            "decision-reviews",
            "/api/v1/decision-reviews",
            json!({"title": "决策", "unit_id": unit, "category": "major_matter", "submitted_on": "2026-05-01"}),
            json!({"reviewer": "legal_adviser", "result": "lawful"}),
            JUDICIAL,
        ),
        (
            "legal-advisers",
            "/api/v1/legal-advisers",
            json!({"name": "王律师", "kind": "legal_adviser", "unit_id": unit, "since": "2026-01-01"}),
            json!({"until": "2026-05-31"}),
            JUDICIAL,
        ),
        (
            "law-reports",
            "/api/v1/law-reports",
            json!({"user_id": leader, "year": 2026, "form": "written", "held_on": "2026-05-01"}),
            json!({"rating": "good"}),
            LAW_REPORTS,
        ),
        (
            "pufa-duties",
            "/api/v1/pufa-duties",
            json!({"unit_id": unit, "year": 2026, "law": "宪法"}),
            json!({"status": "done"}),
            JUDICIAL,
        ),
    ]
}

/// Each of those records' create, change, delete and import, and a task's 自查 note.
fn law_writes(w: &World) -> Vec<WriteCase> {
    let mut cases = Vec::new();
    for (name, path, body, change, allowed) in law_records(w.ids["unit"], w.ids["leader"]) {
        let item = format!("{path}/{}", w.ids[name]);
        cases.push(("POST", path.to_owned(), Some(body), allowed));
        cases.push(("PATCH", item.clone(), Some(change), allowed));
        cases.push(("DELETE", item, None, allowed));
        cases.push(("POST", format!("{path}/import"), None, allowed));
    }
    cases.push((
        "POST",
        format!("/api/v1/law-tasks/{}/notes", w.ids["law-tasks"]),
        Some(json!({"on": "2026-05-02", "text": "已自查"})),
        JUDICIAL,
    ));
    cases
}

/// One valid new record of each ledger: (id name, path, body).
pub fn ledger_records(unit: i64) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "mediation-cases",
            "/api/v1/mediation-cases",
            json!({"committee_unit_id": unit, "received_on": "2026-05-01", "category": "family", "result": "settled", "amount": 10.5}),
        ),
        (
            "legal-services",
            "/api/v1/legal-services",
            json!({"kind": "consultation", "unit_id": unit, "held_on": "2026-05-01", "count": 2}),
        ),
        (
            "screenings",
            "/api/v1/screenings",
            json!({"unit_id": unit, "held_on": "2026-05-01", "issues_found": 3, "issues_resolved": 1}),
        ),
        (
            "petitions",
            "/api/v1/petitions",
            json!({"unit_id": unit, "received_on": "2026-05-01", "cases": 1, "visitors": 4}),
        ),
        (
            "inspections",
            "/api/v1/inspections",
            json!({"unit_id": unit, "held_on": "2026-05-01", "field": "safety", "entities_checked": 5}),
        ),
    ]
}

/// Each ledger's create, change, delete and import: the judicial office's (and admin's).
fn ledger_writes(w: &World) -> Vec<WriteCase> {
    let mut cases = Vec::new();
    for (name, path, body) in ledger_records(w.ids["unit"]) {
        let item = format!("{path}/{}", w.ids[name]);
        cases.push(("POST", path.to_owned(), Some(body), JUDICIAL));
        cases.push((
            "PATCH",
            item.clone(),
            Some(json!({"notes": "改"})),
            JUDICIAL,
        ));
        cases.push(("DELETE", item, None, JUDICIAL));
        cases.push(("POST", format!("{path}/import"), None, JUDICIAL));
    }
    cases
}

/// The campaign's, the question bank's, the activities' and the cadres' writes.
fn campaign_and_record_writes(w: &World, campaign_course: i64) -> Vec<WriteCase> {
    let id = |k: &str| w.ids[k];
    vec![
        (
            "POST",
            "/api/v1/campaigns".into(),
            Some(
                json!({"year": 2026, "title": "t", "study_starts_on": "2026-01-01", "study_ends_on": "2026-12-31", "required_minutes": 10, "exam_opens_at": "2026-11-01T00:00:00Z", "exam_closes_at": "2026-11-02T00:00:00Z"}),
            ),
            MANAGERS,
        ),
        (
            "PATCH",
            format!("/api/v1/campaigns/{}", id("campaign")),
            Some(json!({"pass_score": 90})),
            MANAGERS,
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/enrollments", id("campaign")),
            Some(json!({"unit_ids": [id("unit")]})),
            MANAGERS,
        ),
        (
            "PATCH",
            format!(
                "/api/v1/campaigns/{}/enrollments/{}",
                id("campaign"),
                id("cadre")
            ),
            Some(json!({"exempt": true, "exempt_reason": "病假"})),
            MANAGERS,
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/questions", id("campaign")),
            Some(json!({"kind": "judge", "stem": "x", "options": ["正确", "错误"], "answer": [1]})),
            MANAGERS,
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/questions/import", id("campaign")),
            Some(
                json!({"questions": [{"kind": "judge", "stem": "y", "options": ["正确", "错误"], "answer": [1]}]}),
            ),
            MANAGERS,
        ),
        (
            "PATCH",
            format!("/api/v1/questions/{}", id("question")),
            Some(json!({"points": 3})),
            MANAGERS,
        ),
        (
            "DELETE",
            format!("/api/v1/questions/{}", id("question")),
            None,
            MANAGERS,
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/reminders", id("campaign")),
            Some(json!({"target": "study"})),
            MANAGERS,
        ),
        (
            "POST",
            "/api/v1/reports/annual/2026/archive".into(),
            None,
            JUDICIAL,
        ),
        (
            "POST",
            "/api/v1/activities".into(),
            Some(
                json!({"kind": "publicity", "title": "t2", "held_on": "2026-05-02", "organizer_unit_id": id("unit"), "audience": "public", "attendance": 5}),
            ),
            JUDICIAL,
        ),
        (
            "PATCH",
            format!("/api/v1/activities/{}", id("activity")),
            Some(json!({"attendance": 6})),
            JUDICIAL,
        ),
        (
            "DELETE",
            format!("/api/v1/activities/{}", id("activity")),
            None,
            JUDICIAL,
        ),
        (
            "POST",
            "/api/v1/study-sessions".into(),
            Some(session(id("campaign"), campaign_course, "08:00", "08:30")),
            &["cadre"],
        ),
        (
            "POST",
            "/api/v1/study-sessions/live".into(),
            Some(json!({"campaign_id": id("campaign"), "course_id": campaign_course})),
            &["cadre"],
        ),
        (
            "POST",
            "/api/v1/study-sessions/batch".into(),
            Some(json!({"sessions": [session(id("campaign"), campaign_course, "09:00", "09:30")]})),
            &["cadre"],
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/attempts", id("campaign")),
            None,
            &["cadre"],
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{}/practice", id("campaign")),
            Some(json!({})),
            &["cadre"],
        ),
    ]
}

/// Write operations outside the role matrix, and why.
const OWN_ACCOUNT_OPERATIONS: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/sso/exchange",
    "POST /api/v1/me/password",
    "POST /api/v1/me/totp",
    "POST /api/v1/me/totp/confirm",
    "DELETE /api/v1/me/totp",
    // Owner-only, tried with another cadre's ids below.
    "PUT /api/v1/attempts/{id}/answers",
    "POST /api/v1/attempts/{id}/submit",
    "POST /api/v1/practice/{id}/answers",
    // Another cadre's attempt is 404 (tests/exam_fairness.rs).
    "POST /api/v1/attempts/{id}/events",
    "POST /api/v1/attempts/{id}/takeover",
    // Another cadre's live session is 404 (tests/live.rs).
    "POST /api/v1/study-sessions/live/{id}/heartbeat",
    "POST /api/v1/study-sessions/live/{id}/end",
    // Anyone's own notice; another's is 404 (tests/notices.rs).
    "POST /api/v1/me/notices/{id}/read",
];

fn template(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap()
        .split('/')
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                "{id}".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_write_endpoint_refuses_the_roles_it_is_not_for() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let matrix = write_matrix(&w, w.ids["course"]);

    // The matrix covers every write operation of the spec, so a new one cannot slip by.
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let covered: Vec<String> = matrix
        .iter()
        .map(|(m, p, _, _)| format!("{m} {}", template(p)))
        .collect();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| ["post", "put", "patch", "delete"].contains(&m.as_str()))
        {
            let key = format!(
                "{} {}",
                method.to_uppercase(),
                path.replace("{user_id}", "{id}").replace("{year}", "{id}")
            );
            assert!(
                covered.contains(&key)
                    || OWN_ACCOUNT_OPERATIONS
                        .contains(&format!("{} {path}", method.to_uppercase()).as_str()),
                "{key} is in no attack matrix"
            );
        }
    }

    let roster = "姓名,工号\n某人,7001\n".as_bytes().to_vec();
    let mut refused = 0;
    for (method, path, body, allowed) in &matrix {
        for (role, token) in &w.tokens {
            if allowed.contains(role) {
                continue;
            }
            let before = app.fingerprint().await;
            let reply = if path.contains("/import") && body.is_none() {
                app.call_raw(method, path, Some(token), "text/csv", roster.clone())
                    .await
            } else {
                app.call(method, path, Some(token), body.clone()).await
            };
            assert_eq!(reply.status, 403, "{role} {method} {path}: {}", reply.body);
            assert_eq!(reply.body["code"], "forbidden");
            assert_eq!(
                app.fingerprint().await,
                before,
                "{role} {method} {path} changed something"
            );
            refused += 1;
        }
    }
    assert_eq!(
        refused, 359,
        "of 73 operations: 55 refused to five roles, 7 account ones and 4 述法 ones to four, \
         2 security ones to five, 5 cadre ones to six"
    );
}

/// Bodies that must be refused by every write endpoint.
fn malformed() -> Vec<(&'static str, &'static str, Vec<u8>, &'static [u16])> {
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)).into_bytes();
    let mut huge = br#"{"name": ""#.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 1024 * 1024 + 100));
    huge.extend(br#""}"#);
    vec![
        ("invalid UTF-8", "application/json", b"{\"name\": \"\xff\xfe\xfd\"}".to_vec(), &[400, 422]),
        ("deeply nested", "application/json", deep, &[400, 422]),
        ("wrong type (a string)", "application/json", b"\"hello\"".to_vec(), &[400, 422]),
        ("wrong type (an array)", "application/json", b"[1, 2, 3]".to_vec(), &[400, 422]),
        ("truncated", "application/json", b"{\"name\": ".to_vec(), &[400, 422]),
        ("out of range numbers", "application/json", br#"{"id": 1e400, "year": 99999999999999999999, "attendance": -1e30, "minutes": 1e30, "points": 9e18}"#.to_vec(), &[400, 422]),
        ("oversized", "application/json", huge, &[413]),
        ("not JSON at all", "text/plain", b"name=x".to_vec(), &[400, 415, 422]),
    ]
}

#[tokio::test]
async fn every_write_endpoint_refuses_malformed_input() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let admin = &w.tokens[0].1;
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let mut tried = 0;
    let before = app.fingerprint().await;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op.get("requestBody").is_none() {
                continue;
            }
            let url = path
                .replace("{id}", &w.ids["campaign"].to_string())
                .replace("{user_id}", &w.ids["cadre"].to_string())
                .replace("{year}", "2026");
            let method = method.to_uppercase();
            for (what, content_type, body, expected) in malformed() {
                // A CSV upload is text: only the size limit and non-text apply to it.
                let csv = op["requestBody"]["content"].get("text/csv").is_some()
                    && op["requestBody"]["content"]
                        .get("application/json; charset=utf-8")
                        .is_none();
                if csv && !matches!(what, "oversized" | "not JSON at all") {
                    continue;
                }
                let reply = app
                    .call_raw(&method, &url, Some(admin), content_type, body)
                    .await;
                assert!(
                    expected.contains(&reply.status.as_u16()),
                    "{method} {url} with {what}: {} {}",
                    reply.status,
                    reply.body
                );
                assert_eq!(
                    reply.headers["content-type"], "application/problem+json",
                    "{method} {url} with {what}"
                );
                tried += 1;
            }
        }
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "a refused request stored something"
    );
    assert!(tried > 150, "{tried} cases");
    eprintln!(
        "attacks: {tried} malformed bodies refused across every write endpoint, nothing stored"
    );
}

#[tokio::test]
async fn another_cadres_ids_get_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let hr = &w.tokens[1].1;
    let campaign = w.ids["campaign"];
    let victim = w.ids["cadre"];
    let victim_token = &w.tokens[3].1;
    let (intruder, _) = app.login_as("intruder", &[Role::Cadre]).await;
    app.enroll(hr, campaign, &[intruder]).await;
    app.post(
        "/api/v1/study-sessions",
        victim_token,
        session(campaign, w.ids["course"], "08:00", "08:30"),
    )
    .await
    .expect(201);
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    // Tokens follow the server's clock: everyone signs in again at the exam date.
    let hr = &app.token("hr", PASSWORD).await;
    let victim_token = &app.token("cadre", PASSWORD).await;
    let intruder_token = app.token("intruder", PASSWORD).await;
    app.patch(
        &format!("/api/v1/campaigns/{campaign}"),
        hr,
        json!({"exam_requires_study": false}),
    )
    .await
    .expect(200);
    let attempt = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{campaign}/attempts"),
            Some(victim_token),
            None,
        )
        .await
        .expect(201);
    let attempt_id = attempt["id"].as_i64().unwrap();
    let practice = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/practice"),
            victim_token,
            json!({}),
        )
        .await
        .expect(201);
    let pair = app.login("cadre", PASSWORD).await.expect(200);

    let before = app.fingerprint().await;
    let t = Some(intruder_token.as_str());
    let cases: Vec<(&str, String, Option<Value>, u16)> = vec![
        ("GET", format!("/api/v1/attempts/{attempt_id}"), None, 403),
        (
            "PUT",
            format!("/api/v1/attempts/{attempt_id}/answers"),
            Some(json!({"answers": []})),
            403,
        ),
        (
            "POST",
            format!("/api/v1/attempts/{attempt_id}/submit"),
            Some(json!({"answers": []})),
            403,
        ),
        (
            "GET",
            format!("/api/v1/campaigns/{campaign}/progress/{victim}"),
            None,
            403,
        ),
        // Someone else's practice set is not there at all.
        (
            "POST",
            format!("/api/v1/practice/{}/answers", practice["id"]),
            Some(json!({"question_id": 1, "choices": [0]})),
            404,
        ),
        (
            "GET",
            format!("/api/v1/study-sessions?user_id={victim}"),
            None,
            403,
        ),
        ("GET", format!("/api/v1/users/{victim}"), None, 403),
        (
            "PATCH",
            format!("/api/v1/users/{victim}"),
            Some(json!({"password": "hijacked-123"})),
            403,
        ),
        (
            "GET",
            format!("/api/v1/campaigns/{campaign}/attempts?user_id={victim}"),
            None,
            403,
        ),
        (
            "GET",
            format!("/api/v1/campaigns/{campaign}/enrollments"),
            None,
            403,
        ),
        (
            "POST",
            "/api/v1/auth/logout".into(),
            Some(json!({"refresh_token": pair["refresh_token"]})),
            403,
        ),
    ];
    for (method, path, body, status) in cases {
        let reply = app.call(method, &path, t, body).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{method} {path}: {}",
            reply.body
        );
    }
    assert_eq!(app.fingerprint().await, before);
    // The victim's session and refresh token still work.
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": pair["refresh_token"]})),
    )
    .await
    .expect(200);
    let own = app
        .get("/api/v1/study-sessions", &intruder_token)
        .await
        .expect(200);
    assert_eq!(
        own["total"], 0,
        "the intruder's own list holds none of the victim's sessions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_roster_imports_never_duplicate() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let mut file = String::from("姓名,工号\n");
    for i in 0..40 {
        file.push_str(&format!("干部{i},{}\n", 5000 + i));
    }
    let path = "/api/v1/users/import?default_password=Study-Law-123";
    let replies = futures::future::join_all((0..6).map(|_| {
        app.call_raw(
            "POST",
            path,
            Some(&admin),
            "text/csv",
            file.clone().into_bytes(),
        )
    }))
    .await;
    let mut created = 0;
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.body);
        created += r.body["created"].as_u64().unwrap();
    }
    assert_eq!(
        created, 40,
        "the 40 accounts were created once, by whichever import ran first"
    );
    let users = app
        .get("/api/v1/users?q=干部&per_page=100", &admin)
        .await
        .expect(200);
    assert_eq!(users["total"], 40);
}

/// The schema a JSON body of `method path` must follow, from the served spec, resolved.
fn body_schema(spec: &Value, method: &str, path: &str) -> Option<Value> {
    let template = spec["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, ops)| {
            let a: Vec<&str> = template.trim_matches('/').split('/').collect();
            let b: Vec<&str> = path
                .split('?')
                .next()?
                .trim_matches('/')
                .split('/')
                .collect();
            (a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.starts_with('{') || x == y))
                .then_some(ops)
        })?;
    let content = template[method.to_lowercase()]["requestBody"]["content"].as_object()?;
    let schema = content
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))?
        .1["schema"]["$ref"]
        .as_str()?;
    let name = schema.rsplit('/').next()?;
    Some(spec["components"]["schemas"][name].clone())
}

#[tokio::test]
async fn unknown_fields_and_nulls_are_refused_on_every_body_naming_the_field() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let matrix = write_matrix(&w, w.ids["course"]);
    let (mut unknown, mut nulls) = (0, 0);
    for (method, path, body, allowed) in &matrix {
        let Some(Value::Object(valid)) = body else {
            continue;
        };
        let schema = body_schema(&spec, method, path).expect("a JSON body schema");
        let token = &w
            .tokens
            .iter()
            .find(|(role, _)| allowed.contains(role))
            .unwrap()
            .1;
        let before = app.fingerprint().await;
        // A field the schema does not name (a typo) is never silently ignored.
        let mut typo = valid.clone();
        typo.insert("titel".into(), json!("x"));
        let reply = app
            .call(method, path, Some(token), Some(Value::Object(typo)))
            .await;
        assert_eq!(reply.status, 422, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "titel", "{method} {path}");
        unknown += 1;
        // `null` is refused wherever the schema does not allow it.
        for (field, property) in schema["properties"].as_object().unwrap() {
            let nullable = |p: &Value| p["nullable"] == json!(true);
            let any_of = property["anyOf"].as_array();
            if nullable(property) || any_of.is_some_and(|b| b.iter().any(nullable)) {
                continue;
            }
            let mut with_null = valid.clone();
            with_null.insert(field.clone(), Value::Null);
            let reply = app
                .call(method, path, Some(token), Some(Value::Object(with_null)))
                .await;
            assert_eq!(
                reply.status, 422,
                "{method} {path} {field}: null: {}",
                reply.body
            );
            assert_eq!(reply.body["code"], "invalid_field");
            assert_eq!(
                reply.body["errors"][0],
                json!({"field": field, "code": "required", "params": {}, "message": "must not be null"}),
                "{method} {path}"
            );
            nulls += 1;
        }
        assert_eq!(
            app.fingerprint().await,
            before,
            "{method} {path} stored something"
        );
    }
    assert!(
        unknown >= 17 && nulls >= 70,
        "{unknown} bodies, {nulls} null fields"
    );
    eprintln!("bodies: {unknown} operations refuse an unknown field, {nulls} fields refuse null");
}
