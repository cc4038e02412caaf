//! Data scope (管理范围): one district (新区) with two streets, 甲 and 乙. Every operation of
//! the spec is tried by street 甲's HR, judicial office and scoped administrator against
//! street 乙's records — ids in paths, ids in bodies, filters, imports, exports — and
//! nothing of 乙 is read or changed. Every record of 乙 carries the marker `乙` (or the
//! username prefix `yi-`), so a leak shows in any answer that contains one.

use std::collections::HashMap;

use domain::auth::Role;
use serde_json::{Value, json};

use crate::{
    attacks::{law_records, ledger_records},
    common::{PASSWORD, TestApp, session},
};

/// The district's units, accounts' tokens and street 乙's record ids.
struct District {
    admin: String,
    hr_d: String,
    hr_a: String,
    judicial_a: String,
    hr_b: String,
    judicial_b: String,
    units: HashMap<&'static str, i64>,
    /// Street 乙's records (and the district campaign), by name.
    ids: HashMap<&'static str, i64>,
    cadre_a: i64,
}

const MARKERS: &[&str] = &["乙", "yi-"];

async fn district(app: &TestApp) -> District {
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    let admin = app.admin_token().await;
    let d = app.make_unit(&admin, "新区", "district", None).await;
    let a = app.make_unit(&admin, "甲街道", "street", Some(d)).await;
    let a1 = app.make_unit(&admin, "甲社区", "community", Some(a)).await;
    let b = app.make_unit(&admin, "乙街道", "street", Some(d)).await;
    let b1 = app.make_unit(&admin, "乙社区", "community", Some(b)).await;
    let scoped = async |name: &str, role: Role, unit: i64| {
        app.make_scoped_user(name, &[role], Some(unit), Some(unit))
            .await;
        app.token(name, PASSWORD).await
    };
    let hr_d = scoped("hr-d", Role::Hr, d).await;
    let hr_a = scoped("hr-a", Role::Hr, a).await;
    let judicial_a = scoped("judicial-a", Role::Judicial, a).await;
    let hr_b = scoped("yi-hr", Role::Hr, b).await;
    let judicial_b = scoped("yi-judicial", Role::Judicial, b).await;
    let cadre_a = app.make_user("jia-cadre", &[Role::Cadre], Some(a1)).await;
    let cadre_b = app.make_user("yi-cadre", &[Role::Cadre], Some(b1)).await;

    // The district's campaign, run by the district's HR, with both streets' cadres.
    let district_campaign = app.make_campaign(&hr_d).await;
    app.enroll(&hr_d, district_campaign.id, &[cadre_a, cadre_b])
        .await;
    app.patch(
        &format!("/api/v1/campaigns/{}", district_campaign.id),
        &hr_d,
        json!({"exam_requires_study": false}),
    )
    .await
    .expect(200);
    let district_question = app
        .post(
            &format!("/api/v1/campaigns/{}/questions", district_campaign.id),
            &hr_d,
            json!({"kind": "judge", "stem": "新区题", "options": ["正确", "错误"], "answer": [0]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    // Street 乙's own campaign, question, activity, ledgers, session, attempt, notice
    // and archive.
    let street_campaign = app
        .post(
            "/api/v1/campaigns",
            &hr_b,
            json!({"year": 2026, "title": "乙街道自办考试", "study_starts_on": "2026-01-01", "study_ends_on": "2026-12-31", "required_minutes": 10, "exam_opens_at": "2026-11-01T00:00:00Z", "exam_closes_at": "2026-12-01T00:00:00Z"}),
        )
        .await
        .expect(201);
    assert_eq!(
        street_campaign["owner_unit_id"], b,
        "owned by its creator's scope"
    );
    let street_campaign = street_campaign["id"].as_i64().unwrap();
    app.enroll(&hr_b, street_campaign, &[cadre_b]).await;
    let question = app
        .post(
            &format!("/api/v1/campaigns/{street_campaign}/questions"),
            &hr_b,
            json!({"kind": "judge", "stem": "乙题", "options": ["正确", "错误"], "answer": [0]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let activity = app
        .post("/api/v1/activities", &judicial_b, json!({"kind": "training", "title": "乙活动", "held_on": "2026-05-01", "organizer_unit_id": b1, "audience": "cadres", "attendance": 5, "attendee_ids": [cadre_b]}))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut ids: HashMap<&'static str, i64> = [
        ("district_campaign", district_campaign.id),
        ("district_question", district_question),
        ("course", district_campaign.law_course),
        ("campaign", street_campaign),
        ("question", question),
        ("activity", activity),
        ("cadre", cadre_b),
    ]
    .into_iter()
    .collect();
    for (name, path, mut body) in ledger_records(b1) {
        body["notes"] = json!("乙记录");
        let id = app.post(path, &judicial_b, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        ids.insert(name, id);
    }
    let leader_b = leader(app, &admin, "yi-leader", b1).await;
    ids.insert("leader", leader_b);
    for (name, path, mut body, _, _) in law_records(b1, leader_b) {
        body["notes"] = json!("乙记录");
        let id = app.post(path, &judicial_b, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        ids.insert(name, id);
    }
    let cadre_token = app.token("yi-cadre", PASSWORD).await;
    app.post(
        "/api/v1/study-sessions",
        &cadre_token,
        session(
            district_campaign.id,
            district_campaign.law_course,
            "08:00",
            "08:30",
        ),
    )
    .await
    .expect(201);
    let attempt = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", district_campaign.id),
            Some(&cadre_token),
            None,
        )
        .await
        .expect(201);
    ids.insert("attempt", attempt["id"].as_i64().unwrap());
    app.post(
        &format!("/api/v1/campaigns/{street_campaign}/reminders"),
        &hr_b,
        json!({"target": "study"}),
    )
    .await
    .expect(200);
    let archive = app
        .call(
            "POST",
            "/api/v1/reports/annual/2026/archive",
            Some(&judicial_b),
            None,
        )
        .await
        .expect(201);
    assert_eq!(archive["unit_id"], b, "an archive of the caller's own unit");
    ids.insert("archive", archive["id"].as_i64().unwrap());
    District {
        admin,
        hr_d,
        hr_a,
        judicial_a,
        hr_b,
        judicial_b,
        units: [("d", d), ("a", a), ("a1", a1), ("b", b), ("b1", b1)]
            .into_iter()
            .collect(),
        ids,
        cadre_a,
    }
}

/// A leading cadre of `unit`.
async fn leader(app: &TestApp, admin: &str, username: &str, unit: i64) -> i64 {
    let id = app.make_user(username, &[Role::Cadre], Some(unit)).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        admin,
        json!({"is_leader": true}),
    )
    .await
    .expect(200);
    id
}

/// One request aimed at street 乙: method, path, JSON body, or a CSV body.
struct Case {
    method: &'static str,
    path: String,
    body: Option<Value>,
    csv: Option<String>,
}

fn case(method: &'static str, path: String, body: Option<Value>) -> Case {
    Case {
        method,
        path,
        body,
        csv: None,
    }
}

/// Every operation of the spec that a manager calls, aimed at street 乙's records.
fn cases(w: &District) -> Vec<Case> {
    let id = |k: &str| w.ids[k];
    let (b, b1) = (w.units["b"], w.units["b1"]);
    let campaign = id("campaign");
    let district = id("district_campaign");
    let cadre = id("cadre");
    let mut cases = vec![
        case("GET", "/api/v1/units".into(), None),
        case("GET", format!("/api/v1/units?parent_id={b}"), None),
        case("GET", format!("/api/v1/units/{b1}"), None),
        case(
            "POST",
            "/api/v1/units".into(),
            Some(json!({"name": "乙新单位", "kind": "other", "parent_id": b})),
        ),
        case(
            "POST",
            "/api/v1/units".into(),
            Some(json!({"name": "顶层单位", "kind": "other"})),
        ),
        case(
            "PATCH",
            format!("/api/v1/units/{b1}"),
            Some(json!({"name": "改名"})),
        ),
        case(
            "PATCH",
            format!("/api/v1/units/{}", w.units["a1"]),
            Some(json!({"parent_id": b})),
        ),
        case("DELETE", format!("/api/v1/units/{b1}"), None),
        case("GET", "/api/v1/users".into(), None),
        case("GET", format!("/api/v1/users?unit_id={b}"), None),
        case("GET", format!("/api/v1/users/{cadre}"), None),
        case(
            "POST",
            format!("/api/v1/users/{cadre}/reset-password"),
            None,
        ),
        case("POST", format!("/api/v1/users/{cadre}/unlock"), None),
        case("POST", format!("/api/v1/users/{cadre}/reset-totp"), None),
        case(
            "DELETE",
            format!("/api/v1/campaigns/{campaign}/enrollments/{cadre}"),
            None,
        ),
        case(
            "POST",
            "/api/v1/users".into(),
            Some(
                json!({"username": "new-1", "password": "Study-Law-123", "name": "新人", "unit_id": b1}),
            ),
        ),
        case(
            "POST",
            "/api/v1/users".into(),
            Some(
                json!({"username": "new-2", "password": "Study-Law-123", "name": "新人", "roles": ["hr"], "unit_id": w.units["a1"], "scope_unit_id": w.units["d"]}),
            ),
        ),
        case(
            "PATCH",
            format!("/api/v1/users/{cadre}"),
            Some(json!({"password": "hijacked-123"})),
        ),
        case(
            "PATCH",
            format!("/api/v1/users/{}", w.cadre_a),
            Some(json!({"unit_id": b1})),
        ),
        Case {
            method: "POST",
            path: "/api/v1/users/import?default_password=Study-Law-123".into(),
            body: None,
            csv: Some(format!("姓名,工号,单位编号\n乙新人,9001,{b1}\n")),
        },
        Case {
            method: "POST",
            path: "/api/v1/users/import".into(),
            body: None,
            csv: Some("用户名,姓名\nyi-cadre,改名\n".into()),
        },
        case("GET", "/api/v1/campaigns".into(), None),
        case("GET", format!("/api/v1/campaigns/{campaign}"), None),
        case(
            "PATCH",
            format!("/api/v1/campaigns/{campaign}"),
            Some(json!({"pass_score": 90})),
        ),
        case(
            "PATCH",
            format!("/api/v1/campaigns/{district}"),
            Some(json!({"pass_score": 90})),
        ),
        case(
            "POST",
            "/api/v1/campaigns".into(),
            Some(
                json!({"year": 2026, "title": "t", "study_starts_on": "2026-01-01", "study_ends_on": "2026-12-31", "required_minutes": 10, "exam_opens_at": "2026-11-01T00:00:00Z", "exam_closes_at": "2026-11-02T00:00:00Z", "owner_unit_id": b}),
            ),
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{campaign}/enrollments"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/enrollments"),
            None,
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{district}/enrollments"),
            Some(json!({"user_ids": [cadre]})),
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{district}/enrollments"),
            Some(json!({"unit_ids": [b]})),
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{campaign}/enrollments"),
            Some(json!({"unit_ids": [w.units["a"]]})),
        ),
        case(
            "PATCH",
            format!("/api/v1/campaigns/{district}/enrollments/{cadre}"),
            Some(json!({"exempt": true, "exempt_reason": "病假"})),
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/progress/{cadre}"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{campaign}/progress/{cadre}"),
            None,
        ),
        case("GET", format!("/api/v1/campaigns/{campaign}/targets"), None),
        case("GET", format!("/api/v1/campaigns/{district}/targets"), None),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/targets?unit_id={b}"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/targets/export?format=csv"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/targets/missing?target=exam"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/targets/missing/export?target=exam&format=csv"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{campaign}/targets/missing?target=exam"),
            None,
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{district}/reminders"),
            Some(json!({"target": "pass", "unit_id": b})),
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{campaign}/reminders"),
            Some(json!({"target": "pass"})),
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/attempts"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/attempts?user_id={cadre}"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{district}/attempts/export?format=csv"),
            None,
        ),
        case("GET", format!("/api/v1/attempts/{}", id("attempt")), None),
        case(
            "GET",
            format!("/api/v1/campaigns/{campaign}/questions"),
            None,
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{campaign}/questions"),
            Some(json!({"kind": "judge", "stem": "x", "options": ["正确", "错误"], "answer": [1]})),
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{district}/questions"),
            Some(json!({"kind": "judge", "stem": "x", "options": ["正确", "错误"], "answer": [1]})),
        ),
        case(
            "POST",
            format!("/api/v1/campaigns/{district}/questions/import"),
            Some(
                json!({"questions": [{"kind": "judge", "stem": "y", "options": ["正确", "错误"], "answer": [1]}]}),
            ),
        ),
        case(
            "PATCH",
            format!("/api/v1/questions/{}", id("question")),
            Some(json!({"points": 3})),
        ),
        case(
            "PATCH",
            format!("/api/v1/questions/{}", id("district_question")),
            Some(json!({"points": 3})),
        ),
        case(
            "DELETE",
            format!("/api/v1/questions/{}", id("question")),
            None,
        ),
        case(
            "DELETE",
            format!("/api/v1/questions/{}", id("district_question")),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/campaigns/{campaign}/papers/check"),
            None,
        ),
        case("GET", "/api/v1/study-sessions".into(), None),
        case(
            "GET",
            format!("/api/v1/study-sessions?user_id={cadre}"),
            None,
        ),
        case("GET", format!("/api/v1/study-sessions?unit_id={b}"), None),
        case("GET", "/api/v1/activities".into(), None),
        case(
            "GET",
            format!("/api/v1/activities?organizer_unit_id={b}"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/activities/{}", id("activity")),
            None,
        ),
        case(
            "GET",
            "/api/v1/activities/stats?year=2026&group_by=organizer_level".into(),
            None,
        ),
        case(
            "POST",
            "/api/v1/activities".into(),
            Some(
                json!({"kind": "publicity", "title": "t2", "held_on": "2026-05-02", "organizer_unit_id": b1, "audience": "public", "attendance": 5}),
            ),
        ),
        case(
            "POST",
            "/api/v1/activities".into(),
            Some(
                json!({"kind": "training", "title": "t3", "held_on": "2026-05-02", "organizer_unit_id": w.units["a"], "audience": "cadres", "attendance": 5, "attendee_ids": [cadre]}),
            ),
        ),
        case(
            "PATCH",
            format!("/api/v1/activities/{}", id("activity")),
            Some(json!({"attendance": 6})),
        ),
        case(
            "DELETE",
            format!("/api/v1/activities/{}", id("activity")),
            None,
        ),
        case("GET", "/api/v1/reports/annual/2026".into(), None),
        case(
            "GET",
            format!("/api/v1/reports/annual/2026?unit_id={b}"),
            None,
        ),
        case(
            "GET",
            "/api/v1/reports/annual/2026/export?format=text".into(),
            None,
        ),
        case(
            "GET",
            "/api/v1/reports/annual/2026/export?format=csv".into(),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/reports/annual/2026/export?format=csv&unit_id={b}"),
            None,
        ),
        case(
            "POST",
            format!("/api/v1/reports/annual/2026/archive?unit_id={b}"),
            None,
        ),
        case("GET", "/api/v1/reports/annual/2026/archives".into(), None),
        case(
            "GET",
            format!("/api/v1/reports/annual/2026/archives?unit_id={b}"),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/reports/archives/{}", id("archive")),
            None,
        ),
        case(
            "GET",
            format!(
                "/api/v1/reports/archives/{}/export?format=text",
                id("archive")
            ),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/reports/archives/{}/diff", id("archive")),
            None,
        ),
        case("GET", "/api/v1/audit-log".into(), None),
        case("GET", "/api/v1/audit-log/export?format=csv".into(), None),
        case("GET", "/api/v1/notices/deliveries".into(), None),
        case("GET", "/api/v1/courses".into(), None),
        case("GET", format!("/api/v1/courses/{}", id("course")), None),
        case(
            "PATCH",
            format!("/api/v1/courses/{}", id("course")),
            Some(json!({"minutes": 61})),
        ),
        case(
            "PUT",
            format!("/api/v1/courses/{}/material", id("course")),
            Some(json!({"kind": "article", "title": "改写", "text": "改写的内容"})),
        ),
        case(
            "DELETE",
            format!("/api/v1/courses/{}/material", id("course")),
            None,
        ),
        case(
            "GET",
            format!("/api/v1/courses/{}/material", id("course")),
            None,
        ),
    ];
    for (name, path, body) in ledger_records(b1) {
        let item = format!("{path}/{}", id(name));
        let unit_field = body
            .as_object()
            .unwrap()
            .keys()
            .find(|k| k.ends_with("unit_id"))
            .unwrap()
            .clone();
        cases.push(case("GET", path.into(), None));
        cases.push(case("GET", format!("{path}?unit_id={b}"), None));
        cases.push(case("GET", item.clone(), None));
        cases.push(case("POST", path.into(), Some(body.clone())));
        cases.push(case("PATCH", item.clone(), Some(json!({"notes": "改"}))));
        cases.push(case(
            "PATCH",
            format!("{path}/{}", w.ids[format!("a_{name}").as_str()]),
            Some(json!({unit_field.clone(): b1})),
        ));
        cases.push(case("DELETE", item, None));
        cases.push(Case {
            method: "POST",
            path: format!("{path}/import"),
            body: None,
            csv: Some(ledger_csv(name, b1)),
        });
    }
    cases.extend(law_cases(w));
    cases
}

/// The rest of the report's records of street 乙, and 甲's moved into 乙.
fn law_cases(w: &District) -> Vec<Case> {
    let (b, b1) = (w.units["b"], w.units["b1"]);
    let mut cases = Vec::new();
    for (name, path, body, change, _) in law_records(b1, w.ids["leader"]) {
        let item = format!("{path}/{}", w.ids[name]);
        let (field, target) = if name == "law-reports" {
            ("user_id", w.ids["leader"])
        } else {
            ("unit_id", b1)
        };
        cases.push(case("GET", path.into(), None));
        cases.push(case("GET", format!("{path}?unit_id={b}"), None));
        cases.push(case("GET", item.clone(), None));
        cases.push(case("POST", path.into(), Some(body)));
        cases.push(case("PATCH", item.clone(), Some(change)));
        cases.push(case(
            "PATCH",
            format!("{path}/{}", w.ids[format!("a_{name}").as_str()]),
            Some(json!({field: target})),
        ));
        cases.push(case("DELETE", item, None));
        cases.push(Case {
            method: "POST",
            path: format!("{path}/import"),
            body: None,
            csv: Some(law_csv(name, b1)),
        });
    }
    let task = w.ids["law-tasks"];
    cases.push(case("GET", format!("/api/v1/law-tasks/{task}/notes"), None));
    cases.push(case(
        "POST",
        format!("/api/v1/law-tasks/{task}/notes"),
        Some(json!({"on": "2026-05-02", "text": "自查"})),
    ));
    cases.push(case(
        "GET",
        "/api/v1/law-reports/missing?year=2026".into(),
        None,
    ));
    cases.push(case(
        "GET",
        format!("/api/v1/law-reports/missing?year=2026&unit_id={b}"),
        None,
    ));
    cases
}

/// A one-line import of the rest of the report's records naming unit `unit` (or street
/// 乙's leader).
fn law_csv(record: &str, unit: i64) -> String {
    match record {
        "law-tasks" => {
            format!("年度,任务,类别,责任单位,完成时限\n2026,任务,其他,{unit},2026-05-01\n")
        }
        "decision-reviews" => {
            format!("决策事项,决策单位,类别,提交审查日期\n决策,{unit},其他,2026-05-01\n")
        }
        "legal-advisers" => format!("姓名,类别,单位,聘任日期\n王律师,法律顾问,{unit},2026-01-01\n"),
        "law-reports" => "账号,年度,形式,述法日期\nyi-leader,2025,书面述法,2026-01-05\n".into(),
        _ => format!("责任单位,年度,法律法规\n{unit},2026,宪法\n"),
    }
}

/// A one-line ledger import naming unit `unit` (the first column is the unit).
fn ledger_csv(ledger: &str, unit: i64) -> String {
    match ledger {
        "mediation-cases" => {
            format!("调委会,受理日期,类别,结果\n{unit},2026-05-01,婚姻家庭,调解成功\n")
        }
        "legal-services" => format!("单位,日期,服务类型,件数\n{unit},2026-05-01,法律咨询,1\n"),
        "screenings" => format!("单位,日期,发现纠纷,化解数\n{unit},2026-05-01,1,1\n"),
        "petitions" => format!("单位,受理日期,件数,人次\n{unit},2026-05-01,1,1\n"),
        _ => format!("单位,检查日期,领域,家次\n{unit},2026-05-01,安全生产,1\n"),
    }
}

/// Operations no manager calls on another's records: the caller's own account and
/// records, public ones, and the server's health.
const OWN_OR_PUBLIC: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "GET /api/v1/me",
    "POST /api/v1/me/password",
    "POST /api/v1/me/totp",
    "POST /api/v1/me/totp/confirm",
    "DELETE /api/v1/me/totp",
    "GET /api/v1/auth/policy",
    "GET /api/v1/auth/providers",
    "GET /api/v1/auth/{provider}/start",
    "GET /api/v1/auth/{provider}/callback",
    "POST /api/v1/auth/sso/exchange",
    "GET /api/v1/me/notices",
    "POST /api/v1/me/notices/{id}/read",
    "GET /api/v1/vocabularies",
    "GET /api/v1/certificates/{code}",
    "GET /healthz",
    "GET /readyz",
    // A cadre's own: tried with another cadre's ids in tests/attacks.rs.
    "POST /api/v1/study-sessions",
    "POST /api/v1/study-sessions/batch",
    "POST /api/v1/study-sessions/live",
    "POST /api/v1/study-sessions/live/{id}/heartbeat",
    "POST /api/v1/study-sessions/live/{id}/end",
    "POST /api/v1/campaigns/{id}/attempts",
    "PUT /api/v1/attempts/{id}/answers",
    "POST /api/v1/attempts/{id}/submit",
    "POST /api/v1/attempts/{id}/events",
    "POST /api/v1/attempts/{id}/takeover",
    "POST /api/v1/campaigns/{id}/practice",
    "POST /api/v1/practice/{id}/answers",
    "GET /api/v1/campaigns/{id}/progress/me",
    "GET /api/v1/campaigns/{id}/certificate/me",
    "GET /api/v1/campaigns/{id}/mistakes/me",
    // The course catalogue is shared: a new course names no unit. Changing one that a
    // campaign above the caller's scope uses is refused (the PATCH case).
    "POST /api/v1/courses",
];

fn template(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap()
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "{id}".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What refused writes must leave as it was: the domain rows, and the notices and
/// archives (which the fingerprint leaves out).
async fn state_of(app: &TestApp) -> (Vec<Vec<Value>>, u64, u64) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let notices = entity::notice::Entity::find()
        .count(app.db())
        .await
        .unwrap();
    let archives = entity::report_archive::Entity::find()
        .count(app.db())
        .await
        .unwrap();
    (app.fingerprint().await, notices, archives)
}

#[tokio::test]
async fn street_managers_neither_read_nor_change_another_streets_records() {
    let app = TestApp::new().await;
    let mut w = district(&app).await;
    // Street 甲's own ledger records, to try moving them into 乙.
    for (name, path, body) in ledger_records(w.units["a1"]) {
        let id = app.post(path, &w.judicial_a, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        w.ids
            .insert(Box::leak(format!("a_{name}").into_boxed_str()), id);
    }
    let leader_a = leader(&app, &w.admin, "jia-leader", w.units["a1"]).await;
    for (name, path, body, _, _) in law_records(w.units["a1"], leader_a) {
        let id = app.post(path, &w.judicial_a, body).await.expect(201)["id"]
            .as_i64()
            .unwrap();
        w.ids
            .insert(Box::leak(format!("a_{name}").into_boxed_str()), id);
    }
    app.make_scoped_user(
        "admin-a",
        &[Role::Admin],
        Some(w.units["a"]),
        Some(w.units["a"]),
    )
    .await;
    let admin_a = app.token("admin-a", PASSWORD).await;
    let cases = cases(&w);

    // The matrix covers every operation of the spec, so a new one cannot slip by.
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let covered: Vec<String> = cases
        .iter()
        .map(|c| format!("{} {}", c.method, template(&c.path)))
        .collect();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        let path = path.replace("{user_id}", "{id}").replace("{year}", "{id}");
        for method in ops.as_object().unwrap().keys() {
            let key = format!("{} {path}", method.to_uppercase());
            let own = OWN_OR_PUBLIC
                .iter()
                .any(|o| o.replace("{user_id}", "{id}") == key);
            assert!(
                own || covered.contains(&key.replace("/2026", "/{id}")),
                "{key} is in no scope case"
            );
        }
    }

    let managers = [
        ("hr", &w.hr_a),
        ("judicial", &w.judicial_a),
        ("admin", &admin_a),
    ];
    let mut answered = HashMap::new();
    for c in &cases {
        for (role, token) in managers {
            let before = state_of(&app).await;
            let reply = match &c.csv {
                Some(csv) => {
                    app.call_raw(
                        c.method,
                        &c.path,
                        Some(token),
                        "text/csv",
                        csv.clone().into_bytes(),
                    )
                    .await
                }
                None => {
                    app.call(c.method, &c.path, Some(token), c.body.clone())
                        .await
                }
            };
            let status = reply.status.as_u16();
            let what = format!("{role} {} {}: {status} {}", c.method, c.path, reply.text);
            assert!(status < 500, "{what}");
            for marker in MARKERS {
                assert!(!reply.text.contains(marker), "leak of {marker}: {what}");
            }
            if c.method != "GET" {
                assert!(
                    [403, 404, 422].contains(&status),
                    "a write reaching street 乙 passed: {what}"
                );
                assert_eq!(state_of(&app).await, before, "changed something: {what}");
            }
            *answered.entry(status).or_insert(0) += 1;
        }
    }
    // The refusals are the scope's, not only the roles': each kind was seen.
    assert!(answered[&404] > 10 && answered[&403] > 10, "{answered:?}");

    // Street 乙 still works: its own managers see their records.
    let own = app
        .get("/api/v1/activities", &w.judicial_b)
        .await
        .expect(200);
    assert_eq!(own["total"], 1);
    let roster = app
        .get(
            &format!("/api/v1/campaigns/{}/enrollments", w.ids["campaign"]),
            &w.hr_b,
        )
        .await
        .expect(200);
    assert_eq!(roster["total"], 1);
}

#[tokio::test]
async fn out_of_scope_writes_name_the_field_or_the_line() {
    let app = TestApp::new().await;
    let w = district(&app).await;
    let (b, b1) = (w.units["b"], w.units["b1"]);
    let refused = |reply: crate::common::Reply, field: &str, line: Option<u64>| {
        let body = reply.expect(403);
        assert_eq!(body["code"], "out_of_scope", "{body}");
        let error = &body["errors"][0];
        assert_eq!(error["field"], field, "{body}");
        assert_eq!(error["line"].as_u64(), line, "{body}");
    };
    refused(
        app.post("/api/v1/activities", &w.judicial_a, json!({"kind": "publicity", "title": "t", "held_on": "2026-05-02", "organizer_unit_id": b1, "audience": "public", "attendance": 5})).await,
        "organizer_unit_id",
        None,
    );
    refused(
        app.post(
            &format!(
                "/api/v1/campaigns/{}/enrollments",
                w.ids["district_campaign"]
            ),
            &w.hr_a,
            json!({"unit_ids": [b]}),
        )
        .await,
        "unit_ids",
        None,
    );
    let before = app.fingerprint().await;
    let roster = format!(
        "姓名,用户名,单位编号\n甲新人,jia-new,{}\n乙新人,yi-new,{b1}\n",
        w.units["a1"]
    );
    refused(
        app.call_raw(
            "POST",
            "/api/v1/users/import?default_password=Study-Law-123",
            Some(&w.hr_a),
            "text/csv",
            roster.into_bytes(),
        )
        .await,
        "unit_id",
        Some(3),
    );
    refused(
        app.call_raw(
            "POST",
            "/api/v1/mediation-cases/import",
            Some(&w.judicial_a),
            "text/csv",
            ledger_csv("mediation-cases", b1).into_bytes(),
        )
        .await,
        "committee_unit_id",
        Some(2),
    );
    assert_eq!(
        app.fingerprint().await,
        before,
        "nothing of either file stored"
    );
    // The district's campaign is seen from the street, but its settings are the
    // district's.
    refused(
        app.patch(
            &format!("/api/v1/campaigns/{}", w.ids["district_campaign"]),
            &w.hr_a,
            json!({"pass_score": 90}),
        )
        .await,
        "campaign_id",
        None,
    );
}

#[tokio::test]
async fn grants_never_widen_a_scope() {
    let app = TestApp::new().await;
    let w = district(&app).await;
    let (a, a1, d) = (w.units["a"], w.units["a1"], w.units["d"]);
    let new = |username: &str, extra: Value| {
        let mut body = json!({"username": username, "password": "Study-Law-123", "name": "新人", "unit_id": a1});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let wider = app
        .post(
            "/api/v1/users",
            &w.hr_a,
            new("wide", json!({"roles": ["hr"], "scope_unit_id": d})),
        )
        .await
        .expect(403);
    assert_eq!(wider["code"], "out_of_scope");
    assert_eq!(wider["errors"][0]["field"], "scope_unit_id");
    let admin = app
        .post(
            "/api/v1/users",
            &w.hr_a,
            new("boss", json!({"roles": ["admin"]})),
        )
        .await
        .expect(403);
    assert_eq!(admin["code"], "forbidden");
    // Without a scope, a manager account gets its creator's, never the whole.
    let hr = app
        .post(
            "/api/v1/users",
            &w.hr_a,
            new("deputy", json!({"roles": ["hr"]})),
        )
        .await
        .expect(201);
    assert_eq!(hr["scope_unit_id"], a);
    let narrower = app
        .post(
            "/api/v1/users",
            &w.hr_a,
            new(
                "community-hr",
                json!({"roles": ["hr"], "scope_unit_id": a1}),
            ),
        )
        .await
        .expect(201);
    assert_eq!(narrower["scope_unit_id"], a1);
    // Nobody widens their own scope, nor that of an account to the whole installation.
    let me = app.get("/api/v1/me", &w.hr_a).await.expect(200);
    assert_eq!(me["scope_unit_id"], a);
    let own = app
        .patch(
            &format!("/api/v1/users/{}", me["id"]),
            &w.hr_a,
            json!({"scope_unit_id": d}),
        )
        .await
        .expect(403);
    assert_eq!(own["code"], "forbidden");
    let own = app
        .patch(
            &format!("/api/v1/users/{}", me["id"]),
            &w.hr_a,
            json!({"scope_unit_id": a1}),
        )
        .await
        .expect(403);
    assert_eq!(own["code"], "forbidden", "not even narrower: {own}");
    app.patch(
        &format!("/api/v1/users/{}", narrower["id"]),
        &w.hr_a,
        json!({"scope_unit_id": null}),
    )
    .await
    .expect(403);
    // A cadre of the street made HR without a scope gets none wider than the granter's.
    app.patch(
        &format!("/api/v1/users/{}", w.cadre_a),
        &w.hr_a,
        json!({"roles": ["cadre", "hr"]}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/users/{}", w.cadre_a),
        &w.hr_a,
        json!({"roles": ["cadre", "hr"], "scope_unit_id": a1}),
    )
    .await
    .expect(200);
    // The district's HR manages the street's accounts, and the whole-installation
    // administrator everyone's.
    app.patch(
        &format!("/api/v1/users/{}", narrower["id"]),
        &w.hr_d,
        json!({"scope_unit_id": a}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/users/{}", narrower["id"]),
        &w.admin,
        json!({"scope_unit_id": null}),
    )
    .await
    .expect(200);
    // … after which the street's HR no longer may touch it (it manages more than they do).
    let touched = app
        .patch(
            &format!("/api/v1/users/{}", narrower["id"]),
            &w.hr_a,
            json!({"name": "改"}),
        )
        .await
        .expect(403);
    assert_eq!(touched["code"], "out_of_scope");
}

/// The four counts of a campaign summary or targets body.
fn counts(v: &Value) -> [u64; 5] {
    let n = |k: &str| v[k]["count"].as_u64().unwrap();
    [
        v["roster"].as_u64().unwrap(),
        n("participation"),
        n("study"),
        n("exam"),
        n("pass"),
    ]
}

#[tokio::test]
async fn a_district_campaign_seen_from_each_street_counts_its_own_members_only() {
    let app = TestApp::new().await;
    let w = district(&app).await;
    let district = w.ids["district_campaign"];
    let path = format!("/api/v1/campaigns/{district}/targets");
    let targets = async |token: &str| app.get(&path, token).await.expect(200);
    // 乙's cadre studied 30 minutes and started an attempt; 甲's did nothing.
    let whole = targets(&w.admin).await;
    let from_d = targets(&w.hr_d).await;
    let from_a = targets(&w.hr_a).await;
    let from_b = targets(&w.hr_b).await;
    assert_eq!(
        counts(&whole),
        counts(&from_d),
        "the district holds everyone"
    );
    assert_eq!(counts(&from_a), [1, 0, 0, 0, 0]);
    assert_eq!(counts(&from_b)[..2], [1, 1], "乙's cadre took part");
    for i in 0..5 {
        assert_eq!(counts(&from_d)[i], counts(&from_a)[i] + counts(&from_b)[i]);
    }
    let units: Vec<i64> = from_a["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        units,
        [w.units["a"], w.units["a1"]],
        "by_unit below the street only"
    );
    // The missing lists and the roster hold the street's own people.
    let missing = app
        .get(
            &format!("/api/v1/campaigns/{district}/targets/missing?target=study"),
            &w.hr_a,
        )
        .await
        .expect(200);
    assert_eq!(missing["total"], 1);
    assert_eq!(missing["items"][0]["user_id"], w.cadre_a);
    // The street's HR enrols, exempts and reminds its own members of the district's
    // campaign.
    app.patch(
        &format!("/api/v1/campaigns/{district}/enrollments/{}", w.cadre_a),
        &w.hr_a,
        json!({"exempt": true, "exempt_reason": "病假"}),
    )
    .await
    .expect(200);
    assert_eq!(
        counts(&targets(&w.hr_a).await)[0],
        0,
        "the exempt member leaves the roster"
    );
    let reminded = app
        .post(
            &format!("/api/v1/campaigns/{district}/reminders"),
            &w.hr_b,
            json!({"target": "pass"}),
        )
        .await
        .expect(200);
    assert_eq!(
        reminded["notified"], 1,
        "乙's HR reminds 乙's cadre only: {reminded}"
    );
    // A street campaign of 甲's own is 甲's alone.
    let own = app
        .post("/api/v1/campaigns", &w.hr_a, json!({"year": 2026, "title": "甲街道自办考试", "study_starts_on": "2026-01-01", "study_ends_on": "2026-12-31", "required_minutes": 10, "exam_opens_at": "2026-11-01T00:00:00Z", "exam_closes_at": "2026-12-01T00:00:00Z"}))
        .await
        .expect(201);
    assert_eq!(own["owner_unit_id"], w.units["a"]);
    app.get(&format!("/api/v1/campaigns/{}", own["id"]), &w.hr_b)
        .await
        .expect(404);
    app.get(&format!("/api/v1/campaigns/{}", own["id"]), &w.hr_d)
        .await
        .expect(200);
}

#[tokio::test]
async fn each_street_has_its_own_annual_summary_and_archive() {
    let app = TestApp::new().await;
    let w = district(&app).await;
    // 甲 holds two publicity events, 乙 one training (in `district`).
    for title in ["宪法宣传", "民法典宣传"] {
        app.post("/api/v1/activities", &w.judicial_a, json!({"kind": "publicity", "title": title, "held_on": "2026-03-01", "organizer_unit_id": w.units["a1"], "audience": "public", "attendance": 40, "materials": 10}))
            .await
            .expect(201);
    }
    let of_a = app
        .get("/api/v1/reports/annual/2026", &w.judicial_a)
        .await
        .expect(200);
    assert_eq!(of_a["unit"]["id"], w.units["a"]);
    assert_eq!(of_a["unit"]["name"], "甲街道");
    assert_eq!(of_a["publicity"]["events"], 2);
    assert_eq!(of_a["publicity"]["attendance"], 80);
    assert_eq!(of_a["training"]["events"], 0);
    assert_eq!(of_a["mediation"]["cases"], 0);
    assert_eq!(
        of_a["campaigns"].as_array().unwrap().len(),
        1,
        "the district's campaign, not 乙's"
    );
    assert_eq!(of_a["by_unit"][0]["unit_id"], w.units["a1"]);
    assert_eq!(of_a["by_unit"][0]["publicity_events"], 2);
    let text = app
        .get(
            "/api/v1/reports/annual/2026/export?format=text",
            &w.judicial_a,
        )
        .await;
    assert!(text.text.starts_with("甲街道2026年"), "{}", text.text);
    assert!(text.text.contains("普法宣传活动2次"), "{}", text.text);
    // The district's summary: a row per street, each its own.
    let of_d = app
        .get(
            &format!("/api/v1/reports/annual/2026?unit_id={}", w.units["d"]),
            &w.admin,
        )
        .await
        .expect(200);
    let rows = of_d["by_unit"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["甲街道", "乙街道"]);
    assert_eq!(rows[0]["publicity_events"], 2);
    assert_eq!(rows[1]["training_events"], 1);
    assert_eq!(rows[1]["mediation_cases"], 1);
    assert_eq!(of_d["publicity"]["events"], 2);
    assert_eq!(of_d["training"]["events"], 1);
    let street_rosters: u64 = rows
        .iter()
        .map(|r| r["campaigns"][0]["roster"].as_u64().unwrap())
        .sum();
    assert_eq!(
        street_rosters, 2,
        "the district's roster is the sum of its streets'"
    );
    // Another street's summary is not there for 甲.
    app.get(
        &format!("/api/v1/reports/annual/2026?unit_id={}", w.units["b"]),
        &w.judicial_a,
    )
    .await
    .expect(404);
    // Archives per unit.
    let archive = app
        .call(
            "POST",
            "/api/v1/reports/annual/2026/archive",
            Some(&w.judicial_a),
            None,
        )
        .await
        .expect(201);
    assert_eq!(archive["unit_id"], w.units["a"]);
    let listed = app
        .get("/api/v1/reports/annual/2026/archives", &w.judicial_a)
        .await
        .expect(200);
    assert_eq!(listed["total"], 1, "乙's archive is not 甲's: {listed}");
    let body = app
        .get(
            &format!("/api/v1/reports/archives/{}", archive["id"]),
            &w.judicial_a,
        )
        .await
        .expect(200);
    assert_eq!(body["unit"]["name"], "甲街道");
    app.get(
        &format!("/api/v1/reports/archives/{}", w.ids["archive"]),
        &w.judicial_a,
    )
    .await
    .expect(404);
    let all = app
        .get("/api/v1/reports/annual/2026/archives", &w.admin)
        .await
        .expect(200);
    assert_eq!(all["total"], 2, "the whole installation sees both");
}

#[tokio::test]
async fn a_street_hrs_new_people_belong_to_the_street() {
    let app = TestApp::new().await;
    let w = district(&app).await;
    let a = w.units["a"];
    app.call_raw(
        "POST",
        "/api/v1/users/import?default_password=Study-Law-123",
        Some(&w.hr_a),
        "text/csv",
        "姓名,用户名\n新人甲,jia-new\n".as_bytes().to_vec(),
    )
    .await
    .expect(200);
    let made = app
        .post(
            "/api/v1/users",
            &w.hr_a,
            json!({"username": "jia-new-2", "password": "Study-Law-123", "name": "新人"}),
        )
        .await
        .expect(201);
    assert_eq!(made["unit_id"], a);
    let found = app
        .get("/api/v1/users?q=jia-new", &w.hr_a)
        .await
        .expect(200);
    assert_eq!(found["total"], 2, "both in the street's list: {found}");
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["unit_id"] == a)
    );
    // An unscoped administrator's account without a unit stays without one.
    let loose = app
        .post(
            "/api/v1/users",
            &w.admin,
            json!({"username": "loose", "password": "Study-Law-123", "name": "散户"}),
        )
        .await
        .expect(201);
    assert_eq!(loose["unit_id"], Value::Null);
    app.get(&format!("/api/v1/users/{}", loose["id"]), &w.hr_a)
        .await
        .expect(404);
}
