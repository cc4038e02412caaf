//! Study time that can be believed: live sessions timed by the server (visible, 1×,
//! heartbeats close enough, presence checks answered), the sweep, daily caps across
//! sources at the office-day boundary, the live share of "study complete", phone clocks
//! corrected, and a session handed between instances.

use chrono::{DateTime, Duration, Utc};
use domain::{
    auth::Role,
    services::live::{Beat, LiveSessions},
};
use serde_json::{Value, json};

use crate::common::{Campaign, TestApp, at, session, test_now};

/// HR makes a campaign (changed by `rules`) and enrolls one cadre; returns (campaign,
/// cadre id, cadre token, hr token).
async fn setup(app: &TestApp, rules: Value) -> (Campaign, i64, String, String) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    if rules != json!({}) {
        app.patch(&format!("/api/v1/campaigns/{}", campaign.id), &hr, rules)
            .await
            .expect(200);
    }
    let (cadre, token) = app.login_as("cadre", &[Role::Cadre]).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    (campaign, cadre, token, hr)
}

fn later(seconds: i64) -> DateTime<Utc> {
    test_now() + Duration::seconds(seconds)
}

async fn start(app: &TestApp, token: &str, c: &Campaign, course: i64) -> String {
    let live = app
        .post(
            "/api/v1/study-sessions/live",
            token,
            json!({"campaign_id": c.id, "course_id": course}),
        )
        .await
        .expect(201);
    assert_eq!(live["state"], "running");
    assert_eq!(live["credited_seconds"], 0);
    assert_eq!(live["heartbeat_seconds"], 30);
    live["id"].as_str().unwrap().to_owned()
}

/// A heartbeat at `seconds` after the test's start.
async fn beat(app: &TestApp, token: &str, id: &str, seconds: i64, body: Value) -> Value {
    app.state.clock.set(later(seconds));
    app.post(
        &format!("/api/v1/study-sessions/live/{id}/heartbeat"),
        token,
        body,
    )
    .await
    .expect(200)
}

fn visible() -> Value {
    json!({"visible": true, "playback_rate": 1.0})
}

async fn progress(app: &TestApp, token: &str, campaign: i64) -> Value {
    app.get(&format!("/api/v1/campaigns/{campaign}/progress/me"), token)
        .await
        .expect(200)
}

#[tokio::test]
async fn only_visible_time_at_normal_speed_between_timely_heartbeats_is_credited() {
    let app = TestApp::new().await;
    let (c, _, token, _) = setup(&app, json!({})).await;
    let id = start(&app, &token, &c, c.law_course).await;
    let credited = |v: &Value| v["credited_seconds"].as_i64().unwrap();
    assert_eq!(credited(&beat(&app, &token, &id, 30, visible()).await), 30);
    let hidden = json!({"visible": false, "playback_rate": 1.0});
    assert_eq!(credited(&beat(&app, &token, &id, 60, hidden).await), 30);
    let double = json!({"visible": true, "playback_rate": 2.0});
    assert_eq!(credited(&beat(&app, &token, &id, 90, double).await), 30);
    // 1.5× is the campaign's default limit: credited.
    let fast = json!({"visible": true, "playback_rate": 1.5});
    assert_eq!(credited(&beat(&app, &token, &id, 120, fast).await), 60);
    // A gap of more than two intervals (61 s) is not credited…
    assert_eq!(credited(&beat(&app, &token, &id, 181, visible()).await), 60);
    // …nor a second heartbeat in the same second.
    assert_eq!(credited(&beat(&app, &token, &id, 181, visible()).await), 60);
    // Exactly two intervals is.
    assert_eq!(
        credited(&beat(&app, &token, &id, 241, visible()).await),
        120
    );

    let end = format!("/api/v1/study-sessions/live/{id}/end");
    let stored = app.post(&end, &token, json!({})).await.expect(201);
    assert_eq!(stored["id"], id.as_str());
    assert_eq!(stored["source"], "live");
    assert_eq!(stored["minutes"], 2.0);
    assert_eq!(stored["started_at"], "2026-06-15T04:00:00+00:00");
    assert_eq!(stored["ended_at"], "2026-06-15T04:04:01+00:00");
    // Ending again (the answer was lost) answers the stored session; nothing more.
    let again = app.post(&end, &token, json!({})).await.expect(200);
    assert_eq!(again, stored);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(
        (
            p["credited_minutes"].as_i64(),
            p["live_minutes"].as_i64(),
            p["self_reported_minutes"].as_i64()
        ),
        (Some(2), Some(2), Some(0))
    );
    // After the end: 409.
    app.state.clock.set(later(260));
    let late = app
        .post(
            &format!("/api/v1/study-sessions/live/{id}/heartbeat"),
            &token,
            visible(),
        )
        .await;
    assert_eq!(
        (late.status.as_u16(), late.body["code"].as_str()),
        (409, Some("session_ended"))
    );
}

#[tokio::test]
async fn bad_heartbeats_and_starts_are_refused_and_credit_nothing() {
    let app = TestApp::new().await;
    let (c, _, token, hr) = setup(&app, json!({})).await;
    let id = start(&app, &token, &c, c.law_course).await;
    let path = format!("/api/v1/study-sessions/live/{id}/heartbeat");
    app.state.clock.set(later(30));
    for (body, field) in [
        (
            json!({"visible": true, "playback_rate": 0}),
            "playback_rate",
        ),
        (
            json!({"visible": true, "playback_rate": 16}),
            "playback_rate",
        ),
        (json!({"visible": true}), "playback_rate"),
        (json!({"playback_rate": 1}), "visible"),
    ] {
        let refused = app.post(&path, &token, body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert_eq!(refused.body["errors"][0]["field"], field, "{body}");
    }
    // Another cadre's heartbeat, end, or an id that is no session: 404.
    let (other, other_token) = app.login_as("other", &[Role::Cadre]).await;
    app.enroll(&hr, c.id, &[other]).await;
    app.post(&path, &other_token, visible()).await.expect(404);
    app.post(
        &format!("/api/v1/study-sessions/live/{id}/end"),
        &other_token,
        json!({}),
    )
    .await
    .expect(404);
    app.post(
        "/api/v1/study-sessions/live/not-a-session/heartbeat",
        &token,
        visible(),
    )
    .await
    .expect(404);
    // The refusals credited nothing: the next good heartbeat credits its own stretch.
    assert_eq!(
        beat(&app, &token, &id, 30, visible()).await["credited_seconds"],
        30
    );

    // Starts: a course not in the campaign (422), a campaign one is not on (403), no such
    // campaign (422).
    let stranger = app.make_course(&hr, "不在本次活动中的课程", 20).await;
    let live = "/api/v1/study-sessions/live";
    let refused = app
        .post(
            live,
            &token,
            json!({"campaign_id": c.id, "course_id": stranger}),
        )
        .await;
    assert_eq!(
        (
            refused.status.as_u16(),
            refused.body["errors"][0]["field"].as_str()
        ),
        (422, Some("course_id"))
    );
    let (_, outsider) = app.login_as("outsider", &[Role::Cadre]).await;
    app.post(
        live,
        &outsider,
        json!({"campaign_id": c.id, "course_id": c.law_course}),
    )
    .await
    .expect(403);
    app.post(
        live,
        &token,
        json!({"campaign_id": 9999, "course_id": c.law_course}),
    )
    .await
    .expect(422);
    // Ending a session of which nothing was credited: 409, nothing stored.
    let empty = start(&app, &other_token, &c, c.law_course).await;
    let nothing = app
        .post(
            &format!("/api/v1/study-sessions/live/{empty}/end"),
            &other_token,
            json!({}),
        )
        .await;
    assert_eq!(
        (nothing.status.as_u16(), nothing.body["code"].as_str()),
        (409, Some("nothing_credited"))
    );
    assert_eq!(
        progress(&app, &other_token, c.id).await["credited_minutes"],
        0
    );
}

#[tokio::test]
async fn a_presence_check_unanswered_or_answered_wrongly_pauses_credit() {
    let app = TestApp::new().await;
    let (c, _, token, _) = setup(&app, json!({"presence_check_minutes": 1})).await;
    let id = start(&app, &token, &c, c.law_course).await;
    assert!(beat(&app, &token, &id, 30, visible()).await["presence_check"].is_null());
    let asked = beat(&app, &token, &id, 60, visible()).await;
    assert_eq!(asked["credited_seconds"], 60);
    let prompt = asked["presence_check"]["prompt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(prompt.starts_with("还在学习吗？"), "{prompt}");
    // Unanswered: nothing for the stretch, the question stays.
    let waiting = beat(&app, &token, &id, 90, visible()).await;
    assert_eq!(waiting["credited_seconds"], 60);
    assert_eq!(waiting["presence_check"]["prompt"], prompt.as_str());
    // Wrong: nothing, and a new question.
    let wrong = json!({"visible": true, "playback_rate": 1, "presence_answer": "99"});
    let wrong = beat(&app, &token, &id, 120, wrong).await;
    assert_eq!(wrong["credited_seconds"], 60);
    let prompt = wrong["presence_check"]["prompt"]
        .as_str()
        .unwrap()
        .to_owned();
    // Right (the sum the prompt asks for): credited again.
    let sum: u32 = prompt
        .trim_start_matches("还在学习吗？请输入 ")
        .trim_end_matches(" 的结果")
        .split(" + ")
        .map(|n| n.parse::<u32>().unwrap())
        .sum();
    let right = json!({"visible": true, "playback_rate": 1, "presence_answer": sum.to_string()});
    let right = beat(&app, &token, &id, 150, right).await;
    assert_eq!(right["credited_seconds"], 90);
    assert!(right["presence_check"].is_null());
}

#[tokio::test]
async fn the_sweep_ends_a_silent_session_at_its_last_heartbeat() {
    let app = TestApp::new().await;
    let (c, _, token, _) = setup(&app, json!({})).await;
    let id = start(&app, &token, &c, c.law_course).await;
    beat(&app, &token, &id, 30, visible()).await;
    beat(&app, &token, &id, 60, visible()).await;
    let sweep = |seconds: i64| {
        let live = app.state.live.clone();
        let (db, writer, tz) = (
            app.db().clone(),
            app.state.sessions.clone(),
            app.state.config.tz,
        );
        async move { live.sweep(&db, &writer, later(seconds), tz).await.unwrap() }
    };
    // Three intervals after the last heartbeat it is still running…
    assert_eq!(sweep(150).await, 0);
    // …and just past them it ends, at that heartbeat.
    assert_eq!(sweep(151).await, 1);
    let sessions = app.get("/api/v1/study-sessions", &token).await.expect(200);
    assert_eq!(
        sessions["items"][0]["ended_at"],
        "2026-06-15T04:01:00+00:00"
    );
    assert_eq!(sessions["items"][0]["minutes"], 1.0);
    assert_eq!(sessions["items"][0]["source"], "live");
    app.state.clock.set(later(160));
    let late = app
        .post(
            &format!("/api/v1/study-sessions/live/{id}/heartbeat"),
            &token,
            visible(),
        )
        .await;
    assert_eq!(late.status, 409);
    // Its end answers the stored session.
    app.post(
        &format!("/api/v1/study-sessions/live/{id}/end"),
        &token,
        json!({}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn daily_caps_count_every_source_per_office_day() {
    let app = TestApp::new().await;
    let rules = json!({"daily_cap_minutes": 60, "self_reported_daily_cap_minutes": 30});
    let (c, _, token, _) = setup(&app, rules).await;
    let upload = |from: &str, to: &str| {
        json!({"id": uuid::Uuid::new_v4(), "campaign_id": c.id, "course_id": c.law_course,
               "started_at": from, "ended_at": to})
    };
    let post = |body: Value| app.post("/api/v1/study-sessions", &token, body);
    // 14 June, 23:00–23:30 in Beijing: 30 minutes on the 14th.
    let day14 = post(upload(
        "2026-06-14T23:00:00+08:00",
        "2026-06-14T23:30:00+08:00",
    ))
    .await;
    assert_eq!(day14.expect(201)["minutes"], 30.0);
    // 15 June 07:00–07:30 in Beijing is still the 14th in UTC, but the office's 15th.
    let early = post(upload(
        "2026-06-15T07:00:00+08:00",
        "2026-06-15T07:30:00+08:00",
    ))
    .await;
    assert_eq!(early.expect(201)["minutes"], 30.0);
    // The 15th's uploads are now at their 30 minutes: the next is stored, crediting 0.
    let full = post(session(c.id, c.extra_course, "08:00", "08:20"))
        .await
        .expect(201);
    assert_eq!(full["minutes"], 0.0);
    // Live study still counts, up to the day's 60 minutes over every source: 45 minutes
    // timed, 30 credited.
    app.state.clock.set(test_now() - Duration::hours(2));
    let id = start(&app, &token, &c, c.extra_course).await;
    for k in 1..=90 {
        beat(&app, &token, &id, -7200 + 30 * k, visible()).await;
    }
    let live = app
        .post(
            &format!("/api/v1/study-sessions/live/{id}/end"),
            &token,
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(live["minutes"], 30.0);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(
        (p["credited_minutes"].as_i64(), p["live_minutes"].as_i64()),
        (Some(90), Some(30))
    );

    // Caps of 0 or above a day are refused, as are shares and rates out of range.
    let (_, hr) = app.login_as("hr2", &[Role::Hr]).await;
    for (body, field) in [
        (json!({"daily_cap_minutes": 0}), "daily_cap_minutes"),
        (json!({"daily_cap_minutes": 1441}), "daily_cap_minutes"),
        (
            json!({"self_reported_daily_cap_minutes": 0}),
            "self_reported_daily_cap_minutes",
        ),
        (json!({"min_live_share": 1.5}), "min_live_share"),
        (json!({"max_playback_rate": 0.5}), "max_playback_rate"),
        (
            json!({"presence_check_minutes": -1}),
            "presence_check_minutes",
        ),
    ] {
        let refused = app
            .patch(&format!("/api/v1/campaigns/{}", c.id), &hr, body.clone())
            .await;
        assert_eq!(refused.status, 422, "{body}");
        assert_eq!(refused.body["errors"][0]["field"], field, "{body}");
    }
    // `null` lifts a cap.
    let lifted = app
        .patch(
            &format!("/api/v1/campaigns/{}", c.id),
            &hr,
            json!({"daily_cap_minutes": null}),
        )
        .await
        .expect(200);
    assert!(lifted["daily_cap_minutes"].is_null());
    assert_eq!(lifted["self_reported_daily_cap_minutes"], 30);
}

#[tokio::test]
async fn the_live_share_decides_study_complete_and_the_targets_show_it() {
    let app = TestApp::new().await;
    let (c, _, token, hr) = setup(&app, json!({})).await;
    // 60 minutes uploaded on the compulsory course, 20 timed live on the other: 80 of 80.
    app.post(
        "/api/v1/study-sessions",
        &token,
        session(c.id, c.law_course, "08:00", "09:00"),
    )
    .await
    .expect(201);
    app.state.clock.set(test_now() - Duration::hours(1));
    let id = start(&app, &token, &c, c.extra_course).await;
    for k in 1..=40 {
        beat(&app, &token, &id, -3600 + 30 * k, visible()).await;
    }
    app.post(
        &format!("/api/v1/study-sessions/live/{id}/end"),
        &token,
        json!({}),
    )
    .await
    .expect(201);
    let targets_path = format!("/api/v1/campaigns/{}/targets", c.id);
    let campaign_path = format!("/api/v1/campaigns/{}", c.id);
    let targets = || async { app.get(&targets_path, &hr).await.expect(200) };
    let t = targets().await;
    assert_eq!(t["study"]["count"], 1);
    assert_eq!(
        (t["credited_minutes"].as_i64(), t["live_minutes"].as_i64()),
        (Some(80), Some(20))
    );
    assert_eq!(t["live_share"], 0.25);
    // A quarter live meets a share of 0.25, not 0.3: the 学习率 flips.
    let share = |s: f64| app.patch(&campaign_path, &hr, json!({"min_live_share": s}));
    share(0.25).await.expect(200);
    assert_eq!(targets().await["study"]["count"], 1);
    share(0.3).await.expect(200);
    assert_eq!(targets().await["study"]["count"], 0);
    let p = progress(&app, &token, c.id).await;
    assert_eq!(
        (p["study_complete"].as_bool(), p["min_live_share"].as_f64()),
        (Some(false), Some(0.3))
    );
    // HR's roster shows both figures.
    let roster = app
        .get(&format!("/api/v1/campaigns/{}/enrollments", c.id), &hr)
        .await
        .expect(200);
    let member = &roster["items"][0];
    assert_eq!(
        (
            member["live_minutes"].as_i64(),
            member["self_reported_minutes"].as_i64()
        ),
        (Some(20), Some(60))
    );
}

#[tokio::test]
async fn a_phone_clock_off_by_minutes_is_corrected_and_off_by_a_day_refused() {
    let app = TestApp::new().await;
    let (c, _, token, _) = setup(&app, json!({})).await;
    // The server says 12:00. A phone 6 minutes fast studied 11:56–12:06 by its clock and
    // sends at 12:06 by its clock: without `device_time` that ends in the future…
    let mut fast = session(c.id, c.law_course, "11:56", "12:06");
    let refused = app
        .post("/api/v1/study-sessions", &token, fast.clone())
        .await;
    assert_eq!(refused.status, 422);
    // …with it, the times are shifted 6 minutes back and stored.
    fast["device_time"] = json!(at("12:06"));
    let stored = app
        .post("/api/v1/study-sessions", &token, fast.clone())
        .await
        .expect(201);
    assert_eq!(stored["started_at"], "2026-06-15T03:50:00+00:00");
    assert_eq!(stored["ended_at"], "2026-06-15T04:00:00+00:00");
    assert_eq!(stored["clock_corrected_seconds"], -360);
    // A retry sent a second later (another shift) is the same session.
    fast["device_time"] = json!("2026-06-15T12:06:01+08:00");
    let replay = app
        .post("/api/v1/study-sessions", &token, fast)
        .await
        .expect(200);
    assert_eq!(replay["id"], stored["id"]);
    // A phone 10 minutes slow: shifted forward. Within a minute: left alone.
    let mut slow = session(c.id, c.extra_course, "11:00", "11:20");
    slow["device_time"] = json!(at("11:50"));
    let slow = app
        .post("/api/v1/study-sessions", &token, slow)
        .await
        .expect(201);
    assert_eq!(
        (
            slow["started_at"].as_str(),
            slow["clock_corrected_seconds"].as_i64()
        ),
        (Some("2026-06-15T03:10:00+00:00"), Some(600))
    );
    let mut near = session(c.id, c.extra_course, "09:00", "09:05");
    near["device_time"] = json!("2026-06-15T11:59:30+08:00");
    let near = app
        .post("/api/v1/study-sessions", &token, near)
        .await
        .expect(201);
    assert_eq!(
        (
            near["started_at"].as_str(),
            near["clock_corrected_seconds"].as_i64()
        ),
        (Some("2026-06-15T01:00:00+00:00"), Some(0))
    );
    // More than a day off: 422 naming `device_time`, nothing stored; in a batch too.
    let mut wild = session(c.id, c.law_course, "10:00", "10:10");
    wild["device_time"] = json!("2026-06-16T12:00:01+08:00");
    let before = app.fingerprint().await;
    let refused = app
        .post("/api/v1/study-sessions", &token, wild.clone())
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["errors"][0]["field"], "device_time");
    assert_eq!(refused.body["errors"][0]["code"], "clock_too_far");
    assert_eq!(app.fingerprint().await, before);
    let batch = app
        .post(
            "/api/v1/study-sessions/batch",
            &token,
            json!({"sessions": [wild]}),
        )
        .await
        .expect(200);
    assert_eq!(batch["results"][0]["status"], 422);
}

/// A session's heartbeats reach another instance: it carries on from the last write, and
/// the first instance lets go at its next write, so nothing is counted twice.
#[tokio::test]
async fn a_session_handed_to_another_instance_is_never_counted_twice() {
    let app = TestApp::new().await;
    let (c, cadre, token, _) = setup(&app, json!({})).await;
    let id = start(&app, &token, &c, c.law_course).await;
    let a = app.state.live.clone();
    let b = LiveSessions::new(30);
    let (db, writer, tz) = (
        app.db().clone(),
        app.state.sessions.clone(),
        app.state.config.tz,
    );
    let actor = domain::auth::Actor {
        id: cadre,
        username: "cadre".into(),
        roles: vec![Role::Cadre],
    };
    let on = |at: i64| (later(at), tz);
    let seen = Beat {
        visible: true,
        playback_rate_centi: 100,
        presence_answer: None,
    };
    a.heartbeat(&db, &writer, &actor, &id, seen.clone(), on(30))
        .await
        .unwrap();
    assert_eq!(a.flush(&db).await.unwrap(), 1);
    a.heartbeat(&db, &writer, &actor, &id, seen.clone(), on(60))
        .await
        .unwrap();
    // B takes the next heartbeat before A wrote its 60 s: B carries on from A's last
    // write (30 s), so the stretch 30–90 is credited once, by B.
    let on_b = b
        .heartbeat(&db, &writer, &actor, &id, seen.clone(), on(90))
        .await
        .unwrap();
    assert_eq!(on_b.session.credited_seconds, 90);
    // A's write of its stale state is refused, and A lets go.
    assert_eq!(a.flush(&db).await.unwrap(), 0);
    assert_eq!(b.flush(&db).await.unwrap(), 1);
    // Back on A: it claims the session again from B's write.
    let on_a = a
        .heartbeat(&db, &writer, &actor, &id, seen, on(120))
        .await
        .unwrap();
    assert_eq!(on_a.session.credited_seconds, 120);
    let stored = b
        .end(&db, &writer, &actor, &id, later(121), tz)
        .await
        .unwrap();
    // B had not seen A's last stretch: it is lost, never doubled.
    assert_eq!(stored.session().seconds, 90);
    assert_eq!(progress(&app, &token, c.id).await["live_minutes"], 1);
}
