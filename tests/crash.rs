//! Crash safety: the real binary is killed with SIGKILL in the middle of a write load of
//! study sessions and exam answers, then restarted on the same database. Every request
//! that was acknowledged with a 2xx is stored; nothing that was refused is; the running
//! totals still match the stored sessions.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{Duration as Span, Utc};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::common::{TEST_SECRET, TestApp};

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(database_url: &str, port: u16) -> Server {
    start_with(database_url, port, &[]).await
}

/// The real binary serving `database_url` on `port`, with more environment variables.
#[allow(clippy::zombie_processes)] // the caller kills and waits for it
pub(crate) async fn start_with(database_url: &str, port: u16, env: &[(&str, &str)]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_xuefa"))
        .arg("serve")
        // As every test of other features: the 等保 switches that would limit a first
        // token are off, through their documented variables (a test may turn them on).
        .env("XUEFA_FORCE_PASSWORD_CHANGE", "0")
        .env("XUEFA_2FA_REQUIRED_FOR", "none")
        .env("XUEFA_PASSWORD_MAX_AGE_DAYS", "0")
        .env("DATABASE_URL", database_url)
        .env("XUEFA_BIND", format!("127.0.0.1:{port}"))
        .env("XUEFA_JWT_SECRET", TEST_SECRET)
        .env("RUST_LOG", "error")
        // The caller's variables last, so that they may replace the ones above.
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the xuefa binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Server { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
) -> Option<(u16, Value)> {
    let resp = client
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.unwrap_or(Value::Null)))
}

pub(crate) async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> String {
    let resp = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The choices sent and the status they got.
type Save = (Vec<usize>, Option<u16>);

#[derive(Default)]
struct Ledger {
    /// Session id → the status it got (None: no answer, the server died first).
    sessions: Vec<(String, Option<u16>)>,
    /// (attempt, question) → every save sent, in order, with its status.
    saves: HashMap<(i64, i64), Vec<Save>>,
}

/// The world the crash test writes into: a campaign open around now (the spawned server
/// runs on the real clock), five questions, eight enrolled cadres `c0`…`c7`.
struct CrashWorld {
    campaign: i64,
    course: i64,
    cadres: Vec<i64>,
    now: chrono::DateTime<Utc>,
}

async fn crash_world(app: &TestApp) -> CrashWorld {
    app.make_user("hr", &[domain::auth::Role::Hr], None).await;
    let hr = app.token("hr", crate::common::PASSWORD).await;
    let cadres: Vec<i64> = {
        let mut ids = Vec::new();
        for i in 0..8 {
            ids.push(
                app.make_user(&format!("c{i}"), &[domain::auth::Role::Cadre], None)
                    .await,
            );
        }
        ids
    };
    // The spawned server runs on the real clock: a campaign open around now.
    let now = domain::clock::Clock::system().now();
    let course = app.make_course(&hr, "宪法", 600).await;
    let today = now.with_timezone(&app.state.config.tz).date_naive();
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &hr,
            json!({
                "year": 2026, "title": "crash", "study_starts_on": (today - Span::days(30)).to_string(), "study_ends_on": (today + Span::days(1)).to_string(),
                "required_minutes": 100000, "courses": [{"course_id": course, "compulsory": true}],
                "exam_opens_at": (now - Span::hours(1)).to_rfc3339(), "exam_closes_at": (now + Span::hours(3)).to_rfc3339(),
                "question_count": 5, "max_attempts": 3, "exam_requires_study": false
            }),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    for i in 0..5 {
        app.post(&format!("/api/v1/campaigns/{campaign}/questions"), &hr, json!({"kind": "single", "stem": format!("q{i}"), "options": ["a", "b", "c"], "answer": [0]}))
            .await
            .expect(201);
    }
    app.enroll(&hr, campaign, &cadres).await;
    CrashWorld {
        campaign,
        course,
        cadres,
        now,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_write_loses_nothing_acknowledged() {
    let app = TestApp::new().await;
    let url = app.database_url();
    let world = crash_world(&app).await;
    let port = free_port();
    let ledger = write_until_killed(&url, port, &world).await;

    // Restart on the same database and check every promise.
    let mut server = start(&url, port).await;
    let stored: HashMap<String, entity::study_session::Model> =
        entity::study_session::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
    let (acknowledged, refused) = check_sessions(&ledger, &stored);
    check_running_totals(&app, &stored).await;
    let checked = check_answer_saves(&app, &ledger).await;
    let lost = ledger.sessions.iter().filter(|(_, s)| s.is_none()).count();
    eprintln!(
        "crash: {acknowledged} sessions acknowledged and all stored, {refused} refused and none stored, {lost} in flight at the kill; {checked} answer saves checked"
    );

    // And the restarted server serves it all.
    let token = login(
        &reqwest::Client::new(),
        &server.base,
        "c0",
        crate::common::PASSWORD,
    )
    .await;
    let listed: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/study-sessions?per_page=1", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed["total"].as_u64().unwrap() > 0);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// Eight cadres upload sessions (some overlapping) and save answers as fast as they can;
/// the server is SIGKILLed 1.5 s in. Returns what each request got, if anything.
async fn write_until_killed(url: &str, port: u16, world: &CrashWorld) -> Ledger {
    let CrashWorld {
        campaign,
        course,
        ref cadres,
        now,
    } = *world;
    let mut server = start(url, port).await;
    let client = reqwest::Client::new();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut tasks = Vec::new();
    for (n, _) in cadres.iter().enumerate() {
        let token = login(
            &client,
            &server.base,
            &format!("c{n}"),
            crate::common::PASSWORD,
        )
        .await;
        let (status, attempt) = call(
            &client,
            reqwest::Method::POST,
            format!("{}/api/v1/campaigns/{campaign}/attempts", server.base),
            &token,
            json!(null),
        )
        .await
        .unwrap();
        assert_eq!(status, 201);
        let (client, base, ledger) = (client.clone(), server.base.clone(), ledger.clone());
        tasks.push(tokio::spawn(async move {
            let attempt_id = attempt["id"].as_i64().unwrap();
            let questions: Vec<i64> = attempt["questions"].as_array().unwrap().iter().map(|q| q["id"].as_i64().unwrap()).collect();
            // Sessions one minute long, back to back, going back from an hour ago.
            for k in 0..100_000i64 {
                let start = now - Span::hours(1) - Span::minutes(k + 1);
                let id = uuid::Uuid::new_v4().to_string();
                let body = json!({"id": id, "campaign_id": campaign, "course_id": course, "started_at": start.to_rfc3339(), "ended_at": (start + Span::minutes(1)).to_rfc3339()});
                let outcome = call(&client, reqwest::Method::POST, format!("{base}/api/v1/study-sessions"), &token, body.clone()).await;
                ledger.lock().unwrap().sessions.push((id, outcome.as_ref().map(|o| o.0)));
                if outcome.is_none() {
                    return;
                }
                if k % 5 == 0 {
                    // One that overlaps the session just stored: refused, never stored.
                    let id = uuid::Uuid::new_v4().to_string();
                    let mut clash = body.clone();
                    clash["id"] = json!(id);
                    let outcome = call(&client, reqwest::Method::POST, format!("{base}/api/v1/study-sessions"), &token, clash).await;
                    ledger.lock().unwrap().sessions.push((id, outcome.map(|o| o.0)));
                }
                if k % 3 == 0 {
                    let question = questions[(k as usize / 3) % questions.len()];
                    let choice = vec![(k as usize / 3) % 3];
                    let body = json!({"answers": [{"question_id": question, "choices": choice}]});
                    let outcome = call(&client, reqwest::Method::PUT, format!("{base}/api/v1/attempts/{attempt_id}/answers"), &token, body).await;
                    ledger.lock().unwrap().saves.entry((attempt_id, question)).or_default().push((choice, outcome.map(|o| o.0)));
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    std::mem::take(&mut *ledger.lock().unwrap())
}

/// Every acknowledged session is stored; every refused one is not. Returns both counts.
fn check_sessions(
    ledger: &Ledger,
    stored: &HashMap<String, entity::study_session::Model>,
) -> (usize, usize) {
    let (mut acknowledged, mut refused) = (0, 0);
    for (id, status) in &ledger.sessions {
        match status {
            Some(200 | 201) => {
                assert!(
                    stored.contains_key(id),
                    "acknowledged session {id} was lost"
                );
                acknowledged += 1;
            }
            Some(s) => {
                assert!(
                    !stored.contains_key(id),
                    "session {id} refused with {s} was stored"
                );
                refused += 1;
            }
            None => {}
        }
    }
    assert!(
        acknowledged > 50,
        "only {acknowledged} sessions acknowledged before the kill"
    );
    assert!(refused > 5, "only {refused} overlapping sessions tried");
    (acknowledged, refused)
}

/// The running totals match the sessions that are stored.
async fn check_running_totals(
    app: &TestApp,
    stored: &HashMap<String, entity::study_session::Model>,
) {
    let mut sums: HashMap<(i64, i64), i64> = HashMap::new();
    for s in stored.values() {
        *sums.entry((s.enrollment_id, s.course_id)).or_default() += s.seconds as i64;
    }
    let progress: HashMap<(i64, i64), i64> = entity::course_progress::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|p| ((p.enrollment_id, p.course_id), p.seconds))
        .collect();
    assert_eq!(
        progress, sums,
        "per-course totals equal the stored sessions"
    );
    for e in entity::enrollment::Entity::find()
        .all(app.db())
        .await
        .unwrap()
    {
        let count = stored.values().filter(|s| s.enrollment_id == e.id).count() as i32;
        assert_eq!(e.session_count, count);
    }
}

/// The last acknowledged save of each question is there, unless a later save (whose
/// answer was lost with the server) replaced it. Returns how many questions were checked.
async fn check_answer_saves(app: &TestApp, ledger: &Ledger) -> usize {
    let rows = entity::attempt_question::Entity::find()
        .all(app.db())
        .await
        .unwrap();
    let mut checked = 0;
    for ((attempt, question), saves) in &ledger.saves {
        let Some(last_ok) = saves.iter().rposition(|(_, s)| *s == Some(200)) else {
            continue;
        };
        let row = rows
            .iter()
            .find(|r| r.attempt_id == *attempt && r.question_id == *question)
            .unwrap();
        let stored: Vec<usize> = row
            .choices
            .as_deref()
            .map(|c| serde_json::from_str(c).unwrap())
            .unwrap_or_default();
        // Stored as original option indices; this bank is shuffled, so compare the set of
        // candidates by position through the option order.
        let order: Vec<usize> = serde_json::from_str(&row.option_order).unwrap();
        let shown: Vec<usize> = stored
            .iter()
            .filter_map(|o| order.iter().position(|x| x == o))
            .collect();
        let candidates: Vec<&Vec<usize>> = saves[last_ok..]
            .iter()
            .filter(|(_, s)| s.is_none() || *s == Some(200))
            .map(|(c, _)| c)
            .collect();
        assert!(
            candidates.contains(&&shown),
            "question {question}: stored {shown:?}, acknowledged {:?}",
            saves[last_ok].0
        );
        checked += 1;
    }
    assert!(checked > 0, "no answer save was acknowledged");
    checked
}

/// `xuefa user create` makes an account from the command line, password from stdin.
#[tokio::test]
async fn user_create_from_the_command_line() {
    use std::io::Write;
    let app = TestApp::new().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_xuefa"))
        .args([
            "user",
            "create",
            "--username",
            "clerk",
            "--name",
            "司法所 王静",
            "--roles",
            "judicial,cadre",
        ])
        .env("DATABASE_URL", app.database_url())
        .env("XUEFA_JWT_SECRET", TEST_SECRET)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"typed-at-the-console-1\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let token = app.token("clerk", "typed-at-the-console-1").await;
    assert_eq!(
        app.get("/api/v1/me", &token).await.expect(200)["roles"],
        json!(["judicial", "cadre"])
    );
    // A short password is refused and nothing is made.
    let mut child = Command::new(env!("CARGO_BIN_EXE_xuefa"))
        .args(["user", "create", "--username", "weak", "--name", "x"])
        .env("DATABASE_URL", app.database_url())
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    assert!(!child.wait().unwrap().success());
    app.login("weak", "short").await.expect(401);
}

/// SIGTERM lets the request in flight finish, then the server exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[domain::auth::Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let cadre = app
        .make_user("c0", &[domain::auth::Role::Cadre], None)
        .await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    let port = free_port();
    let mut server = start(&app.database_url(), port).await;
    let client = reqwest::Client::new();
    let token = login(&client, &server.base, "c0", crate::common::PASSWORD).await;
    // A 500-session batch takes the server a while: send it, then SIGTERM while it runs.
    let start_at: chrono::DateTime<chrono::FixedOffset> =
        "2026-06-15T01:00:00+08:00".parse().unwrap();
    let sessions: Vec<Value> = (0..500)
        .map(|i| {
            let from = start_at + Span::minutes(i);
            json!({"id": uuid::Uuid::new_v4(), "campaign_id": campaign.id, "course_id": campaign.law_course,
                   "started_at": from.to_rfc3339(), "ended_at": (from + Span::minutes(1)).to_rfc3339()})
        })
        .collect();
    let request = tokio::spawn({
        let (client, url) = (
            client.clone(),
            format!("{}/api/v1/study-sessions/batch", server.base),
        );
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"sessions": sessions}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(
        request
            .await
            .unwrap()
            .expect("an answer, not a dropped connection"),
        200
    );
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exited with {status}");
    assert!(
        client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_err(),
        "no longer listening"
    );
    let stored = entity::study_session::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .len();
    assert_eq!(stored, 500, "the batch answered 200 and is stored whole");
}

/// Live study sessions are held in memory and written twice an interval: a server killed
/// with SIGKILL and restarted credits every session up to at most one interval before the
/// kill, and the restarted server ends each from what was written, counting nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_loses_at_most_one_interval_of_live_credit() {
    const INTERVAL: i64 = 2;
    let app = TestApp::new().await;
    let url = app.database_url();
    let world = crash_world(&app).await;
    let port = free_port();
    let env = [("XUEFA_HEARTBEAT_SECONDS", "2")];
    let mut server = start_with(&url, port, &env).await;
    let client = reqwest::Client::new();
    // Eight cadres study live, a heartbeat a second; each keeps what the last
    // acknowledged heartbeat said was credited.
    let mut tasks = Vec::new();
    for n in 0..world.cadres.len() {
        let token = login(
            &client,
            &server.base,
            &format!("c{n}"),
            crate::common::PASSWORD,
        )
        .await;
        let (client, base, username) = (client.clone(), server.base.clone(), format!("c{n}"));
        let body = json!({"campaign_id": world.campaign, "course_id": world.course});
        tasks.push(tokio::spawn(async move {
            let (status, live) = call(
                &client,
                reqwest::Method::POST,
                format!("{base}/api/v1/study-sessions/live"),
                &token,
                body,
            )
            .await
            .unwrap();
            assert_eq!(status, 201);
            let id = live["id"].as_str().unwrap().to_owned();
            let mut acknowledged = 0;
            loop {
                tokio::time::sleep(Duration::from_millis(1000)).await;
                let beat = json!({"visible": true, "playback_rate": 1});
                match call(
                    &client,
                    reqwest::Method::POST,
                    format!("{base}/api/v1/study-sessions/live/{id}/heartbeat"),
                    &token,
                    beat,
                )
                .await
                {
                    Some((200, v)) => acknowledged = v["credited_seconds"].as_i64().unwrap(),
                    _ => return (id, username, acknowledged),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(6500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    let mut studied = Vec::new();
    for t in tasks {
        studied.push(t.await.unwrap());
    }

    let mut server = start_with(&url, port, &env).await;
    for (id, username, acknowledged) in studied {
        assert!(
            acknowledged >= 4,
            "{id}: only {acknowledged} s credited before the kill"
        );
        let written = entity::live_session::Entity::find_by_id(id.clone())
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .credited_seconds as i64;
        // At most one interval lost; at most one stretch more (a heartbeat whose answer
        // the kill cut off).
        assert!(
            written >= acknowledged - INTERVAL && written <= acknowledged + INTERVAL,
            "{id}: {acknowledged} s acknowledged, {written} s written"
        );
        let token = login(&client, &server.base, &username, crate::common::PASSWORD).await;
        let (status, stored) = call(
            &client,
            reqwest::Method::POST,
            format!("{}/api/v1/study-sessions/live/{id}/end", server.base),
            &token,
            json!({}),
        )
        .await
        .unwrap();
        assert_eq!(status, 201, "{stored}");
        assert_eq!(
            stored["minutes"].as_f64().unwrap(),
            (written as f64 / 60.0 * 100.0).round() / 100.0
        );
        assert_eq!(stored["source"], "live");
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
