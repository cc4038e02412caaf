//! Exams as provinces run them, part two: papers by rank (组卷) and the make-up window
//! (补考), through HTTP with known answers.

use std::collections::HashMap;

use domain::auth::Role;
use serde_json::{Value, json};

use crate::{
    common::{Campaign, PASSWORD, TestApp},
    exam::answers,
};

/// A cadre on the campaign who has completed study (sessions on the tests' day, before the
/// clock moves to the exam), optionally a leading cadre (领导干部).
async fn studied_cadre(
    app: &TestApp,
    hr: &str,
    campaign: &Campaign,
    username: &str,
    leader: bool,
) -> i64 {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let (id, token) = app.login_as(username, &[Role::Cadre]).await;
    if leader {
        entity::user::ActiveModel {
            id: Set(id),
            is_leader: Set(true),
            ..Default::default()
        }
        .update(app.db())
        .await
        .unwrap();
    }
    app.enroll(hr, campaign.id, &[id]).await;
    app.study_all(&token, campaign).await;
    id
}

/// Moves the server's clock and signs everyone in again (tokens follow the clock).
async fn at(app: &TestApp, rfc3339: &str, users: &[&str]) -> HashMap<String, String> {
    app.state.clock.set(rfc3339.parse().unwrap());
    let mut tokens = HashMap::new();
    for u in users {
        tokens.insert(u.to_string(), app.token(u, PASSWORD).await);
    }
    tokens
}

/// Adds a question; `right` is the index of the right option (or indices for multiple).
async fn question(app: &TestApp, hr: &str, campaign: i64, q: Value) -> i64 {
    app.post(&format!("/api/v1/campaigns/{campaign}/questions"), hr, q)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// The bank: 3 single tagged 宪法, 3 single tagged 民法典, 2 judge of difficulty 1, 2 judge
/// of difficulty 3, 2 multiple; every right answer is option 0 (the attempt shuffles).
/// Returns each question's id with its kind, tags and difficulty.
async fn rank_bank(app: &TestApp, hr: &str, campaign: i64) -> HashMap<i64, (String, Value, i64)> {
    let mut out = HashMap::new();
    let mut add = Vec::new();
    for (tag, n) in [("宪法", 3), ("民法典", 3)] {
        for i in 0..n {
            add.push(json!({"kind": "single", "stem": format!("{tag}单选{i}"), "options": ["对的", "错1", "错2", "错3"],
                            "answer": [0], "points": 1, "tags": [tag]}));
        }
    }
    for (difficulty, n) in [(1, 2), (3, 2)] {
        for i in 0..n {
            add.push(json!({"kind": "judge", "stem": format!("判断{difficulty}-{i}"), "options": ["正确", "错误"],
                            "answer": [0], "points": 1, "difficulty": difficulty}));
        }
    }
    for i in 0..2 {
        add.push(json!({"kind": "multiple", "stem": format!("多选{i}"), "options": ["对的", "也对", "错1", "错2"],
                        "answer": [0, 1], "points": 1}));
    }
    for q in add {
        let id = question(app, hr, campaign, q.clone()).await;
        out.insert(
            id,
            (
                q["kind"].as_str().unwrap().to_owned(),
                q.get("tags").cloned().unwrap_or(json!([])),
                q.get("difficulty").and_then(Value::as_i64).unwrap_or(2),
            ),
        );
    }
    out
}

/// The right choices of a rank-bank question as the attempt shows its options.
fn right(q: &Value) -> Vec<u32> {
    q["options"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, o)| ["对的", "也对", "正确"].contains(&o.as_str().unwrap()))
        .map(|(i, _)| i as u32)
        .collect()
}

fn wrong(q: &Value) -> Vec<u32> {
    let r = right(q);
    let n = q["options"].as_array().unwrap().len() as u32;
    vec![(0..n).find(|i| !r.contains(i)).unwrap()]
}

/// For each question of `attempt` as its owner sees it now: is the right answer shown?
async fn answers_shown(app: &TestApp, attempt: &Value, token: &str) -> Vec<bool> {
    let seen = app
        .get(&format!("/api/v1/attempts/{}", attempt["id"]), token)
        .await
        .expect(200);
    seen["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.get("answer").is_some())
        .collect()
}

const EXAM_DAY: &str = "2026-11-10T10:00:00+08:00";

/// Starts (or resumes) an attempt as the holder of `token`.
async fn start_as(app: &TestApp, campaign: i64, token: &str) -> crate::common::Reply {
    app.call(
        "POST",
        &format!("/api/v1/campaigns/{campaign}/attempts"),
        Some(token),
        None,
    )
    .await
}

/// Submits `attempt` right on the questions of `kind` and wrong on the others.
async fn submit_right_on(app: &TestApp, token: &str, attempt: &Value, kind: &str) -> Value {
    let choose = |q: &Value| {
        if q["kind"] == kind {
            right(q)
        } else {
            wrong(q)
        }
    };
    app.post(
        &format!("/api/v1/attempts/{}/submit", attempt["id"]),
        token,
        answers(attempt, choose),
    )
    .await
    .expect(200)
}

fn paper(key: &str, audience: &str, rules: Value) -> Value {
    json!({"key": key, "name": format!("{key}卷"), "for": audience, "rules": rules})
}

/// A campaign with the rank bank and two cadres who have studied: `leader` (领导干部) and
/// `staff`.
async fn rank_campaign(app: &TestApp) -> (String, Campaign, HashMap<i64, (String, Value, i64)>) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let bank = rank_bank(app, &hr, campaign.id).await;
    studied_cadre(app, &hr, &campaign, "leader", true).await;
    studied_cadre(app, &hr, &campaign, "staff", false).await;
    (hr, campaign, bank)
}

/// The leaders' paper: 2 single tagged 宪法 at 5 points, `judges` hard judge at 10.
fn leaders_paper(judges: i32) -> Value {
    paper(
        "leaders",
        "leaders",
        json!([{"kind": "single", "count": 2, "points": 5, "tags": ["宪法"]},
               {"kind": "judge", "count": judges, "points": 10, "difficulty": 3}]),
    )
}

/// The others' paper: 3 single (宪法 or 民法典: any of the six) at 4 points, 1 multiple
/// at 8.
fn others_paper() -> Value {
    paper(
        "others",
        "others",
        json!([{"kind": "single", "count": 3, "points": 4, "tags": ["宪法", "民法典"]},
               {"kind": "multiple", "count": 1, "points": 8}]),
    )
}

#[tokio::test]
async fn papers_that_overlap_or_that_the_bank_cannot_fill_are_refused_and_named() {
    let app = TestApp::new().await;
    let (hr, campaign, _) = rank_campaign(&app).await;
    let url = format!("/api/v1/campaigns/{}", campaign.id);
    let (leaders, others) = (leaders_paper(2), others_paper());
    // Overlapping papers, a repeated key and a bad rule are refused, and nothing is stored.
    for bad in [
        json!([
            paper(
                "a",
                "all",
                json!([{"kind": "judge", "count": 1, "points": 1}])
            ),
            leaders.clone()
        ]),
        json!([
            leaders.clone(),
            paper(
                "l2",
                "leaders",
                json!([{"kind": "judge", "count": 1, "points": 1}])
            )
        ]),
        json!([leaders.clone(), leaders.clone()]),
        json!([paper(
            "x",
            "all",
            json!([{"kind": "judge", "count": 0, "points": 1}])
        )]),
        json!([paper(
            "x",
            "all",
            json!([{"kind": "judge", "count": 1, "points": 1, "difficulty": 4}])
        )]),
        json!([paper(
            "bad key!",
            "all",
            json!([{"kind": "judge", "count": 1, "points": 1}])
        )]),
    ] {
        let refused = app
            .patch(&url, &hr, json!({"papers": bad}))
            .await
            .expect(422);
        assert!(
            refused["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{refused}"
        );
    }
    assert_eq!(app.get(&url, &hr).await.expect(200)["papers"], json!([]));
    assert_eq!(
        app.get(&format!("{url}/papers/check"), &hr)
            .await
            .expect(200),
        json!([]),
        "no papers, nothing to check"
    );
    // A rule the bank cannot fill: papers/check names it and starting is 409.
    let short = leaders_paper(3);
    app.patch(&url, &hr, json!({"papers": [short, others.clone()]}))
        .await
        .expect(200);
    let check = app
        .get(&format!("{url}/papers/check"), &hr)
        .await
        .expect(200);
    let counts: Vec<(Value, Value, Value, Value)> = check
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["paper"].clone(),
                r["rule"].clone(),
                r["needed"].clone(),
                r["available"].clone(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            (json!("leaders"), json!(0), json!(2), json!(3)),
            (json!("leaders"), json!(1), json!(3), json!(2)),
            (json!("others"), json!(0), json!(3), json!(6)),
            (json!("others"), json!(1), json!(1), json!(2)),
        ]
    );
    // 10 November, the exam open: everyone signs in again.
    let tokens = at(&app, EXAM_DAY, &["hr", "leader", "staff"]).await;
    let start = |who: &str| start_as(&app, campaign.id, &tokens[who]);
    let refused = start("leader").await.expect(409);
    assert_eq!(refused["code"], "not_enough_questions");
    assert!(
        refused["detail"].as_str().unwrap().contains("leaders"),
        "{refused}"
    );
    // A cadre never reads the check.
    app.get(&format!("{url}/papers/check"), &tokens["staff"])
        .await
        .expect(403);
}

#[tokio::test]
async fn leaders_and_others_get_their_own_papers_with_exact_counts_and_points() {
    let app = TestApp::new().await;
    let (hr, campaign, bank) = rank_campaign(&app).await;
    let url = format!("/api/v1/campaigns/{}", campaign.id);
    let (leaders, others) = (leaders_paper(2), others_paper());
    app.patch(&url, &hr, json!({"papers": [leaders, others]}))
        .await
        .expect(200);
    // 10 November, the exam open: everyone signs in again.
    let tokens = at(&app, EXAM_DAY, &["hr", "leader", "staff"]).await;
    let start = |who: &str| start_as(&app, campaign.id, &tokens[who]);
    // The leader's paper: 2 single tagged 宪法 at 5 points, 2 hard judge at 10.
    let attempt = start("leader").await.expect(201);
    assert_eq!(
        (attempt["kind"].clone(), attempt["paper_key"].clone()),
        (json!("main"), json!("leaders"))
    );
    let drawn: Vec<(String, Value, i64, i64)> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let (kind, tags, difficulty) = bank[&q["id"].as_i64().unwrap()].clone();
            (kind, tags, difficulty, q["points"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        drawn,
        vec![
            ("single".into(), json!(["宪法"]), 2, 5),
            ("single".into(), json!(["宪法"]), 2, 5),
            ("judge".into(), json!([]), 3, 10),
            ("judge".into(), json!([]), 3, 10),
        ]
    );
    // Right on the singles only: 10 of 30 points.
    let result = submit_right_on(&app, &tokens["leader"], &attempt, "single").await;
    assert_eq!(
        (result["score"].clone(), result["correct"].clone()),
        (json!(33.33), json!(2))
    );
    // The others' paper: 3 single at 4, 1 multiple at 8.
    let attempt = start("staff").await.expect(201);
    assert_eq!(attempt["paper_key"], "others");
    let mut kinds: Vec<(String, i64)> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["kind"].as_str().unwrap().to_owned(),
                q["points"].as_i64().unwrap(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            ("multiple".into(), 8),
            ("single".into(), 4),
            ("single".into(), 4),
            ("single".into(), 4)
        ]
    );
    let result = submit_right_on(&app, &tokens["staff"], &attempt, "multiple").await;
    assert_eq!(result["score"], json!(40.0), "8 of 20 points");
    let listed = app
        .get(&format!("{url}/attempts"), &tokens["hr"])
        .await
        .expect(200);
    let mut keys: Vec<Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["paper_key"].clone())
        .collect();
    keys.sort_by_key(|k| k.to_string());
    assert_eq!(keys, vec![json!("leaders"), json!("others")]);
    // Removing the papers goes back to question_count at random, each at its own points.
    app.patch(&url, &tokens["hr"], json!({"papers": []}))
        .await
        .expect(200);
    let attempt = start("staff").await.expect(201);
    assert_eq!(
        (attempt["paper_key"].clone(), attempt["total"].clone()),
        (Value::Null, json!(10))
    );
    assert!(
        attempt["questions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["points"] == 1)
    );
}

/// Starts an attempt for `who` and submits it with `choose`; returns the result.
async fn sit(
    app: &TestApp,
    campaign: i64,
    token: &str,
    choose: impl Fn(&Value) -> Vec<u32>,
) -> (Value, Value) {
    let attempt = app
        .call(
            "POST",
            &format!("/api/v1/campaigns/{campaign}/attempts"),
            Some(token),
            None,
        )
        .await
        .expect(201);
    let result = app
        .post(
            &format!("/api/v1/attempts/{}/submit", attempt["id"]),
            token,
            answers(&attempt, choose),
        )
        .await
        .expect(200);
    (attempt, result)
}

#[tokio::test]
async fn a_make_up_window_follows_the_exam_and_has_both_ends() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let url = format!("/api/v1/campaigns/{}", campaign.id);
    // The main exam closes on 1 December; the make-up must open at or after it, with both ends.
    for bad in [
        json!({"makeup_opens_at": "2026-11-30T00:00:00+08:00", "makeup_closes_at": "2026-12-10T00:00:00+08:00"}),
        json!({"makeup_opens_at": "2026-12-05T00:00:00+08:00"}),
        json!({"makeup_opens_at": "2026-12-05T00:00:00+08:00", "makeup_closes_at": "2026-12-05T00:00:00+08:00"}),
        json!({"makeup_opens_at": "2026-12-05T00:00:00+08:00", "makeup_closes_at": "2026-12-10T00:00:00+08:00", "makeup_attempts": 0}),
    ] {
        app.patch(&url, &hr, bad).await.expect(422);
    }
    let c = app.get(&url, &hr).await.expect(200);
    assert_eq!(
        (c["makeup_opens_at"].clone(), c["makeup_closes_at"].clone()),
        (Value::Null, Value::Null),
        "nothing stored"
    );
    // Set, then cleared with null.
    app.patch(
        &url,
        &hr,
        json!({"makeup_opens_at": "2026-12-05T00:00:00+08:00", "makeup_closes_at": "2026-12-10T00:00:00+08:00"}),
    )
    .await
    .expect(200);
    let c = app
        .patch(
            &url,
            &hr,
            json!({"makeup_opens_at": null, "makeup_closes_at": null}),
        )
        .await
        .expect(200);
    assert_eq!(c["makeup_closes_at"], Value::Null);
}

#[tokio::test]
async fn the_make_up_window_counts_for_exam_and_pass_and_closes_on_time() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    rank_bank(&app, &hr, campaign.id).await;
    for who in ["failer", "passer", "absent"] {
        studied_cadre(&app, &hr, &campaign, who, false).await;
    }
    let url = format!("/api/v1/campaigns/{}", campaign.id);
    let c = app
        .patch(
            &url,
            &hr,
            json!({"makeup_opens_at": "2026-12-05T00:00:00+08:00", "makeup_closes_at": "2026-12-10T00:00:00+08:00"}),
        )
        .await
        .expect(200);
    assert_eq!(c["makeup_attempts"], 1, "one make-up attempt by default");
    let everyone = ["hr", "failer", "passer", "absent"];
    // Main window: failer uses both main attempts and fails; passer passes.
    let t = at(&app, "2026-11-10T10:00:00+08:00", &everyone).await;
    let (first_main, _) = sit(&app, campaign.id, &t["failer"], wrong).await;
    sit(&app, campaign.id, &t["failer"], wrong).await;
    start_as(&app, campaign.id, &t["failer"]).await.expect(409);
    let (_, passed) = sit(&app, campaign.id, &t["passer"], right).await;
    assert_eq!(passed["passed"], true);
    let progress = app
        .get(&format!("{url}/progress/me"), &t["failer"])
        .await
        .expect(200);
    assert_eq!(
        (
            progress["attempts_left"].clone(),
            progress["makeup_attempts_left"].clone()
        ),
        (json!(0), json!(1))
    );
    let progress = app
        .get(&format!("{url}/progress/me"), &t["passer"])
        .await
        .expect(200);
    assert_eq!(progress["makeup_attempts_left"], 0, "nothing to make up");
    // Between the windows: refused before the make-up opens.
    let t = at(&app, "2026-12-03T10:00:00+08:00", &everyone).await;
    let refused = start_as(&app, campaign.id, &t["failer"]).await.expect(409);
    assert_eq!(refused["code"], "makeup_not_open");
    // In the make-up window.
    let t = at(&app, "2026-12-06T10:00:00+08:00", &everyone).await;
    let refused = start_as(&app, campaign.id, &t["passer"]).await.expect(409);
    assert_eq!(refused["code"], "already_passed");
    // The failed main attempt's answers stay hidden while the make-up is open.
    assert_eq!(
        answers_shown(&app, &first_main, &t["failer"]).await,
        vec![false; 10]
    );
    let (makeup, result) = sit(&app, campaign.id, &t["failer"], wrong).await;
    assert_eq!(
        (makeup["kind"].clone(), result["passed"].clone()),
        (json!("makeup"), json!(false))
    );
    let refused = start_as(&app, campaign.id, &t["failer"]).await.expect(409);
    assert_eq!(refused["code"], "no_attempts_left");
    app.patch(&url, &t["hr"], json!({"makeup_attempts": 2}))
        .await
        .expect(200);
    let (_, result) = sit(&app, campaign.id, &t["failer"], right).await;
    assert_eq!(result["passed"], true);
    // absent never sat the main exam and may still make it up; the deadline is capped at
    // the make-up's close, and the sweep expires it there.
    let t = at(&app, "2026-12-09T23:30:00+08:00", &everyone).await;
    let late = start_as(&app, campaign.id, &t["absent"]).await.expect(201);
    assert_eq!(
        late["deadline"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        "2026-12-10T00:00:00+08:00"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    let expired =
        domain::services::exam::expire_due(app.db(), "2026-12-10T00:01:00+08:00".parse().unwrap())
            .await
            .unwrap();
    assert_eq!(expired, 1);
    let t = at(&app, "2026-12-10T00:01:00+08:00", &everyone).await;
    let seen = app
        .get(&format!("/api/v1/attempts/{}", late["id"]), &t["absent"])
        .await
        .expect(200);
    assert_eq!(
        (seen["status"].clone(), seen["kind"].clone()),
        (json!("expired"), json!("makeup"))
    );
    assert_eq!(
        start_as(&app, campaign.id, &t["absent"]).await.expect(409)["code"],
        "exam_closed"
    );
    // Every window has closed: the failed main attempt now shows its answers.
    assert_eq!(
        answers_shown(&app, &first_main, &t["failer"]).await,
        vec![true; 10]
    );
    // Targets: all three sat, two passed, one of them only in the make-up.
    let targets = app
        .get(&format!("{url}/targets"), &t["hr"])
        .await
        .expect(200);
    assert_eq!(
        (
            targets["roster"].clone(),
            targets["exam"]["count"].clone(),
            targets["pass"]["count"].clone(),
            targets["passed_in_makeup"].clone()
        ),
        (json!(3), json!(3), json!(2), json!(1))
    );
    let summary = app
        .get("/api/v1/reports/annual/2026", &t["hr"])
        .await
        .expect(200);
    assert_eq!(summary["campaigns"][0]["passed_in_makeup"], 1);
    let text = String::from_utf8(
        app.bytes("/api/v1/reports/annual/2026/export?format=text", &t["hr"])
            .await,
    )
    .unwrap();
    assert!(text.contains("补考合格1人"), "{text}");
    let missing = app
        .get(&format!("{url}/targets/missing?target=exam"), &t["hr"])
        .await
        .expect(200);
    assert_eq!(missing["total"], 0, "a make-up attempt counts for the exam");
    let listed = app
        .bytes(&format!("{url}/attempts/export?format=csv"), &t["hr"])
        .await;
    assert!(String::from_utf8(listed).unwrap().contains("补考"));
}

/// The bank is searched by words of the stem or the legal reference, and filtered by kind
/// and pool; the total is of what matches.
#[tokio::test]
async fn the_bank_is_searched_by_words_kind_and_pool() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await.id;
    for (kind, stem, law_ref, pool) in [
        ("judge", "宪法是国家的根本法", "《宪法》序言", "exam"),
        (
            "judge",
            "民法典自2021年起施行",
            "《民法典》第1260条",
            "practice",
        ),
        ("judge", "国家宪法日是12月4日", "", "exam"),
    ] {
        question(
            &app,
            &hr,
            campaign,
            json!({"kind": kind, "stem": stem, "options": ["正确", "错误"], "answer": [0], "law_ref": law_ref, "pool": pool}),
        )
        .await;
    }
    let total = |path: String| {
        let app = &app;
        let hr = hr.clone();
        async move { app.get(&path, &hr).await.expect(200)["total"].clone() }
    };
    let base = format!("/api/v1/campaigns/{campaign}/questions");
    let encoded = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    assert_eq!(
        total(format!("{base}?q={}", encoded("宪法"))).await,
        2,
        "stem or law_ref"
    );
    assert_eq!(total(format!("{base}?q={}", encoded("第1260条"))).await, 1);
    assert_eq!(total(format!("{base}?pool=practice")).await, 1);
    assert_eq!(total(format!("{base}?kind=single")).await, 0);
    assert_eq!(
        total(format!("{base}?q={}&pool=exam", encoded("宪法"))).await,
        2
    );
    app.get(&format!("{base}?kind=essay"), &hr)
        .await
        .expect(422);
}
