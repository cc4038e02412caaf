//! A fair exam through HTTP with a pinned clock: extra time (延时) moves one member's
//! deadline and window close only; the focus loss past the campaign's limit submits and
//! grades the attempt; an attempt belongs to its device until taken over; flags are
//! counted; and every bad input is refused.

use domain::auth::Role;
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp},
    exam::{add_bank, answers, right_choices},
};

struct Sitting {
    campaign: i64,
    hr: String,
    /// `(user id, token)` of two cadres who have studied.
    cadres: [(i64, String); 2],
}

/// A 30-minute exam (open 1–30 November, closing 1 December 00:00 Beijing) with the
/// three-question bank, two cadres who studied, the clock on 10 November 10:00 Beijing.
async fn sitting(app: &TestApp) -> Sitting {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let c = app.make_campaign(&hr).await;
    add_bank(app, &hr, c.id).await;
    app.patch(
        &format!("/api/v1/campaigns/{}", c.id),
        &hr,
        json!({"duration_minutes": 30}),
    )
    .await
    .expect(200);
    let mut cadres = Vec::new();
    for name in ["lao-zhang", "xiao-li"] {
        let (id, token) = app.login_as(name, &[Role::Cadre]).await;
        app.enroll(&hr, c.id, &[id]).await;
        app.study_all(&token, &c).await;
        cadres.push((id, token));
    }
    let [a, b]: [(i64, String); 2] = cadres.try_into().unwrap();
    clock(app, "2026-11-10T10:00:00+08:00");
    let fresh = |name: &'static str| async move { app.token(name, PASSWORD).await };
    Sitting {
        campaign: c.id,
        hr: app.token("hr", PASSWORD).await,
        cadres: [
            (a.0, fresh("lao-zhang").await),
            (b.0, fresh("xiao-li").await),
        ],
    }
}

fn clock(app: &TestApp, rfc3339: &str) {
    app.state.clock.set(rfc3339.parse().unwrap());
}

/// The clock moved on, and everyone signed in again (tokens follow the server's clock).
async fn later(app: &TestApp, s: Sitting, rfc3339: &str) -> Sitting {
    clock(app, rfc3339);
    let [(a, _), (b, _)] = s.cadres;
    Sitting {
        campaign: s.campaign,
        hr: app.token("hr", PASSWORD).await,
        cadres: [
            (a, app.token("lao-zhang", PASSWORD).await),
            (b, app.token("xiao-li", PASSWORD).await),
        ],
    }
}

async fn start_on(app: &TestApp, s: &Sitting, who: usize, device: &str) -> crate::common::Reply {
    app.call_from(
        device,
        (
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", s.campaign),
        ),
        &s.cadres[who].1,
        None,
    )
    .await
}

#[tokio::test]
async fn extra_minutes_move_one_members_deadline_and_window_close() {
    let app = TestApp::new().await;
    let s = sitting(&app).await;
    let member = |who: usize| {
        format!(
            "/api/v1/campaigns/{}/enrollments/{}",
            s.campaign, s.cadres[who].0
        )
    };
    for bad in [-1, 121] {
        let reply = app
            .patch(&member(0), &s.hr, json!({"extra_minutes": bad}))
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "extra_minutes");
    }
    let entry = app
        .patch(&member(0), &s.hr, json!({"extra_minutes": 15}))
        .await
        .expect(200);
    assert_eq!(entry["extra_minutes"], 15);
    assert_eq!(entry["exempt"], false, "an absent exemption stays");
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", s.campaign),
            &s.cadres[0].1,
        )
        .await
        .expect(200);
    assert_eq!(progress["extra_minutes"], 15, "shown to the person");

    // 30 minutes + 15: the attempt ends at 10:45; the other member's at 10:30.
    let a = start_on(&app, &s, 0, "phone-a").await.expect(201);
    assert_eq!(a["deadline"], "2026-11-10T02:45:00+00:00");
    let b = start_on(&app, &s, 1, "phone-b").await.expect(201);
    assert_eq!(b["deadline"], "2026-11-10T02:30:00+00:00");
    // At 10:40 the first still saves; the second's time is over (past the 30 s grace).
    let s = later(&app, s, "2026-11-10T10:40:00+08:00").await;
    let save = |who: usize, attempt: &Value| {
        let body = answers(attempt, right_choices);
        let (path, token, device) = (
            format!("/api/v1/attempts/{}/answers", attempt["id"]),
            s.cadres[who].1.clone(),
            ["phone-a", "phone-b"][who],
        );
        let app = &app;
        async move {
            app.call_from(device, ("PUT", &path), &token, Some(body))
                .await
        }
    };
    assert_eq!(save(0, &a).await.status, 200);
    assert_eq!(save(1, &b).await.body["code"], "deadline_passed");

    // The window's close moves for that member only: at 00:10 on 1 December the exam
    // has closed for the other, not for the one with 15 minutes more.
    let s = later(&app, s, "2026-12-01T00:10:00+08:00").await;
    let late = start_on(&app, &s, 1, "phone-b").await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.body["code"], "exam_closed");
    let last = start_on(&app, &s, 0, "phone-a").await.expect(201);
    assert_eq!(
        last["deadline"], "2026-11-30T16:15:00+00:00",
        "capped at the window's close plus the 15 minutes"
    );
    let audit = app
        .get(
            "/api/v1/audit-log?entity=enrollment",
            &app.admin_token().await,
        )
        .await
        .expect(200);
    assert!(
        audit.to_string().contains("extra exam minutes 0 → 15"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_focus_loss_past_the_limit_submits_and_grades_the_attempt() {
    let app = TestApp::new().await;
    let s = sitting(&app).await;
    let campaign = app
        .patch(
            &format!("/api/v1/campaigns/{}", s.campaign),
            &s.hr,
            json!({"max_focus_losses": 3}),
        )
        .await
        .expect(200);
    assert_eq!(campaign["max_focus_losses"], 3);
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{}/progress/me", s.campaign),
            &s.cadres[0].1,
        )
        .await
        .expect(200);
    assert_eq!(
        progress["max_focus_losses"], 3,
        "told before the exam starts"
    );
    let attempt = start_on(&app, &s, 0, "phone-a").await.expect(201);
    let id = attempt["id"].as_i64().unwrap();
    // The right answers saved first: the automatic submission grades them.
    app.call_from(
        "phone-a",
        ("PUT", &format!("/api/v1/attempts/{id}/answers")),
        &s.cadres[0].1,
        Some(answers(&attempt, right_choices)),
    )
    .await
    .expect(200);
    let events = format!("/api/v1/attempts/{id}/events");
    let report = |batch: Value| {
        let (path, token) = (events.clone(), s.cadres[0].1.clone());
        let app = &app;
        async move { app.post(&path, &token, json!({"events": batch})).await }
    };
    let loss = |n: u32| json!({"kind": "blur", "at": format!("2026-11-10T02:0{n}:00Z")});
    let back = |n: u32| json!({"kind": "focus", "at": format!("2026-11-10T02:0{n}:30Z")});
    let r = report(json!([loss(1), back(1), loss(2), back(2)]))
        .await
        .expect(200);
    assert_eq!(
        r,
        json!({"focus_losses": 2, "limit": 3, "submitted": false})
    );
    // The same batch again (a retry) counts nothing twice; a paste is no focus loss.
    let r =
        report(json!([loss(1), back(1), loss(2), {"kind": "paste", "at": "2026-11-10T02:02:40Z"}]))
            .await
            .expect(200);
    assert_eq!(r["focus_losses"], 2);
    let r = report(json!([{"kind": "fullscreen_exit", "at": "2026-11-10T02:03:00Z"}]))
        .await
        .expect(200);
    assert_eq!(
        r,
        json!({"focus_losses": 3, "limit": 3, "submitted": false})
    );
    // The fourth of three allowed: submitted at once, graded on the saved answers.
    let r = report(json!([loss(4)])).await.expect(200);
    assert_eq!(r, json!({"focus_losses": 4, "limit": 3, "submitted": true}));
    let view = app
        .get(&format!("/api/v1/attempts/{id}"), &s.cadres[0].1)
        .await
        .expect(200);
    assert_eq!(view["status"], "submitted");
    assert_eq!(view["finished_reason"], "focus_limit");
    assert_eq!(view["score"], 100.0);
    assert_eq!(view["focus_losses"], 4);
    // Finished: more events are 409, another's attempt 404, an unknown kind 422.
    assert_eq!(report(json!([loss(5)])).await.status, 409);
    let other = app
        .post(&events, &s.cadres[1].1, json!({"events": [loss(6)]}))
        .await;
    assert_eq!(other.status, 404, "{}", other.body);
    let unknown = report(json!([{"kind": "screenshot", "at": "2026-11-10T02:09:00Z"}])).await;
    assert_eq!(unknown.status, 422);
    // HR's list and export show the count and why it finished.
    let list = app
        .get(&format!("/api/v1/campaigns/{}/attempts", s.campaign), &s.hr)
        .await
        .expect(200);
    assert_eq!(list["items"][0]["focus_losses"], 4);
    assert_eq!(list["items"][0]["finished_reason"], "focus_limit");
    let csv = String::from_utf8(
        app.bytes(
            &format!(
                "/api/v1/campaigns/{}/attempts/export?format=csv",
                s.campaign
            ),
            &s.hr,
        )
        .await,
    )
    .unwrap();
    assert!(
        csv.contains("离开页面次数") && csv.contains("离开考试页面次数超限自动交卷"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_flood_of_events_is_refused_and_the_count_stays_right() {
    let app = TestApp::new().await;
    let s = sitting(&app).await;
    let attempt = start_on(&app, &s, 0, "phone-a").await.expect(201);
    let path = format!("/api/v1/attempts/{}/events", attempt["id"]);
    let batch = |from: u32| -> Value {
        (from..from + 50)
            .map(|i| json!({"kind": "blur", "at": format!("2026-11-10T02:00:{:02}.{:03}Z", i / 1000, i % 1000)}))
            .collect()
    };
    for from in [0, 50] {
        app.post(&path, &s.cadres[0].1, json!({"events": batch(from)}))
            .await
            .expect(200);
    }
    let flood = app
        .post(&path, &s.cadres[0].1, json!({"events": batch(100)}))
        .await;
    assert_eq!(flood.status, 429, "{}", flood.body);
    // A minute later the next batch goes in, and the count has every stored loss once.
    clock(&app, "2026-11-10T10:01:01+08:00");
    let token = app.token("lao-zhang", PASSWORD).await;
    let r = app
        .post(&path, &token, json!({"events": batch(100)}))
        .await
        .expect(200);
    assert_eq!(r["focus_losses"], 150);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"kind": "focus", "at": format!("2026-11-10T02:05:00.{i:03}Z")}))
        .collect();
    assert_eq!(
        app.post(&path, &token, json!({"events": too_many}))
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn an_attempt_belongs_to_its_device_until_taken_over() {
    let app = TestApp::new().await;
    let s = sitting(&app).await;
    let token = &s.cadres[0].1;
    let attempt = start_on(&app, &s, 0, "phone-a").await.expect(201);
    let id = attempt["id"].as_i64().unwrap();
    let save_path = format!("/api/v1/attempts/{id}/answers");
    let sheet = answers(&attempt, right_choices);
    // Another device: its save, its submit and its resume are 409; no device at all too.
    let other = app
        .call_from("pc-b", ("PUT", &save_path), token, Some(sheet.clone()))
        .await;
    assert_eq!(other.status, 409);
    assert_eq!(other.body["code"], "attempt_on_another_device");
    assert_eq!(
        app.call("PUT", &save_path, Some(token), Some(sheet.clone()))
            .await
            .status,
        409
    );
    let resume = start_on(&app, &s, 0, "pc-b").await;
    assert_eq!(resume.body["code"], "attempt_on_another_device");
    assert_eq!(
        start_on(&app, &s, 0, "phone-a").await.status,
        200,
        "its own device resumes"
    );
    // Bad device ids are 422; another's takeover 404.
    for bad in ["", "has space", &"x".repeat(65)] {
        let reply = app
            .call_from(
                bad,
                ("POST", &format!("/api/v1/attempts/{id}/takeover")),
                token,
                None,
            )
            .await;
        assert_eq!(reply.status, 422, "{bad:?}: {}", reply.body);
    }
    let theirs = app
        .call_from(
            "pc-b",
            ("POST", &format!("/api/v1/attempts/{id}/takeover")),
            &s.cadres[1].1,
            None,
        )
        .await;
    assert_eq!(theirs.status, 404);
    // The takeover moves it: the new device saves, the old one is refused.
    let moved = app
        .call_from(
            "pc-b",
            ("POST", &format!("/api/v1/attempts/{id}/takeover")),
            token,
            None,
        )
        .await
        .expect(200);
    assert_eq!(moved["takeovers"], 1);
    app.call_from("pc-b", ("PUT", &save_path), token, Some(sheet.clone()))
        .await
        .expect(200);
    assert_eq!(
        app.call_from("phone-a", ("PUT", &save_path), token, Some(sheet.clone()))
            .await
            .status,
        409
    );
    let graded = app
        .call_from(
            "pc-b",
            ("POST", &format!("/api/v1/attempts/{id}/submit")),
            token,
            Some(sheet),
        )
        .await
        .expect(200);
    assert_eq!(graded["score"], 100.0);
    let list = app
        .get(&format!("/api/v1/campaigns/{}/attempts", s.campaign), &s.hr)
        .await
        .expect(200);
    assert_eq!(list["items"][0]["takeovers"], 1);
    let audit = app
        .get("/api/v1/audit-log?entity=attempt", &app.admin_token().await)
        .await
        .expect(200);
    assert!(
        audit
            .to_string()
            .contains("moved from device phone-a to pc-b"),
        "{audit}"
    );
}

#[tokio::test]
async fn flagged_answers_are_counted_beside_the_answered_and_unanswered() {
    let app = TestApp::new().await;
    let s = sitting(&app).await;
    let attempt = start_on(&app, &s, 0, "phone-a").await.expect(201);
    assert_eq!(
        (
            attempt["answered"].clone(),
            attempt["unanswered"].clone(),
            attempt["flagged"].clone()
        ),
        (json!(0), json!(3), json!(0))
    );
    let q = &attempt["questions"];
    let path = format!("/api/v1/attempts/{}/answers", attempt["id"]);
    let body = json!({"answers": [
        {"question_id": q[0]["id"], "choices": right_choices(&q[0]), "flagged": true},
        {"question_id": q[1]["id"], "choices": [], "flagged": true},
    ]});
    let saved = app
        .call_from("phone-a", ("PUT", &path), &s.cadres[0].1, Some(body))
        .await
        .expect(200);
    assert_eq!(
        (
            saved["answered"].clone(),
            saved["unanswered"].clone(),
            saved["flagged"].clone()
        ),
        (json!(1), json!(2), json!(2))
    );
    // A save without `flagged` keeps the flag; `false` lifts it.
    let body = json!({"answers": [
        {"question_id": q[0]["id"], "choices": right_choices(&q[0])},
        {"question_id": q[1]["id"], "choices": right_choices(&q[1]), "flagged": false},
    ]});
    let saved = app
        .call_from("phone-a", ("PUT", &path), &s.cadres[0].1, Some(body))
        .await
        .expect(200);
    assert_eq!(
        (saved["answered"].clone(), saved["flagged"].clone()),
        (json!(2), json!(1))
    );
    let view = app
        .get(
            &format!("/api/v1/attempts/{}", attempt["id"]),
            &s.cadres[0].1,
        )
        .await
        .expect(200);
    assert_eq!(view["questions"][0]["flagged"], true);
    assert_eq!(view["questions"][1]["flagged"], false);
}
