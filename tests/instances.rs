//! Several instances on one database behave as one (docs/RULES.md, operations): two real
//! `xuefa serve` processes share the test's database (PostgreSQL under
//! XUEFA_TEST_DATABASE_URL, where many instances are meant to run; else one SQLite file
//! in WAL mode).

use std::time::Duration;

use domain::{auth::Role, clock::Clock};
use entity::{attempt, enrollment, study_session};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    common::{PASSWORD, TestApp, session},
    crash::{Server, free_port, login, start_with},
    exam::add_bank,
};

async fn two_servers(app: &TestApp) -> (Server, Server) {
    let url = app.database_url();
    tokio::join!(
        start_with(&url, free_port(), &[]),
        start_with(&url, free_port(), &[])
    )
}

fn stop(servers: (Server, Server)) {
    for mut s in [servers.0, servers.1] {
        s.child.kill().unwrap();
        s.child.wait().unwrap();
    }
}

#[tokio::test]
async fn a_cadres_uploads_through_two_instances_are_stored_once() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    // The servers run on the real clock, inside the campaign's 2026 study window.
    let campaign = app.make_campaign(&hr).await;
    let cadre = app.make_user("rider", &[Role::Cadre], None).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let servers = two_servers(&app).await;
    let http = reqwest::Client::new();
    let (a, b) = (servers.0.base.clone(), servers.1.base.clone());
    let token = login(&http, &a, "rider", PASSWORD).await;
    let now = Clock::system().now();
    let upload = |base: String, body: Value| {
        let (http, token) = (http.clone(), token.clone());
        async move {
            http.post(format!("{base}/api/v1/study-sessions"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let body = |id: uuid::Uuid, from_minutes: i64, to_minutes: i64| {
        let mut s = session(campaign.id, campaign.law_course, "08:00", "09:00");
        s["id"] = json!(id);
        s["started_at"] = json!((now - chrono::Duration::minutes(from_minutes)).to_rfc3339());
        s["ended_at"] = json!((now - chrono::Duration::minutes(to_minutes)).to_rfc3339());
        s
    };

    // Twenty different sessions over the same hour, half through each instance, all at
    // once: one is stored, the others overlap it.
    let rush = (0..20).map(|i| {
        let base = if i % 2 == 0 { a.clone() } else { b.clone() };
        upload(base, body(uuid::Uuid::new_v4(), 180, 120))
    });
    let mut statuses = futures::future::join_all(rush).await;
    statuses.sort_unstable();
    assert_eq!(statuses[0], 201);
    assert!(statuses[1..].iter().all(|s| *s == 409), "{statuses:?}");

    // One session sent through both at once (a retry after a lost answer): stored once.
    let id = uuid::Uuid::new_v4();
    let (first, second) = tokio::join!(
        upload(a.clone(), body(id, 60, 30)),
        upload(b.clone(), body(id, 60, 30))
    );
    let mut pair = [first, second];
    pair.sort_unstable();
    assert_eq!(pair, [200, 201], "one stored, one replayed");
    stop(servers);

    let stored = study_session::Entity::find()
        .filter(study_session::Column::UserId.eq(cadre))
        .count(app.db())
        .await
        .unwrap();
    assert_eq!(stored, 2);
    let e = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(cadre))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.session_count, 2, "the running totals counted each once");
}

#[tokio::test]
async fn login_throttling_counts_failures_across_instances() {
    let app = TestApp::new().await;
    app.make_user("target", &[Role::Cadre], None).await;
    let servers = two_servers(&app).await;
    let http = reqwest::Client::new();
    let (a, b) = (servers.0.base.clone(), servers.1.base.clone());
    let attempt = |base: String, password: &'static str| {
        let http = http.clone();
        async move {
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": "target", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Five failures from this address, three through one instance and two through the
    // other: the pair is throttled on both.
    for base in [&a, &b, &a, &b, &a] {
        assert_eq!(attempt(base.clone(), "wrong-password").await, 401);
    }
    assert_eq!(attempt(b.clone(), PASSWORD).await, 429);
    assert_eq!(attempt(a.clone(), PASSWORD).await, 429);
    stop(servers);
}

#[tokio::test]
async fn the_expiry_sweep_of_two_instances_finishes_each_attempt_once() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    add_bank(&app, &hr, campaign.id).await;
    let mut cadres = Vec::new();
    for i in 0..8 {
        cadres.push(
            app.make_user(&format!("sitter{i}"), &[Role::Cadre], None)
                .await,
        );
    }
    app.enroll(&hr, campaign.id, &cadres).await;
    // On 10 November (test clock) each starts the exam and walks away; by the real clock
    // every attempt is long overdue.
    app.state
        .clock
        .set("2026-11-10T10:00:00+08:00".parse().unwrap());
    for i in 0..cadres.len() {
        let token = app.token(&format!("sitter{i}"), PASSWORD).await;
        for (from, to) in [("08:00", "09:00"), ("09:00", "09:20")] {
            let course = if from == "08:00" {
                campaign.law_course
            } else {
                campaign.extra_course
            };
            let mut s = session(campaign.id, course, from, to);
            s["started_at"] = json!(format!("2026-11-10T{from}:00+08:00"));
            s["ended_at"] = json!(format!("2026-11-10T{to}:00+08:00"));
            app.post("/api/v1/study-sessions", &token, s)
                .await
                .expect(201);
        }
        app.call(
            "POST",
            &format!("/api/v1/campaigns/{}/attempts", campaign.id),
            Some(&token),
            None,
        )
        .await
        .expect(201);
    }

    // Both sweep as soon as they start.
    let servers = two_servers(&app).await;
    let open = || async {
        attempt::Entity::find()
            .filter(attempt::Column::CampaignId.eq(campaign.id))
            .filter(attempt::Column::Status.eq(attempt::AttemptStatus::Open))
            .count(app.db())
            .await
            .unwrap()
    };
    for _ in 0..100 {
        if open().await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop(servers);
    assert_eq!(open().await, 0, "every overdue attempt finished");
    let used: Vec<i32> = enrollment::Entity::find()
        .filter(enrollment::Column::CampaignId.eq(campaign.id))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.attempts_used)
        .collect();
    assert_eq!(used, vec![1; cadres.len()], "each finished exactly once");
}

/// A live session's heartbeats alternate between two instances (a load balancer without
/// affinity): each instance claims it from the other's last write, so the credit follows
/// the session and is never more than the time that passed.
#[tokio::test]
async fn a_live_sessions_heartbeats_through_two_instances_are_never_counted_twice() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let cadre = app.make_user("rider", &[Role::Cadre], None).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let url = app.database_url();
    let env = [("XUEFA_HEARTBEAT_SECONDS", "2")];
    let servers = tokio::join!(
        start_with(&url, free_port(), &env),
        start_with(&url, free_port(), &env)
    );
    let http = reqwest::Client::new();
    let bases = [servers.0.base.clone(), servers.1.base.clone()];
    let token = login(&http, &bases[0], "rider", PASSWORD).await;
    let post = |base: &str, path: String, body: Value| {
        http.post(format!("{base}/api/v1/study-sessions/live{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let started = std::time::Instant::now();
    let live: Value = post(
        &bases[0],
        String::new(),
        json!({"campaign_id": campaign.id, "course_id": campaign.law_course}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = live["id"].as_str().unwrap().to_owned();
    for k in 1..=10 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let reply = post(
            &bases[k % 2],
            format!("/{id}/heartbeat"),
            json!({"visible": true, "playback_rate": 1}),
        )
        .await
        .unwrap();
        assert_eq!(reply.status(), 200, "heartbeat {k}");
    }
    let end = post(&bases[0], format!("/{id}/end"), json!({}))
        .await
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(end.status(), 201);
    let stored: Value = end.json().await.unwrap();
    let seconds = stored["minutes"].as_f64().unwrap() * 60.0;
    eprintln!("live through two instances: {seconds:.0} s credited in {elapsed:.1} s");
    assert!(
        seconds <= elapsed + 1.0,
        "{seconds} s credited in {elapsed:.1} s of study"
    );
    assert!(
        seconds >= elapsed / 2.0,
        "only {seconds} s credited in {elapsed:.1} s: the credit did not follow the session"
    );
    stop(servers);
}
