//! Reminders: a manual one reaches exactly the missing members and skips those reminded
//! within 24 hours; automatic ones fire on the campaign's days, once per member and day,
//! however many instances sweep; each person reads and marks their own notices.

use chrono::{DateTime, Utc};
use domain::{auth::Role, clock::Clock, services::notices};
use entity::notice;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::common::{PASSWORD, TestApp, session, test_config};

struct Roster {
    hr: String,
    campaign: i64,
    /// Studied (counts for participation), idle, exempt.
    studied: i64,
    idle: i64,
    exempt: i64,
}

async fn roster(app: &TestApp) -> Roster {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let studied = app.make_user("studied", &[Role::Cadre], None).await;
    let idle = app.make_user("idle", &[Role::Cadre], None).await;
    let exempt = app.make_user("exempt", &[Role::Cadre], None).await;
    app.enroll(&hr, campaign.id, &[studied, idle, exempt]).await;
    app.patch(
        &format!("/api/v1/campaigns/{}/enrollments/{exempt}", campaign.id),
        &hr,
        json!({"exempt": true, "exempt_reason": "病休"}),
    )
    .await
    .expect(200);
    let token = app.token("studied", PASSWORD).await;
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(campaign.id, campaign.law_course, "09:00", "09:30"),
    )
    .await
    .expect(201);
    Roster {
        hr,
        campaign: campaign.id,
        studied,
        idle,
        exempt,
    }
}

async fn notices_of(app: &TestApp, user_id: i64) -> u64 {
    notice::Entity::find()
        .filter(notice::Column::UserId.eq(user_id))
        .count(app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reminder_reaches_exactly_the_missing_and_not_twice_in_a_day() {
    let app = TestApp::new().await;
    let r = roster(&app).await;
    let path = format!("/api/v1/campaigns/{}/reminders", r.campaign);
    let sent = app
        .post(&path, &r.hr, json!({"target": "participation"}))
        .await
        .expect(200);
    assert_eq!(sent, json!({"notified": 1, "skipped": 0}));
    assert_eq!(notices_of(&app, r.idle).await, 1);
    assert_eq!(notices_of(&app, r.studied).await, 0, "counts already");
    assert_eq!(notices_of(&app, r.exempt).await, 0, "exempt");

    // Within 24 hours the same target skips them; another target does not.
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::hours(23));
    let hr = app.token("hr", PASSWORD).await;
    let again = app
        .post(&path, &hr, json!({"target": "participation"}))
        .await
        .expect(200);
    assert_eq!(again, json!({"notified": 0, "skipped": 1}));
    let study = app
        .post(
            &path,
            &hr,
            json!({"target": "study", "message": "请抓紧完成学习。"}),
        )
        .await
        .expect(200);
    assert_eq!(
        study,
        json!({"notified": 2, "skipped": 0}),
        "studied 30 of 80 minutes, idle 0"
    );
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::hours(1) + chrono::Duration::minutes(1));
    let hr = app.token("hr", PASSWORD).await;
    let next_day = app
        .post(&path, &hr, json!({"target": "participation"}))
        .await
        .expect(200);
    assert_eq!(next_day, json!({"notified": 1, "skipped": 0}));

    // The member reads their own notices.
    let idle = app.token("idle", PASSWORD).await;
    let mine = app
        .get("/api/v1/me/notices?unread=true", &idle)
        .await
        .expect(200);
    assert_eq!(
        (mine["total"].clone(), mine["unread"].clone()),
        (json!(3), json!(3))
    );
    let custom = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["target"] == "study")
        .unwrap();
    assert_eq!(custom["body"], "请抓紧完成学习。");
    let first = mine["items"][2].clone();
    assert!(
        first["body"]
            .as_str()
            .unwrap()
            .contains("2026年度领导干部网上学法用法考试"),
        "{first}"
    );
    let id = first["id"].as_i64().unwrap();
    let read = app
        .post(&format!("/api/v1/me/notices/{id}/read"), &idle, json!({}))
        .await
        .expect(200);
    assert!(read["read_at"].is_string());
    let mine = app
        .get("/api/v1/me/notices?unread=true", &idle)
        .await
        .expect(200);
    assert_eq!(
        (mine["total"].clone(), mine["unread"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(
        app.get("/api/v1/me/notices", &idle).await.expect(200)["total"],
        3
    );

    // Another's notice is not found; only HR and admins send reminders.
    let studied = app.token("studied", PASSWORD).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/me/notices/{id}/read"),
            &studied,
            json!({})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/me/notices", &studied).await.expect(200)["total"],
        1,
        "the study reminder"
    );
    let (_, judicial) = app.login_as("sifa", &[Role::Judicial]).await;
    assert_eq!(
        app.post(&path, &judicial, json!({"target": "pass"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post(&path, &studied, json!({"target": "pass"}))
            .await
            .status,
        403
    );
    let bad = app.post(&path, &hr, json!({"target": "everything"})).await;
    assert_eq!(bad.status, 422);
    let missing = app
        .post(
            "/api/v1/campaigns/999999/reminders",
            &hr,
            json!({"target": "pass"}),
        )
        .await;
    assert_eq!(missing.status, 404);
}

fn beijing(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().unwrap()
}

#[tokio::test]
async fn automatic_reminders_fire_on_their_days_once_with_two_instances() {
    let app = TestApp::new().await;
    let r = roster(&app).await;
    // The exam closes 2026-12-01 00:00 (+08:00); study ends 2026-12-31.
    app.patch(
        &format!("/api/v1/campaigns/{}", r.campaign),
        &r.hr,
        json!({"remind_before_days": [1, 7]}),
    )
    .await
    .expect(200);
    let stored = app
        .get(&format!("/api/v1/campaigns/{}", r.campaign), &r.hr)
        .await
        .expect(200);
    assert_eq!(stored["remind_before_days"], json!([7, 1]));
    for bad in [json!([0]), json!([61]), json!([3, 3])] {
        let reply = app
            .patch(
                &format!("/api/v1/campaigns/{}", r.campaign),
                &r.hr,
                json!({"remind_before_days": bad}),
            )
            .await;
        assert_eq!(reply.status, 422, "{bad}");
    }

    // A second instance: its own pool and clock on the same database.
    let (other, _) = api::start_with_clock(
        test_config(app.database_url()),
        Clock::pinned(app.state.clock.now()),
    )
    .await
    .unwrap();
    let tz = app.state.config.tz;
    let sweep_both = |now: DateTime<Utc>| {
        let (a, b) = (app.state.db.clone(), other.db.clone());
        let run = notices::ReminderRun {
            tz,
            now,
            deliver: false,
        };
        async move {
            let (x, y) = tokio::join!(notices::remind_due(&a, run), notices::remind_due(&b, run));
            x.unwrap() + y.unwrap()
        }
    };
    // 24 November, 7 days before the exam closes: idle and studied have not sat it.
    let day = beijing("2026-11-24T09:00:00+08:00");
    assert_eq!(sweep_both(day).await, 2);
    assert_eq!(
        sweep_both(day + chrono::Duration::hours(5)).await,
        0,
        "once a day"
    );
    assert_eq!(
        sweep_both(beijing("2026-11-25T09:00:00+08:00")).await,
        0,
        "not a reminder day"
    );
    // 30 November, the day before: again, once.
    assert_eq!(sweep_both(beijing("2026-11-30T08:00:00+08:00")).await, 2);
    assert_eq!(sweep_both(beijing("2026-11-30T23:59:00+08:00")).await, 0);
    // 24 and 30 December, before study ends: those missing study (both).
    assert_eq!(sweep_both(beijing("2026-12-24T10:00:00+08:00")).await, 2);
    assert_eq!(sweep_both(beijing("2026-12-30T10:00:00+08:00")).await, 2);
    assert_eq!(notices_of(&app, r.idle).await, 4);
    assert_eq!(notices_of(&app, r.studied).await, 4);
    assert_eq!(notices_of(&app, r.exempt).await, 0);

    // The days are the campaign's as they stand: [2] fires 2 days before, [] never.
    app.state.clock.set(beijing("2026-11-20T09:00:00+08:00"));
    let hr = app.token("hr", PASSWORD).await;
    let set_days = |days: serde_json::Value| {
        let (app, hr, id) = (&app, &hr, r.campaign);
        async move {
            app.patch(
                &format!("/api/v1/campaigns/{id}"),
                hr,
                json!({"remind_before_days": days}),
            )
            .await
            .expect(200);
        }
    };
    set_days(json!([2])).await;
    assert_eq!(sweep_both(beijing("2026-11-29T10:00:00+08:00")).await, 2);
    set_days(json!([])).await;
    assert_eq!(sweep_both(beijing("2026-12-29T10:00:00+08:00")).await, 0);
}

#[tokio::test]
async fn two_server_processes_on_one_database_send_each_automatic_reminder_once() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    // The processes run on the real clock: study ends a week from today.
    let now = Clock::system().now();
    let today = now.with_timezone(&app.state.config.tz).date_naive();
    let course = app.make_course(&hr, "宪法", 60).await;
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &hr,
            json!({
                "year": 2026, "title": "提醒", "study_starts_on": (today - chrono::Duration::days(30)).to_string(),
                "study_ends_on": (today + chrono::Duration::days(7)).to_string(), "required_minutes": 60,
                "courses": [{"course_id": course, "compulsory": true}],
                "exam_opens_at": (now + chrono::Duration::days(20)).to_rfc3339(),
                "exam_closes_at": (now + chrono::Duration::days(40)).to_rfc3339(),
                "remind_before_days": [7]
            }),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut cadres = Vec::new();
    for i in 0..12 {
        cadres.push(app.make_user(&format!("p{i}"), &[Role::Cadre], None).await);
    }
    app.enroll(&hr, campaign, &cadres).await;

    // Both sweep as soon as they start, and again every 30 s.
    let url = app.database_url();
    let (a, b) = tokio::join!(
        crate::crash::start_with(&url, crate::crash::free_port(), &[]),
        crate::crash::start_with(&url, crate::crash::free_port(), &[])
    );
    let count = || async {
        notice::Entity::find()
            .filter(notice::Column::CampaignId.eq(campaign))
            .count(app.db())
            .await
            .unwrap()
    };
    for _ in 0..100 {
        if count().await >= 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    for mut server in [a, b] {
        server.child.kill().unwrap();
        server.child.wait().unwrap();
    }
    assert_eq!(count().await, 12, "each missing member reminded once");
    for id in cadres {
        assert_eq!(notices_of(&app, id).await, 1);
    }
}
