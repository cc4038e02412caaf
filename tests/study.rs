//! Study sessions: idempotent upload, every refusal rule, overlap, credit caps, progress,
//! batches, and concurrency.

use domain::auth::Role;
use futures::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::common::{Campaign, PASSWORD, TestApp, at, session};

async fn stored_sessions(app: &TestApp, user_id: i64) -> u64 {
    entity::study_session::Entity::find()
        .filter(entity::study_session::Column::UserId.eq(user_id))
        .count(app.db())
        .await
        .unwrap()
}

/// HR makes a campaign and enrolls one cadre; returns (campaign, cadre id, cadre token, hr token).
async fn setup(app: &TestApp) -> (Campaign, i64, String, String) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let (cadre, token) = app.login_as("cadre", &[Role::Cadre]).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    (campaign, cadre, token, hr)
}

async fn progress(app: &TestApp, token: &str, campaign: i64) -> Value {
    app.get(&format!("/api/v1/campaigns/{campaign}/progress/me"), token)
        .await
        .expect(200)
}

#[tokio::test]
async fn upload_then_replay_then_conflicting_reuse_of_the_id() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    let body = session(c.id, c.law_course, "08:00", "08:30");
    let created = app
        .post("/api/v1/study-sessions", &token, body.clone())
        .await
        .expect(201);
    assert_eq!(created["id"], body["id"]);
    assert_eq!(created["minutes"], 30.0);
    assert_eq!(created["user_id"], cadre);

    // The response was lost and the app sends it again: same answer, nothing new.
    let replay = app
        .post("/api/v1/study-sessions", &token, body.clone())
        .await
        .expect(200);
    assert_eq!(replay, created);
    // The same instant written with another offset is the same content.
    let mut utc = body.clone();
    utc["started_at"] = json!("2026-06-15T00:00:00Z");
    app.post("/api/v1/study-sessions", &token, utc)
        .await
        .expect(200);
    assert_eq!(stored_sessions(&app, cadre).await, 1);
    assert_eq!(progress(&app, &token, c.id).await["credited_minutes"], 30);

    let mut changed = body.clone();
    changed["ended_at"] = json!(at("08:45"));
    let conflict = app.post("/api/v1/study-sessions", &token, changed).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.body["code"], "id_conflict");
    assert_eq!(progress(&app, &token, c.id).await["credited_minutes"], 30);
}

#[tokio::test]
async fn every_refusal_rule_and_nothing_stored() {
    let app = TestApp::new().await;
    let (c, cadre, token, hr) = setup(&app).await;
    let stranger_course = app.make_course(&hr, "不在本次活动中的课程", 20).await;
    let cases: Vec<(&str, Value, u16)> = vec![
        (
            "ends before it starts",
            session(c.id, c.law_course, "09:00", "08:00"),
            422,
        ),
        (
            "zero length",
            session(c.id, c.law_course, "09:00", "09:00"),
            422,
        ),
        (
            "longer than 4 hours",
            session(c.id, c.law_course, "06:00", "10:01"),
            422,
        ),
        (
            "ends in the future",
            session(c.id, c.law_course, "11:50", "12:06"),
            422,
        ),
        (
            "course not in the campaign",
            session(c.id, stranger_course, "08:00", "08:30"),
            422,
        ),
        (
            "no such campaign",
            session(9999, c.law_course, "08:00", "08:30"),
            422,
        ),
        (
            "outside the study window",
            json!({"id": uuid::Uuid::new_v4(), "campaign_id": c.id, "course_id": c.law_course,
                   "started_at": "2025-12-31T23:00:00+08:00", "ended_at": "2025-12-31T23:30:00+08:00"}),
            422,
        ),
        (
            "not a UUID",
            json!({"id": "abc", "campaign_id": c.id, "course_id": c.law_course, "started_at": at("08:00"), "ended_at": at("08:30")}),
            422,
        ),
        (
            "not a time",
            json!({"id": uuid::Uuid::new_v4(), "campaign_id": c.id, "course_id": c.law_course, "started_at": "yesterday", "ended_at": at("08:30")}),
            422,
        ),
    ];
    for (what, body, status) in cases {
        let reply = app.post("/api/v1/study-sessions", &token, body).await;
        assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
        assert_eq!(
            reply.headers["content-type"], "application/problem+json",
            "{what}"
        );
    }
    // Just inside the tolerance for a fast phone clock: accepted.
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "11:50", "12:04"),
    )
    .await
    .expect(201);
    assert_eq!(stored_sessions(&app, cadre).await, 1);

    // Not enrolled: 403. Not a cadre at all: 403.
    let (outsider, outsider_token) = app.login_as("outsider", &[Role::Cadre]).await;
    app.post(
        "/api/v1/study-sessions",
        &outsider_token,
        session(c.id, c.law_course, "08:00", "08:30"),
    )
    .await
    .expect(403);
    assert_eq!(stored_sessions(&app, outsider).await, 0);
    app.post(
        "/api/v1/study-sessions",
        &hr,
        session(c.id, c.law_course, "08:00", "08:30"),
    )
    .await
    .expect(403);
}

#[tokio::test]
async fn overlapping_sessions_are_refused_and_touching_ones_accepted() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "08:00", "09:00"),
    )
    .await
    .expect(201);
    for (from, to) in [
        ("08:30", "09:30"),
        ("07:30", "08:01"),
        ("08:10", "08:20"),
        ("07:00", "10:00"),
    ] {
        let reply = app
            .post(
                "/api/v1/study-sessions",
                &token,
                session(c.id, c.extra_course, from, to),
            )
            .await;
        assert_eq!(reply.status, 409, "{from}-{to}");
        assert_eq!(reply.body["code"], "overlap");
    }
    // Half-open intervals: a session may start exactly when the previous one ends.
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.extra_course, "09:00", "09:30"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.extra_course, "07:30", "08:00"),
    )
    .await
    .expect(201);
    assert_eq!(stored_sessions(&app, cadre).await, 3);

    // Another cadre may study at the same time.
    let (other, other_token) = app.login_as("other", &[Role::Cadre]).await;
    let hr = app.token("hr", PASSWORD).await;
    app.enroll(&hr, c.id, &[other]).await;
    app.post(
        "/api/v1/study-sessions",
        &other_token,
        session(c.id, c.law_course, "08:00", "09:00"),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn credit_is_capped_and_study_completes_by_the_rule() {
    let app = TestApp::new().await;
    let (c, cadre, token, hr) = setup(&app).await;
    // 120 minutes on the 60-minute compulsory course credits 60.
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "06:00", "07:00"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "07:00", "08:00"),
    )
    .await
    .expect(201);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(p["credited_minutes"], 60);
    assert_eq!(p["courses"][0]["credited_minutes"], 60);
    assert_eq!(p["courses"][0]["complete"], true);
    assert_eq!(p["study_complete"], false, "60 of the 80 required minutes");
    assert_eq!(p["attempts_used"], 0);
    assert_eq!(p["attempts_left"], 2);
    assert_eq!(p["best_score"], Value::Null);

    // 19 more minutes: 79. One more: 80 and complete.
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.extra_course, "08:00", "08:19"),
    )
    .await
    .expect(201);
    assert_eq!(progress(&app, &token, c.id).await["study_complete"], false);
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.extra_course, "08:19", "08:20"),
    )
    .await
    .expect(201);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(p["credited_minutes"], 80);
    assert_eq!(p["study_complete"], true);

    // HR raises the requirement: everybody is re-credited.
    app.patch(
        &format!("/api/v1/campaigns/{}", c.id),
        &hr,
        json!({"required_minutes": 85}),
    )
    .await
    .expect(200);
    assert_eq!(progress(&app, &token, c.id).await["study_complete"], false);
    let roster = app
        .get(&format!("/api/v1/campaigns/{}/enrollments", c.id), &hr)
        .await
        .expect(200);
    assert_eq!(roster["items"][0]["credited_minutes"], 80);
    assert_eq!(roster["items"][0]["study_complete"], false);
    // HR reads the cadre's progress; the cadre cannot read anyone else's.
    let by_hr = app
        .get(&format!("/api/v1/campaigns/{}/progress/{cadre}", c.id), &hr)
        .await
        .expect(200);
    assert_eq!(by_hr["credited_minutes"], 80);
}

#[tokio::test]
async fn total_alone_is_not_enough_without_the_compulsory_course() {
    let app = TestApp::new().await;
    let (c, _, token, hr) = setup(&app).await;
    app.patch(
        &format!("/api/v1/campaigns/{}", c.id),
        &hr,
        json!({"required_minutes": 30}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.extra_course, "06:00", "07:00"),
    )
    .await
    .expect(201);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(p["credited_minutes"], 30);
    assert_eq!(
        p["study_complete"], false,
        "the compulsory course is not full"
    );
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "07:00", "08:00"),
    )
    .await
    .expect(201);
    assert_eq!(progress(&app, &token, c.id).await["study_complete"], true);
    // Shortening a course re-credits too.
    app.patch(
        &format!("/api/v1/courses/{}", c.law_course),
        &hr,
        json!({"minutes": 90}),
    )
    .await
    .expect(200);
    assert_eq!(progress(&app, &token, c.id).await["study_complete"], false);
}

#[tokio::test]
async fn a_cadre_reads_only_own_sessions_and_progress() {
    let app = TestApp::new().await;
    let (c, cadre, token, hr) = setup(&app).await;
    let (other, other_token) = app.login_as("other", &[Role::Cadre]).await;
    app.enroll(&hr, c.id, &[other]).await;
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "08:00", "08:30"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/study-sessions",
        &other_token,
        session(c.id, c.law_course, "08:00", "08:45"),
    )
    .await
    .expect(201);

    let own = app.get("/api/v1/study-sessions", &token).await.expect(200);
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["user_id"], cadre);
    app.get(&format!("/api/v1/study-sessions?user_id={other}"), &token)
        .await
        .expect(403);
    app.get(
        &format!("/api/v1/campaigns/{}/progress/{other}", c.id),
        &token,
    )
    .await
    .expect(403);
    app.get(
        &format!("/api/v1/campaigns/{}/progress/{cadre}", c.id),
        &token,
    )
    .await
    .expect(200);

    let all = app
        .get(&format!("/api/v1/study-sessions?campaign_id={}", c.id), &hr)
        .await
        .expect(200);
    assert_eq!(all["total"], 2);
    let theirs = app
        .get(&format!("/api/v1/study-sessions?user_id={other}"), &hr)
        .await
        .expect(200);
    assert_eq!(theirs["total"], 1);
    let (_, unenrolled) = app.login_as("unenrolled", &[Role::Cadre]).await;
    app.get(
        &format!("/api/v1/campaigns/{}/progress/me", c.id),
        &unenrolled,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn a_batch_of_500_with_bad_items_stores_exactly_the_good_ones() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    // 500 one-minute sessions back to back from 01:00 (Beijing), a few of them bad.
    let start: chrono::DateTime<chrono::FixedOffset> = "2026-06-15T01:00:00+08:00".parse().unwrap();
    let mut sessions = Vec::new();
    for i in 0..500i64 {
        let from = start + chrono::Duration::minutes(i);
        sessions.push(json!({
            "id": uuid::Uuid::new_v4(), "campaign_id": c.id, "course_id": c.law_course,
            "started_at": from.to_rfc3339(), "ended_at": (from + chrono::Duration::minutes(1)).to_rfc3339(),
        }));
    }
    sessions[10]["ended_at"] = sessions[10]["started_at"].clone(); // zero length → 422
    sessions[20]["course_id"] = json!(99999); // not in the campaign → 422
    sessions[30] = json!({"id": "not-a-uuid", "campaign_id": c.id}); // unreadable → 422
    sessions[40]["started_at"] = sessions[39]["started_at"].clone(); // overlaps item 39 → 409
    sessions[41]["started_at"] = sessions[41]["ended_at"].clone(); // zero length → 422
    sessions[499] = sessions[0].clone(); // the same session twice → replay 200
    let reply = app
        .post(
            "/api/v1/study-sessions/batch",
            &token,
            json!({"sessions": sessions}),
        )
        .await
        .expect(200);
    let results = reply["results"].as_array().unwrap();
    assert_eq!(results.len(), 500);
    let status = |i: usize| results[i]["status"].as_u64().unwrap();
    assert_eq!(status(10), 422);
    assert_eq!(status(20), 422);
    assert_eq!(status(30), 422);
    // The unreadable item says what is wrong with which field, in plain words.
    let fields: Vec<(&str, &str)> = results[30]["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("course_id", "is required"),
            ("started_at", "is required"),
            ("ended_at", "is required"),
            ("id", "must be a UUID"),
        ]
    );
    assert_eq!(results[30]["id"], "not-a-uuid");
    assert_eq!(status(40), 409);
    assert_eq!(results[40]["error"]["code"], "overlap");
    assert_eq!(status(499), 200);
    assert_eq!(results[499]["id"], sessions[0]["id"]);
    let created = results.iter().filter(|r| r["status"] == 201).count();
    assert_eq!(created, 500 - 6);
    assert_eq!(status(41), 422, "ends where it starts");
    let refused: Vec<&Value> = results
        .iter()
        .filter(|r| r["status"] != 201 && r["status"] != 200)
        .collect();
    assert!(
        refused.iter().all(|r| r["error"]["status"] == r["status"]),
        "each refusal carries its problem"
    );
    assert_eq!(stored_sessions(&app, cadre).await, 494);
    assert_eq!(
        progress(&app, &token, c.id).await["credited_minutes"],
        60,
        "capped at the course length"
    );

    // The whole batch again: every good item is a replay, nothing new is stored.
    let again = app
        .post(
            "/api/v1/study-sessions/batch",
            &token,
            json!({"sessions": sessions}),
        )
        .await
        .expect(200);
    assert_eq!(
        again["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == 200)
            .count(),
        495
    );
    assert_eq!(stored_sessions(&app, cadre).await, 494);

    let mut too_many = sessions.clone();
    too_many.push(session(c.id, c.law_course, "10:00", "10:01"));
    app.post(
        "/api/v1/study-sessions/batch",
        &token,
        json!({"sessions": too_many}),
    )
    .await
    .expect(422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_identical_uploads_at_once_store_one() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    let body = session(c.id, c.law_course, "08:00", "08:30");
    let replies =
        join_all((0..50).map(|_| app.post("/api/v1/study-sessions", &token, body.clone()))).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let replayed = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        (created, replayed),
        (1, 49),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(stored_sessions(&app, cadre).await, 1);
    assert_eq!(progress(&app, &token, c.id).await["credited_minutes"], 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_overlapping_uploads_at_once_store_one() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    // Fifty different sessions that all overlap each other (two phones, one person).
    let bodies: Vec<Value> = (0..50)
        .map(|i| session(c.id, c.law_course, &format!("08:{:02}", i % 10), "09:10"))
        .collect();
    let replies = join_all(
        bodies
            .iter()
            .map(|b| app.post("/api/v1/study-sessions", &token, b.clone())),
    )
    .await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let refused = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        (created, refused),
        (1, 49),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(stored_sessions(&app, cadre).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_from_two_phones_never_double_count() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app).await;
    // Phone A and phone B hold the same 20 sessions plus 5 of their own that overlap the other's.
    let shared: Vec<Value> = (0..20)
        .map(|i| {
            session(
                c.id,
                c.extra_course,
                &format!("0{}:{:02}", 1 + i / 6, (i % 6) * 10),
                &format!("0{}:{:02}", 1 + i / 6, (i % 6) * 10 + 5),
            )
        })
        .collect();
    let mut a = shared.clone();
    let mut b = shared.clone();
    for i in 0..5 {
        a.push(session(
            c.id,
            c.law_course,
            &format!("10:{:02}", i * 10),
            &format!("10:{:02}", i * 10 + 8),
        ));
        b.push(session(
            c.id,
            c.law_course,
            &format!("10:{:02}", i * 10 + 2),
            &format!("10:{:02}", i * 10 + 9),
        ));
    }
    let (ra, rb) = futures::join!(
        app.post(
            "/api/v1/study-sessions/batch",
            &token,
            json!({"sessions": a})
        ),
        app.post(
            "/api/v1/study-sessions/batch",
            &token,
            json!({"sessions": b})
        ),
    );
    let (ra, rb) = (ra.expect(200), rb.expect(200));
    let count = |r: &Value, s: u64| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["status"] == s)
            .count()
    };
    assert_eq!(
        count(&ra, 201) + count(&rb, 201),
        25,
        "20 shared once, and 5 of the 10 overlapping ones"
    );
    assert_eq!(count(&ra, 200) + count(&rb, 200), 20);
    assert_eq!(count(&ra, 409) + count(&rb, 409), 5);
    assert_eq!(stored_sessions(&app, cadre).await, 25);
    assert_eq!(
        progress(&app, &token, c.id).await["courses"][1]["credited_minutes"],
        30,
        "20×5 minutes capped at 30"
    );
}

#[test]
fn credit_rule_at_the_service_level() {
    use domain::services::credit::{CampaignCourse, Requirement, Studied, credit};
    use std::collections::HashMap;
    let courses = [
        CampaignCourse {
            course_id: 1,
            minutes: 60,
            compulsory: true,
        },
        CampaignCourse {
            course_id: 2,
            minutes: 30,
            compulsory: false,
        },
    ];
    let studied = |pairs: [(i64, i64); 2]| -> HashMap<i64, Studied> {
        pairs
            .into_iter()
            .map(|(c, seconds)| {
                (
                    c,
                    Studied {
                        seconds,
                        live_seconds: 0,
                    },
                )
            })
            .collect()
    };
    let required = |minutes| Requirement {
        required_minutes: minutes,
        min_live_share_permille: 0,
    };
    // 120 minutes on course 1 credit 60; 59 s on course 2 credit nothing.
    let seconds = studied([(1, 120 * 60), (2, 59)]);
    let c = credit(&courses, &seconds, required(60));
    assert_eq!(c.credited_minutes, 60);
    assert!(c.study_complete);
    assert_eq!(c.courses[1].credited_minutes, 0);
    assert!(!credit(&courses, &seconds, required(61)).study_complete);
    // The total is there but the compulsory course is not full.
    let seconds = studied([(1, 59 * 60), (2, 30 * 60)]);
    assert!(!credit(&courses, &seconds, required(80)).study_complete);
    assert!(!credit(&courses, &HashMap::new(), required(1)).study_complete);
}
