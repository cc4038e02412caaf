//! The online exam through HTTP: bank rules, imports, draws, deadlines, grading, retakes,
//! integrity (no answer leaks), concurrency.

use std::collections::HashMap;

use domain::auth::Role;
use serde_json::{Value, json};

use crate::common::{Campaign, PASSWORD, TestApp};

/// stem, kind, options, right options, points.
type BankQuestion = (
    &'static str,
    &'static str,
    Vec<&'static str>,
    Vec<&'static str>,
    i32,
);

/// The bank used by the exam tests.
fn bank() -> Vec<BankQuestion> {
    vec![
        (
            "国家宪法日是哪一天？",
            "single",
            vec!["12月4日", "3月15日", "10月1日", "6月26日"],
            vec!["12月4日"],
            2,
        ),
        (
            "下列属于民法典编目的是？",
            "multiple",
            vec!["总则", "刑罚", "物权", "行政许可"],
            vec!["总则", "物权"],
            4,
        ),
        (
            "全民国家安全教育日是4月15日。",
            "judge",
            vec!["正确", "错误"],
            vec!["正确"],
            1,
        ),
    ]
}

fn right_texts() -> HashMap<&'static str, Vec<&'static str>> {
    bank()
        .into_iter()
        .map(|(stem, _, _, right, _)| (stem, right))
        .collect()
}

/// The positions of the right options as this attempt shows them.
pub fn right_choices(q: &Value) -> Vec<u32> {
    let right = &right_texts()[q["stem"].as_str().unwrap()];
    q["options"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, o)| right.contains(&o.as_str().unwrap()))
        .map(|(i, _)| i as u32)
        .collect()
}

pub fn wrong_choice(q: &Value) -> Vec<u32> {
    let right = right_choices(q);
    vec![(0..4).find(|i| !right.contains(i)).unwrap()]
}

/// Moves the server's clock. Access tokens follow the server's clock, so the cadre and
/// HR sign in again, as they would after a long pause.
async fn set_clock(app: &TestApp, e: &mut Exam, rfc3339: &str) {
    app.state.clock.set(rfc3339.parse().unwrap());
    e.token = app.token("cadre", PASSWORD).await;
    e.hr = app.token("hr", PASSWORD).await;
}

pub async fn add_bank(app: &TestApp, hr: &str, campaign: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for (stem, kind, options, right, points) in bank() {
        let answer: Vec<usize> = right
            .iter()
            .map(|r| options.iter().position(|o| o == r).unwrap())
            .collect();
        let body = json!({"kind": kind, "stem": stem, "options": options, "answer": answer, "points": points, "law_ref": "宪法"});
        ids.push(
            app.post(&format!("/api/v1/campaigns/{campaign}/questions"), hr, body)
                .await
                .expect(201)["id"]
                .as_i64()
                .unwrap(),
        );
    }
    ids
}

struct Exam {
    campaign: Campaign,
    cadre: i64,
    token: String,
    hr: String,
}

/// A campaign with the 3-question bank, one cadre who has completed study, and the clock
/// at 10 November 2026 10:00 Beijing time (the exam is open 1–30 November).
async fn setup(app: &TestApp) -> Exam {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    add_bank(app, &hr, campaign.id).await;
    let (cadre, token) = app.login_as("cadre", &[Role::Cadre]).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    app.study_all(&token, &campaign).await;
    let mut exam = Exam {
        campaign,
        cadre,
        token,
        hr,
    };
    set_clock(app, &mut exam, "2026-11-10T10:00:00+08:00").await;
    exam
}

async fn start(app: &TestApp, e: &Exam) -> Value {
    app.call(
        "POST",
        &format!("/api/v1/campaigns/{}/attempts", e.campaign.id),
        Some(&e.token),
        None,
    )
    .await
    .expect(201)
}

pub fn answers(attempt: &Value, choose: impl Fn(&Value) -> Vec<u32>) -> Value {
    let list: Vec<Value> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| json!({"question_id": q["id"], "choices": choose(q)}))
        .collect();
    json!({"answers": list})
}

/// Every key anywhere in a JSON value.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_bank_enforces_its_rules_and_belongs_to_hr() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let (_, cadre) = app.login_as("cadre", &[Role::Cadre]).await;
    let c = app.make_campaign(&hr).await;
    let path = format!("/api/v1/campaigns/{}/questions", c.id);
    let cases = [
        (
            "two answers on a single",
            json!({"kind": "single", "stem": "s", "options": ["a", "b"], "answer": [0, 1]}),
            "answer",
        ),
        (
            "no answer",
            json!({"kind": "multiple", "stem": "s", "options": ["a", "b"], "answer": []}),
            "answer",
        ),
        (
            "judge with three options",
            json!({"kind": "judge", "stem": "s", "options": ["对", "错", "不知道"], "answer": [0]}),
            "options",
        ),
        (
            "index out of range",
            json!({"kind": "single", "stem": "s", "options": ["a", "b"], "answer": [2]}),
            "answer",
        ),
        (
            "duplicate options",
            json!({"kind": "single", "stem": "s", "options": ["a", "a"], "answer": [0]}),
            "options",
        ),
        (
            "empty option",
            json!({"kind": "single", "stem": "s", "options": ["a", " "], "answer": [0]}),
            "options",
        ),
        (
            "empty stem",
            json!({"kind": "single", "stem": "", "options": ["a", "b"], "answer": [0]}),
            "stem",
        ),
        (
            "zero points",
            json!({"kind": "single", "stem": "s", "options": ["a", "b"], "answer": [0], "points": 0}),
            "points",
        ),
    ];
    for (what, body, field) in cases {
        let reply = app.post(&path, &hr, body).await;
        assert_eq!(reply.status, 422, "{what}");
        assert_eq!(reply.body["errors"][0]["field"], field, "{what}");
    }
    app.post(
        &path,
        &hr,
        json!({"kind": "essay", "stem": "s", "options": ["a", "b"], "answer": [0]}),
    )
    .await
    .expect(422);
    assert_eq!(app.get(&path, &hr).await.expect(200)["total"], 0);
    let ok = json!({"kind": "single", "stem": "s", "options": ["a", "b"], "answer": [1]});
    let made = app.post(&path, &hr, ok.clone()).await.expect(201);
    assert_eq!(made["answer"], json!([1]));
    assert_eq!(made["points"], 1);
    // Cadres can neither read nor write the bank.
    app.get(&path, &cadre).await.expect(403);
    app.post(&path, &cadre, ok).await.expect(403);
    app.patch(
        &format!("/api/v1/questions/{}", made["id"]),
        &cadre,
        json!({"points": 5}),
    )
    .await
    .expect(403);
    app.call(
        "DELETE",
        &format!("/api/v1/questions/{}", made["id"]),
        Some(&cadre),
        None,
    )
    .await
    .expect(403);
    app.post(
        "/api/v1/campaigns/9999/questions",
        &hr,
        json!({"kind": "single", "stem": "s", "options": ["a", "b"], "answer": [1]}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn bank_import_as_json_and_csv_all_or_nothing() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let c = app.make_campaign(&hr).await;
    let path = format!("/api/v1/campaigns/{}/questions/import", c.id);
    let list = format!("/api/v1/campaigns/{}/questions", c.id);

    let bad = json!({"questions": [
        {"kind": "single", "stem": "好题", "options": ["a", "b"], "answer": [0]},
        {"kind": "single", "stem": "坏题", "options": ["a", "b"], "answer": [0, 1]},
        {"kind": "judge", "stem": 42},
    ]});
    let reply = app.post(&path, &hr, bad).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors: Vec<(u64, &str, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors[0].0, 2, "the second question's answer");
    // The unreadable third is named field by field, in plain words.
    assert_eq!(
        errors[1..].to_vec(),
        vec![
            (3, "options", "is required"),
            (3, "answer", "is required"),
            (3, "stem", "must be a string"),
        ]
    );
    assert_eq!(
        app.get(&list, &hr).await.expect(200)["total"],
        0,
        "nothing stored"
    );

    let good = json!({"questions": [
        {"kind": "single", "stem": "一", "options": ["a", "b"], "answer": [0]},
        {"kind": "judge", "stem": "二", "options": ["正确", "错误"], "answer": [1], "points": 2},
    ]});
    assert_eq!(app.post(&path, &hr, good).await.expect(201)["imported"], 2);

    let csv = "题型,题干,选项A,选项B,选项C,选项D,答案,分值,法律依据\n\
               单选,宪法日是？,12月4日,3月15日,,,A,2,宪法\n\
               多选,民法典包括？,总则编,物权编,刑法编,,AB,4,民法典\n\
               判断,禁毒日是6月26日。,,,,,对,1,禁毒法\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let imported = app
        .call_raw("POST", &path, Some(&hr), "text/csv", gbk.into_owned())
        .await
        .expect(201);
    assert_eq!(imported["imported"], 3);
    let stored = app
        .get(&format!("{list}?per_page=100"), &hr)
        .await
        .expect(200);
    assert_eq!(stored["total"], 5);
    let multiple = stored["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stem"] == "民法典包括？")
        .unwrap();
    assert_eq!(multiple["answer"], json!([0, 1]));
    assert_eq!(multiple["options"], json!(["总则编", "物权编", "刑法编"]));
    let judge = stored["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "judge" && q["stem"] == "禁毒日是6月26日。")
        .unwrap();
    assert_eq!(judge["options"], json!(["正确", "错误"]));
    assert_eq!(judge["answer"], json!([0]));

    let bad_csv =
        "题型,题干,选项A,选项B,答案\n单选,好题,甲,乙,A\n单选,坏题,甲,乙,Z\n填空,怪题,甲,乙,A\n";
    let reply = app
        .call_raw(
            "POST",
            &path,
            Some(&hr),
            "text/csv",
            bad_csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(reply.status, 422);
    let lines: Vec<u64> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4]);
    assert_eq!(app.get(&list, &hr).await.expect(200)["total"], 5);
}

#[tokio::test]
async fn a_whole_attempt_graded_exactly() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let attempt = start(&app, &e).await;
    assert_eq!(attempt["status"], "open");
    assert_eq!(
        attempt["total"], 3,
        "all of a bank smaller than question_count"
    );
    assert_eq!(
        attempt["deadline"], "2026-11-10T03:00:00+00:00",
        "started + 60 minutes"
    );
    // Resuming gives the same attempt, in the same order.
    let again = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", e.campaign.id),
            Some(&e.token),
            None,
        )
        .await
        .expect(200);
    assert_eq!(again, attempt);

    // Right on the single (2 points) and the judge (1), a partial set on the multiple (4):
    // 3 of 7 points = 42.86.
    let id = attempt["id"].as_i64().unwrap();
    let sheet = answers(&attempt, |q| {
        let right = right_choices(q);
        if q["kind"] == "multiple" {
            vec![right[0]]
        } else {
            right
        }
    });
    let saved = app
        .call(
            "PUT",
            &format!("/api/v1/attempts/{id}/answers"),
            Some(&e.token),
            Some(sheet),
        )
        .await
        .expect(200);
    assert!(
        saved["questions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| !q["choices"].as_array().unwrap().is_empty())
    );
    let result = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &e.token,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(
        result,
        json!({"score": 42.86, "passed": false, "grade": "fail", "correct": 2, "total": 3})
    );
    // A retry of the submit returns the same grade and grades nothing again.
    assert_eq!(
        app.post(
            &format!("/api/v1/attempts/{id}/submit"),
            &e.token,
            json!({})
        )
        .await
        .expect(200),
        result
    );

    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", e.campaign.id),
            &e.token,
        )
        .await
        .expect(200);
    assert_eq!(progress["attempts_used"], 1);
    assert_eq!(progress["attempts_left"], 1);
    assert_eq!(progress["best_score"], 42.86);
    assert_eq!(progress["passed"], false);

    // The second attempt, all right, submitted in one go: 100, and the best counts.
    let second = start(&app, &e).await;
    let result = app
        .post(
            &format!("/api/v1/attempts/{}/submit", second["id"]),
            &e.token,
            answers(&second, right_choices),
        )
        .await
        .expect(200);
    assert_eq!(result["score"], 100.0);
    assert_eq!(result["passed"], true);
    let third = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", e.campaign.id),
            Some(&e.token),
            None,
        )
        .await;
    assert_eq!(third.status, 409);
    assert_eq!(third.body["code"], "no_attempts_left");
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", e.campaign.id),
            &e.token,
        )
        .await
        .expect(200);
    assert_eq!(
        (
            progress["attempts_used"].as_i64(),
            progress["best_score"].as_f64(),
            progress["passed"].as_bool()
        ),
        (Some(2), Some(100.0), Some(true))
    );
    // Answers on a finished attempt are refused.
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{id}/answers"),
        Some(&e.token),
        Some(json!({"answers": []})),
    )
    .await
    .expect(409);
}

#[tokio::test]
async fn bad_answers_are_refused() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let attempt = start(&app, &e).await;
    let id = &attempt["id"];
    let single = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "single")
        .unwrap();
    for choices in [json!([0, 1]), json!([7]), json!([0, 0]), json!([-1])] {
        let body = json!({"answers": [{"question_id": single["id"], "choices": choices}]});
        app.call(
            "PUT",
            &format!("/api/v1/attempts/{id}/answers"),
            Some(&e.token),
            Some(body),
        )
        .await
        .expect(422);
    }
    let body = json!({"answers": [{"question_id": 999999, "choices": [0]}]});
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{id}/answers"),
        Some(&e.token),
        Some(body),
    )
    .await
    .expect(422);
    app.call(
        "PUT",
        "/api/v1/attempts/999999/answers",
        Some(&e.token),
        Some(json!({"answers": []})),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn deadline_grace_and_late_submission() {
    let app = TestApp::new().await;
    let mut e = setup(&app).await;
    // Within the 30-second grace: accepted.
    let first = start(&app, &e).await;
    set_clock(&app, &mut e, "2026-11-10T11:00:25+08:00").await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", first["id"]),
        &e.token,
        answers(&first, right_choices),
    )
    .await
    .expect(200);

    // Past the grace: refused, and finished at the deadline with what was saved before.
    set_clock(&app, &mut e, "2026-11-10T14:00:00+08:00").await;
    let second = start(&app, &e).await;
    let id = second["id"].as_i64().unwrap();
    let sheet = answers(&second, |q| {
        if q["kind"] == "single" {
            right_choices(q)
        } else {
            vec![]
        }
    });
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{id}/answers"),
        Some(&e.token),
        Some(sheet),
    )
    .await
    .expect(200);
    set_clock(&app, &mut e, "2026-11-10T15:00:31+08:00").await;
    let late = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &e.token,
            answers(&second, right_choices),
        )
        .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["code"], "deadline_passed");
    let view = app
        .get(&format!("/api/v1/attempts/{id}"), &e.token)
        .await
        .expect(200);
    assert_eq!(view["status"], "expired");
    assert_eq!(
        view["finished_at"], "2026-11-10T07:00:00+00:00",
        "finished at the deadline"
    );
    assert_eq!(
        view["score"], 28.57,
        "only the saved single (2 of 7 points)"
    );
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", e.campaign.id),
            &e.token,
        )
        .await
        .expect(200);
    assert_eq!(
        progress["attempts_used"], 2,
        "an expired attempt counts as used"
    );
    assert_eq!(progress["best_score"], 100.0);
}

#[tokio::test]
async fn the_sweep_expires_abandoned_attempts_at_their_deadline() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let attempt = start(&app, &e).await;
    let id = attempt["id"].as_i64().unwrap();
    let sheet = answers(&attempt, right_choices);
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{id}/answers"),
        Some(&e.token),
        Some(sheet),
    )
    .await
    .expect(200);
    // The cadre never comes back. Thirty seconds after the deadline nothing happens yet…
    let just_inside: chrono::DateTime<chrono::Utc> = "2026-11-10T03:00:30Z".parse().unwrap();
    assert_eq!(
        domain::services::exam::expire_due(app.db(), just_inside)
            .await
            .unwrap(),
        0
    );
    // …a day later the sweep finishes it, dated at its deadline.
    let later: chrono::DateTime<chrono::Utc> = "2026-11-11T03:00:00Z".parse().unwrap();
    assert_eq!(
        domain::services::exam::expire_due(app.db(), later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        domain::services::exam::expire_due(app.db(), later)
            .await
            .unwrap(),
        0
    );
    let hr_view = app
        .get(&format!("/api/v1/attempts/{id}"), &e.hr)
        .await
        .expect(200);
    assert_eq!(hr_view["status"], "expired");
    assert_eq!(hr_view["finished_at"], "2026-11-10T03:00:00+00:00");
    assert_eq!(hr_view["score"], 100.0);
    let roster = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/{}", e.campaign.id, e.cadre),
            &e.hr,
        )
        .await
        .expect(200);
    assert_eq!(roster["attempts_used"], 1);
    assert_eq!(roster["passed"], true);
}

#[tokio::test]
async fn window_study_gate_and_enrollment_are_enforced() {
    let app = TestApp::new().await;
    let mut e = setup(&app).await;
    let path = format!("/api/v1/campaigns/{}/attempts", e.campaign.id);
    set_clock(&app, &mut e, "2026-10-31T23:59:59+08:00").await;
    let early = app.call("POST", &path, Some(&e.token), None).await;
    assert_eq!(
        (early.status.as_u16(), early.body["code"].as_str()),
        (409, Some("exam_not_open"))
    );
    set_clock(&app, &mut e, "2026-12-01T00:00:00+08:00").await;
    let late = app.call("POST", &path, Some(&e.token), None).await;
    assert_eq!(
        (late.status.as_u16(), late.body["code"].as_str()),
        (409, Some("exam_closed"))
    );
    // Starting 20 minutes before the close: the deadline is the close, not +60 minutes.
    set_clock(&app, &mut e, "2026-11-30T23:40:00+08:00").await;
    let attempt = app
        .call("POST", &path, Some(&e.token), None)
        .await
        .expect(201);
    assert_eq!(attempt["deadline"], "2026-11-30T16:00:00+00:00");

    // A cadre who has not finished studying may not start while study is required…
    let (lazy, lazy_token) = app.login_as("lazy", &[Role::Cadre]).await;
    app.enroll(&e.hr, e.campaign.id, &[lazy]).await;
    let gate = app.call("POST", &path, Some(&lazy_token), None).await;
    assert_eq!(
        (gate.status.as_u16(), gate.body["code"].as_str()),
        (409, Some("study_incomplete"))
    );
    // A refused start is no participation (参与)…
    let targets = format!("/api/v1/campaigns/{}/targets", e.campaign.id);
    let participation = async || {
        let t = app.get(&targets, &e.hr).await.expect(200);
        let missing = app
            .get(&format!("{targets}/missing?target=participation"), &e.hr)
            .await
            .expect(200);
        (
            t["participation"]["count"].as_i64(),
            missing["total"].as_i64(),
        )
    };
    assert_eq!(participation().await, (Some(1), Some(1)));
    // …and may once HR lifts the requirement.
    app.patch(
        &format!("/api/v1/campaigns/{}", e.campaign.id),
        &e.hr,
        json!({"exam_requires_study": false}),
    )
    .await
    .expect(200);
    app.call("POST", &path, Some(&lazy_token), None)
        .await
        .expect(201);
    // An attempt started without any study counts for participation.
    assert_eq!(participation().await, (Some(2), Some(0)));
    let (_, stranger) = app.login_as("stranger", &[Role::Cadre]).await;
    app.call("POST", &path, Some(&stranger), None)
        .await
        .expect(403);
    app.call("POST", &path, Some(&e.hr), None).await.expect(403);
}

#[tokio::test]
async fn no_answer_reaches_a_cadre_while_the_window_is_open() {
    let app = TestApp::new().await;
    let mut e = setup(&app).await;
    let mut seen: Vec<(String, Value)> = Vec::new();
    let attempt = start(&app, &e).await;
    let id = attempt["id"].as_i64().unwrap();
    seen.push(("start".into(), attempt.clone()));
    let p = format!("/api/v1/campaigns/{}/attempts", e.campaign.id);
    seen.push((
        "resume".into(),
        app.call("POST", &p, Some(&e.token), None).await.body,
    ));
    seen.push((
        "view".into(),
        app.get(&format!("/api/v1/attempts/{id}"), &e.token)
            .await
            .body,
    ));
    seen.push((
        "save".into(),
        app.call(
            "PUT",
            &format!("/api/v1/attempts/{id}/answers"),
            Some(&e.token),
            Some(answers(&attempt, wrong_choice)),
        )
        .await
        .body,
    ));
    seen.push((
        "submit".into(),
        app.post(
            &format!("/api/v1/attempts/{id}/submit"),
            &e.token,
            json!({}),
        )
        .await
        .body,
    ));
    seen.push((
        "view after submit".into(),
        app.get(&format!("/api/v1/attempts/{id}"), &e.token)
            .await
            .body,
    ));
    seen.push((
        "progress".into(),
        app.get(
            &format!("/api/v1/campaigns/{}/progress/me", e.campaign.id),
            &e.token,
        )
        .await
        .body,
    ));
    seen.push((
        "campaign".into(),
        app.get(&format!("/api/v1/campaigns/{}", e.campaign.id), &e.token)
            .await
            .body,
    ));
    seen.push((
        "campaigns".into(),
        app.get("/api/v1/campaigns", &e.token).await.body,
    ));
    let bank = app
        .get(
            &format!("/api/v1/campaigns/{}/questions", e.campaign.id),
            &e.token,
        )
        .await;
    assert_eq!(bank.status, 403);
    seen.push(("bank".into(), bank.body));
    seen.push(("attempt list".into(), app.get(&p, &e.token).await.body));
    let campaign = format!("/api/v1/campaigns/{}", e.campaign.id);
    seen.push((
        "practice".into(),
        app.post(&format!("{campaign}/practice"), &e.token, json!({}))
            .await
            .expect(201),
    ));
    // The failed attempt's wrong answers wait until the window has closed.
    let book = app
        .get(&format!("{campaign}/mistakes/me"), &e.token)
        .await
        .expect(200);
    assert_eq!(book["total"], 0, "{book}");
    seen.push(("mistakes".into(), book));
    seen.push((
        "certificate".into(),
        app.get(&format!("{campaign}/certificate/me"), &e.token)
            .await
            .body,
    ));
    for (what, body) in &seen {
        let mut found = Vec::new();
        keys(body, &mut found);
        assert!(
            !found.iter().any(|k| k == "answer"),
            "{what} leaks answers: {body}"
        );
        if let Some(questions) = body.get("questions").and_then(Value::as_array) {
            assert!(
                questions.iter().all(|q| q.get("correct").is_none()),
                "{what} says which answers were right"
            );
        }
    }
    // Another cadre cannot read, save to or submit this attempt.
    let (other, other_token) = app.login_as("other", &[Role::Cadre]).await;
    app.enroll(&e.hr, e.campaign.id, &[other]).await;
    app.get(&format!("/api/v1/attempts/{id}"), &other_token)
        .await
        .expect(403);
    app.call(
        "PUT",
        &format!("/api/v1/attempts/{id}/answers"),
        Some(&other_token),
        Some(json!({"answers": []})),
    )
    .await
    .expect(403);
    app.post(
        &format!("/api/v1/attempts/{id}/submit"),
        &other_token,
        json!({}),
    )
    .await
    .expect(403);
    // HR sees the answers at any time; the cadre once the window has closed.
    let hr_view = app
        .get(&format!("/api/v1/attempts/{id}"), &e.hr)
        .await
        .expect(200);
    assert!(hr_view["questions"][0]["answer"].is_array());
    set_clock(&app, &mut e, "2026-12-01T00:00:00+08:00").await;
    let after = app
        .get(&format!("/api/v1/attempts/{id}"), &e.token)
        .await
        .expect(200);
    for q in after["questions"].as_array().unwrap() {
        assert_eq!(q["answer"], json!(right_choices(q)));
        assert_eq!(q["correct"], false);
    }
}

#[tokio::test]
async fn retired_questions_still_grade_old_attempts() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let attempt = start(&app, &e).await;
    let single = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "single")
        .unwrap()
        .clone();
    let judge = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "judge")
        .unwrap()
        .clone();
    // HR deletes one drawn question and edits another mid-exam.
    app.call(
        "DELETE",
        &format!("/api/v1/questions/{}", single["id"]),
        Some(&e.hr),
        None,
    )
    .await
    .expect(204);
    let edited = app
        .patch(
            &format!("/api/v1/questions/{}", judge["id"]),
            &e.hr,
            json!({"answer": [1]}),
        )
        .await
        .expect(200);
    assert_ne!(
        edited["id"], judge["id"],
        "a drawn question is replaced, not changed"
    );
    let bank = app
        .get(
            &format!("/api/v1/campaigns/{}/questions", e.campaign.id),
            &e.hr,
        )
        .await
        .expect(200);
    assert_eq!(bank["total"], 2);
    let with_retired = app
        .get(
            &format!(
                "/api/v1/campaigns/{}/questions?include_retired=true",
                e.campaign.id
            ),
            &e.hr,
        )
        .await
        .expect(200);
    assert_eq!(with_retired["total"], 4);
    // The attempt grades against the questions as drawn.
    let result = app
        .post(
            &format!("/api/v1/attempts/{}/submit", attempt["id"]),
            &e.token,
            answers(&attempt, right_choices),
        )
        .await
        .expect(200);
    assert_eq!(result["score"], 100.0);
    // A question never drawn is really deleted.
    let fresh = app
        .post(
            &format!("/api/v1/campaigns/{}/questions", e.campaign.id),
            &e.hr,
            json!({"kind": "judge", "stem": "新题", "options": ["正确", "错误"], "answer": [0]}),
        )
        .await
        .expect(201);
    app.call(
        "DELETE",
        &format!("/api/v1/questions/{}", fresh["id"]),
        Some(&e.hr),
        None,
    )
    .await
    .expect(204);
    app.call(
        "DELETE",
        &format!("/api/v1/questions/{}", fresh["id"]),
        Some(&e.hr),
        None,
    )
    .await
    .expect(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_starts_open_one_attempt_and_two_submits_grade_once() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let path = format!("/api/v1/campaigns/{}/attempts", e.campaign.id);
    let (a, b) = futures::join!(
        app.call("POST", &path, Some(&e.token), None),
        app.call("POST", &path, Some(&e.token), None),
    );
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 201]);
    assert_eq!(a.body["id"], b.body["id"]);
    let id = a.body["id"].as_i64().unwrap();
    let sheet = answers(&a.body, right_choices);
    let submit = format!("/api/v1/attempts/{id}/submit");
    let (x, y) = futures::join!(
        app.post(&submit, &e.token, sheet.clone()),
        app.post(&submit, &e.token, sheet.clone())
    );
    assert_eq!(x.expect(200), y.expect(200));
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", e.campaign.id),
            &e.token,
        )
        .await
        .expect(200);
    assert_eq!(progress["attempts_used"], 1, "graded once");
}

/// Starts arriving together are committed together (the exam writer's group commit):
/// each cadre's double tap still opens one attempt, and a start the rules refuse inside
/// the group (this cadre has not studied) fails alone, its neighbours stored.
#[tokio::test]
async fn starts_at_once_open_one_attempt_each_and_a_refused_start_fails_alone() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    add_bank(&app, &hr, campaign.id).await;
    let names: Vec<String> = (0..6).map(|i| format!("cadre{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let (id, token) = app.login_as(name, &[Role::Cadre]).await;
        app.enroll(&hr, campaign.id, &[id]).await;
        if i > 0 {
            app.study_all(&token, &campaign).await;
        }
    }
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    let mut tokens = Vec::new();
    for name in &names {
        tokens.push(app.token(name, PASSWORD).await);
    }
    let path = format!("/api/v1/campaigns/{}/attempts", campaign.id);
    let taps = tokens
        .iter()
        .flat_map(|t| [t, t])
        .map(|t| app.call("POST", &path, Some(t), None));
    let replies = futures::future::join_all(taps).await;
    for refused in &replies[..2] {
        assert_eq!(refused.status.as_u16(), 409, "{}", refused.body);
        assert_eq!(refused.body["code"], "study_incomplete");
    }
    let mut ids = Vec::new();
    for pair in replies[2..].chunks(2) {
        let mut statuses = vec![pair[0].status.as_u16(), pair[1].status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses,
            vec![200, 201],
            "{} {}",
            pair[0].body,
            pair[1].body
        );
        assert_eq!(pair[0].body["id"], pair[1].body["id"]);
        assert_eq!(pair[0].body["questions"].as_array().unwrap().len(), 3);
        ids.push(pair[0].body["id"].as_i64().unwrap());
    }
    let hr = app.token("hr", PASSWORD).await;
    let listed = app.get(&path, &hr).await.expect(200);
    assert_eq!(
        listed["total"], 5,
        "one attempt a cadre who studied: {listed}"
    );
    for (id, token) in ids.iter().zip(&tokens[1..]) {
        let seen = app
            .get(&format!("/api/v1/attempts/{id}"), token)
            .await
            .expect(200);
        assert_eq!(seen["questions"].as_array().unwrap().len(), 3, "{seen}");
    }
}

#[tokio::test]
async fn hr_lists_and_exports_attempts() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let first = start(&app, &e).await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", first["id"]),
        &e.token,
        answers(&first, wrong_choice),
    )
    .await
    .expect(200);
    let second = start(&app, &e).await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", second["id"]),
        &e.token,
        answers(&second, right_choices),
    )
    .await
    .expect(200);
    let path = format!("/api/v1/campaigns/{}/attempts", e.campaign.id);
    let all = app.get(&path, &e.hr).await.expect(200);
    assert_eq!(all["total"], 2);
    assert_eq!(all["items"][0]["id"], second["id"], "newest first");
    assert_eq!(
        app.get(&format!("{path}?passed=true"), &e.hr)
            .await
            .expect(200)["total"],
        1
    );
    assert_eq!(
        app.get(&format!("{path}?passed=false"), &e.hr)
            .await
            .expect(200)["total"],
        1
    );
    assert_eq!(
        app.get(&format!("{path}?user_id={}", e.cadre), &e.hr)
            .await
            .expect(200)["total"],
        2
    );
    app.get(&path, &e.token).await.expect(403);

    let csv = app
        .call(
            "GET",
            &format!("{path}/export?format=csv"),
            Some(&e.hr),
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
}

#[tokio::test]
async fn questions_carry_tags_difficulty_and_a_pool_and_practice_is_never_drawn() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let bank = format!("/api/v1/campaigns/{}/questions", campaign.id);
    // Defaults: medium, exam, no tags.
    let plain = app
        .post(&bank, &hr, json!({"kind": "judge", "stem": "宪法是根本大法", "options": ["正确", "错误"], "answer": [0]}))
        .await
        .expect(201);
    assert_eq!(
        (
            plain["difficulty"].clone(),
            plain["pool"].clone(),
            plain["tags"].clone()
        ),
        (json!(2), json!("exam"), json!([]))
    );
    let mut practice = Vec::new();
    for n in 0..5 {
        let q = app
            .post(
                &bank,
                &hr,
                json!({"kind": "judge", "stem": format!("练习{n}"), "options": ["正确", "错误"], "answer": [0],
                       "tags": ["民法典", " 民法典 ", "宪法"], "difficulty": 1, "pool": "practice"}),
            )
            .await
            .expect(201);
        assert_eq!(q["tags"], json!(["民法典", "宪法"]), "trimmed, each once");
        assert_eq!(
            (q["difficulty"].clone(), q["pool"].clone()),
            (json!(1), json!("practice"))
        );
        practice.push(q["id"].as_i64().unwrap());
    }
    app.post(&bank, &hr, json!({"kind": "judge", "stem": "x", "options": ["正确", "错误"], "answer": [0], "difficulty": 4}))
        .await
        .expect(422);
    // CSV with the Chinese columns.
    let csv = "题型,题干,选项A,选项B,答案,标签,难度,题库\n判断,民法典自2021年起施行,正确,错误,对,民法典;宪法,难,练习\n判断,国家宪法日是12月4日,正确,错误,对,宪法,1,考试\n";
    let imported = app
        .call_raw(
            "POST",
            &format!("{bank}/import"),
            Some(&hr),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await
        .expect(201);
    assert_eq!(imported["imported"], 2);
    let all = app
        .get(&format!("{bank}?per_page=100"), &hr)
        .await
        .expect(200);
    let csv_one = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stem"] == "民法典自2021年起施行")
        .unwrap();
    assert_eq!(
        (
            csv_one["tags"].clone(),
            csv_one["difficulty"].clone(),
            csv_one["pool"].clone()
        ),
        (json!(["民法典", "宪法"]), json!(3), json!("practice"))
    );
    let bad = "题型,题干,选项A,选项B,答案,难度,题库\n判断,a,正确,错误,对,很难,考试\n判断,b,正确,错误,对,2,随便\n";
    let refused = app
        .call_raw(
            "POST",
            &format!("{bank}/import"),
            Some(&hr),
            "text/csv",
            bad.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(refused.status, 422);
    let fields: Vec<(u64, String)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![(2, "difficulty".to_owned()), (3, "pool".to_owned())]
    );
    // An exam draws only from the exam pool: here the two exam questions, never a practice one.
    let (cadre, token) = app.login_as("cadre", &[Role::Cadre]).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    app.patch(
        &format!("/api/v1/campaigns/{}", campaign.id),
        &hr,
        json!({"exam_requires_study": false, "question_count": 50}),
    )
    .await
    .expect(200);
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    let token = {
        let _ = token;
        app.token("cadre", PASSWORD).await
    };
    let attempt = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", campaign.id),
            Some(&token),
            None,
        )
        .await
        .expect(201);
    let stems: Vec<&str> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["stem"].as_str().unwrap())
        .collect();
    assert_eq!(stems.len(), 2, "{stems:?}");
    assert!(
        stems.contains(&"宪法是根本大法") && stems.contains(&"国家宪法日是12月4日"),
        "{stems:?}"
    );
}

#[tokio::test]
async fn grades_show_on_results_attempts_progress_targets_and_the_summary() {
    let app = TestApp::new().await;
    let mut e = setup(&app).await;
    let campaign = format!("/api/v1/campaigns/{}", e.campaign.id);
    // The bands must rise: pass ≤ good ≤ excellent ≤ 100.
    app.patch(&campaign, &e.hr, json!({"good_score": 50}))
        .await
        .expect(422);
    app.patch(&campaign, &e.hr, json!({"excellent_score": 70}))
        .await
        .expect(422);
    let c = app.get(&campaign, &e.hr).await.expect(200);
    assert_eq!(
        (c["good_score"].clone(), c["excellent_score"].clone()),
        (json!(80), json!(90))
    );
    // Another enrolled cadre who never sits: not_sat.
    let (idle, _) = app.login_as("idle", &[Role::Cadre]).await;
    app.enroll(&e.hr, e.campaign.id, &[idle]).await;
    set_clock(&app, &mut e, "2026-11-10T10:00:00+08:00").await;
    let attempt = start(&app, &e).await;
    let result = app
        .post(
            &format!("/api/v1/attempts/{}/submit", attempt["id"]),
            &e.token,
            answers(&attempt, right_choices),
        )
        .await
        .expect(200);
    assert_eq!(
        (result["score"].clone(), result["grade"].clone()),
        (json!(100.0), json!("excellent"))
    );
    let view = app
        .get(&format!("/api/v1/attempts/{}", attempt["id"]), &e.hr)
        .await
        .expect(200);
    assert_eq!(view["grade"], "excellent");
    let progress = app
        .get(&format!("{campaign}/progress/me"), &e.token)
        .await
        .expect(200);
    assert_eq!(progress["grade"], "excellent");
    let listed = app
        .get(&format!("{campaign}/attempts"), &e.hr)
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["grade"], "excellent");
    let targets = app
        .get(&format!("{campaign}/targets"), &e.hr)
        .await
        .expect(200);
    assert_eq!(
        targets["grades"],
        json!({"excellent": 1, "good": 0, "pass": 0, "fail": 0, "not_sat": 1})
    );
    for unit in targets["by_unit"].as_array().unwrap() {
        let g = &unit["grades"];
        let sum: u64 = ["excellent", "good", "pass", "fail", "not_sat"]
            .iter()
            .map(|k| g[k].as_u64().unwrap())
            .sum();
        assert_eq!(
            sum,
            unit["roster"].as_u64().unwrap(),
            "every member in exactly one bucket"
        );
    }
    // Raising the bands moves the same score down a grade, everywhere at once.
    app.patch(
        &campaign,
        &e.hr,
        json!({"pass_score": 100, "good_score": 100, "excellent_score": 100}),
    )
    .await
    .expect(200);
    let summary = app
        .get("/api/v1/reports/annual/2026", &e.hr)
        .await
        .expect(200);
    assert_eq!(
        summary["campaigns"][0]["grades"]["excellent"], 1,
        "100 is still 优秀 at 100"
    );
    let csv = String::from_utf8(
        app.bytes(&format!("{campaign}/attempts/export?format=csv"), &e.hr)
            .await,
    )
    .unwrap();
    assert!(csv.contains("等级") && csv.contains("优秀"), "{csv}");
    let missing = app
        .get(&format!("{campaign}/targets/missing?target=exam"), &e.hr)
        .await
        .expect(200);
    assert_eq!(missing["items"][0]["grade"], Value::Null, "idle never sat");
}

#[tokio::test]
async fn a_certificate_verifies_with_the_name_masked_and_a_wrong_code_is_404() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = TestApp::new().await;
    let e = setup(&app).await;
    entity::user::ActiveModel {
        id: Set(e.cadre),
        name: Set("张三明".into()),
        ..Default::default()
    }
    .update(app.db())
    .await
    .unwrap();
    let mine = format!("/api/v1/campaigns/{}/certificate/me", e.campaign.id);
    // Not passed yet (not even sat): no certificate.
    app.get(&mine, &e.token).await.expect(404);
    // A fail gives none either.
    let failed = start(&app, &e).await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", failed["id"]),
        &e.token,
        json!({}),
    )
    .await
    .expect(200);
    app.get(&mine, &e.token).await.expect(404);
    let passed = start(&app, &e).await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", passed["id"]),
        &e.token,
        answers(&passed, right_choices),
    )
    .await
    .expect(200);
    let cert = app.get(&mine, &e.token).await.expect(200);
    let code = cert["code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 16, "{code}");
    assert_eq!(cert["name"], "张三明");
    assert_eq!(
        (
            cert["score"].clone(),
            cert["grade"].clone(),
            cert["year"].clone()
        ),
        (json!(100.0), json!("excellent"), json!(2026))
    );
    // Asking again returns the same certificate, not a new code.
    assert_eq!(app.get(&mine, &e.token).await.expect(200), cert);
    // Anyone can verify it, without signing in; the name is partly hidden.
    let public = app
        .call("GET", &format!("/api/v1/certificates/{code}"), None, None)
        .await
        .expect(200);
    assert_eq!(public["name"], "张*明");
    assert_eq!(public["code"], cert["code"]);
    assert_eq!(public["passed_at"], cert["passed_at"]);
    // Typed in lower case with a dash, it still verifies.
    let typed = format!("{}-{}", &code[..10], &code[10..]).to_lowercase();
    app.call("GET", &format!("/api/v1/certificates/{typed}"), None, None)
        .await
        .expect(200);
    // One character off, or made up: 404 in the one error shape.
    let last = code.chars().last().unwrap();
    let off = format!(
        "{}{}",
        &code[..code.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let wrong = app
        .call("GET", &format!("/api/v1/certificates/{off}"), None, None)
        .await
        .expect(404);
    assert_eq!(wrong["code"], "not_found");
    app.call(
        "GET",
        "/api/v1/certificates/AAAAAAAAAAAAAAAAAAAA",
        None,
        None,
    )
    .await
    .expect(404);
    // Someone who is not on the roster has none.
    let (_, stranger) = app.login_as("stranger", &[Role::Cadre]).await;
    app.get(&mine, &stranger).await.expect(404);
}

/// Adds `n` practice-pool judge questions (正确 is right) and returns their ids.
async fn practice_bank(app: &TestApp, e: &Exam, n: usize) -> Vec<Value> {
    let mut ids = Vec::new();
    for i in 0..n {
        let q = app
            .post(
                &format!("/api/v1/campaigns/{}/questions", e.campaign.id),
                &e.hr,
                json!({"kind": "judge", "stem": format!("练习{i}"), "options": ["正确", "错误"], "answer": [0],
                       "law_ref": "民法典第一条", "pool": "practice"}),
            )
            .await
            .expect(201);
        ids.push(q["id"].clone());
    }
    ids
}

#[tokio::test]
async fn practice_draws_only_its_pool_and_answers_at_once_and_counts_for_no_target() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let campaign = format!("/api/v1/campaigns/{}", e.campaign.id);
    let practice_ids = practice_bank(&app, &e, 3).await;
    let targets_before = app
        .get(&format!("{campaign}/targets"), &e.hr)
        .await
        .expect(200);
    // Bad counts are refused; the default asks for 10 and gets the 3 there are.
    for bad in [json!({"count": 0}), json!({"count": 51})] {
        app.post(&format!("{campaign}/practice"), &e.token, bad)
            .await
            .expect(422);
    }
    let set = app
        .post(&format!("{campaign}/practice"), &e.token, json!({}))
        .await
        .expect(201);
    let questions = set["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 3);
    for q in questions {
        assert!(
            practice_ids.contains(&q["id"]),
            "only practice-pool questions"
        );
        assert!(q.get("answer").is_none(), "no answer before answering");
    }
    let answers = format!("/api/v1/practice/{}/answers", set["id"]);
    let (first, second) = (questions[0]["id"].clone(), questions[1]["id"].clone());
    let wrong = app
        .post(
            &answers,
            &e.token,
            json!({"question_id": first, "choices": [1]}),
        )
        .await
        .expect(200);
    assert_eq!(
        wrong,
        json!({"correct": false, "answer": [0], "law_ref": "民法典第一条"})
    );
    // A resend, even with other choices, keeps the first verdict.
    app.post(
        &answers,
        &e.token,
        json!({"question_id": first, "choices": [0]}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.post(
            &answers,
            &e.token,
            json!({"question_id": second, "choices": [0]})
        )
        .await
        .expect(200)["correct"],
        true
    );
    // Not in this set, an option that is not there, someone else's set.
    app.post(
        &answers,
        &e.token,
        json!({"question_id": 999_999, "choices": [0]}),
    )
    .await
    .expect(422);
    app.post(
        &answers,
        &e.token,
        json!({"question_id": second, "choices": [5]}),
    )
    .await
    .expect(422);
    let (outsider, outsider_token) = app.login_as("outsider", &[Role::Cadre]).await;
    app.post(
        &answers,
        &outsider_token,
        json!({"question_id": first, "choices": [0]}),
    )
    .await
    .expect(404);
    app.post(&format!("{campaign}/practice"), &outsider_token, json!({}))
        .await
        .expect(403);
    let _ = outsider;
    assert_eq!(
        app.get(&format!("{campaign}/targets"), &e.hr)
            .await
            .expect(200),
        targets_before,
        "practice counts for no target"
    );
}

#[tokio::test]
async fn the_mistake_book_hides_exam_answers_until_the_last_window_closes() {
    let app = TestApp::new().await;
    let mut e = setup(&app).await;
    let campaign = format!("/api/v1/campaigns/{}", e.campaign.id);
    practice_bank(&app, &e, 1).await;
    let set = app
        .post(&format!("{campaign}/practice"), &e.token, json!({}))
        .await
        .expect(201);
    let first = set["questions"][0]["id"].clone();
    app.post(
        &format!("/api/v1/practice/{}/answers", set["id"]),
        &e.token,
        json!({"question_id": first, "choices": [1]}),
    )
    .await
    .expect(200);
    // A failed exam: its wrong answers stay out of the book while the window is open.
    set_clock(&app, &mut e, "2026-11-10T10:05:00+08:00").await;
    let attempt = start(&app, &e).await;
    app.post(
        &format!("/api/v1/attempts/{}/submit", attempt["id"]),
        &e.token,
        json!({}),
    )
    .await
    .expect(200);
    let book = app
        .get(&format!("{campaign}/mistakes/me"), &e.token)
        .await
        .expect(200);
    assert_eq!(book["total"], 1);
    assert_eq!(book["items"][0]["question_id"], first);
    assert_eq!(book["items"][0]["source"], "practice");
    assert_eq!(book["items"][0]["choices"], json!([1]));
    set_clock(&app, &mut e, "2026-11-30T23:59:59+08:00").await;
    let book = app
        .get(&format!("{campaign}/mistakes/me"), &e.token)
        .await
        .expect(200);
    assert!(
        book["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["source"] == "practice"),
        "no exam answer before the last window closes: {book}"
    );
    // The window has closed: the exam's wrong answers join, newest first, with answers.
    set_clock(&app, &mut e, "2026-12-01T00:00:00+08:00").await;
    let book = app
        .get(&format!("{campaign}/mistakes/me?per_page=500"), &e.token)
        .await
        .expect(200);
    let items = book["items"].as_array().unwrap();
    let exam: Vec<_> = items.iter().filter(|m| m["source"] == "exam").collect();
    assert_eq!(
        exam.len() as u64,
        attempt["questions"].as_array().unwrap().len() as u64
    );
    assert_eq!(
        items[0]["source"], "exam",
        "the exam came after the practice"
    );
    assert!(
        exam.iter()
            .all(|m| !m["answer"].as_array().unwrap().is_empty())
    );
    // Practice is over with the last window.
    let closed = app
        .post(&format!("{campaign}/practice"), &e.token, json!({}))
        .await
        .expect(409);
    assert_eq!(closed["code"], "practice_closed");
}

#[tokio::test]
async fn saves_at_once_are_all_stored_and_a_save_after_submitting_is_refused() {
    let app = TestApp::new().await;
    let e = setup(&app).await;
    let attempt = start(&app, &e).await;
    let id = attempt["id"].as_i64().unwrap();
    let save = format!("/api/v1/attempts/{id}/answers");
    // One save per question, all at once: the answer writer commits them in groups.
    let saves = attempt["questions"].as_array().unwrap().iter().map(|q| {
        let body = json!({"answers": [{"question_id": q["id"], "choices": right_choices(q)}]});
        app.call("PUT", &save, Some(&e.token), Some(body))
    });
    for reply in futures::future::join_all(saves).await {
        reply.expect(200);
    }
    let seen = app
        .get(&format!("/api/v1/attempts/{id}"), &e.token)
        .await
        .expect(200);
    for q in seen["questions"].as_array().unwrap() {
        assert_eq!(
            q["choices"].as_array().unwrap().len(),
            right_choices(q).len(),
            "{q}"
        );
    }
    // Graded on what the saves stored: an empty submission keeps them.
    let result = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &e.token,
            json!({"answers": []}),
        )
        .await
        .expect(200);
    assert_eq!(result["score"], json!(100.0));
    let refused = app
        .call(
            "PUT",
            &save,
            Some(&e.token),
            Some(answers(&attempt, wrong_choice)),
        )
        .await
        .expect(409);
    assert_eq!(refused["code"], "attempt_finished");
}
