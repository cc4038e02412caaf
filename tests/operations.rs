//! Operations (docs/RULES.md, operations): `/metrics`, `X-Request-Id`, and a database that
//! does not answer.

use std::time::{Duration, Instant};

use domain::auth::Role;
use serde_json::json;
use tokio::{
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

use crate::common::{Campaign, PASSWORD, TestApp, serve, session};

/// Each sample line of Prometheus's text format: `name{labels} value`, with every value a
/// number. Returns the samples.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            assert!(
                line.is_empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE "),
                "a comment that is neither HELP nor TYPE: {line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "a bad metric name: {line}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unclosed labels: {line}");
        }
        samples.push((series.to_owned(), value));
    }
    samples
}

fn sample(samples: &[(String, f64)], series: &str) -> f64 {
    samples
        .iter()
        .find(|(s, _)| s == series)
        .map_or(0.0, |(_, v)| *v)
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_requests() {
    let app = TestApp::new().await;
    let origin = serve(&app).await;
    let http = reqwest::Client::new();
    let scrape = || async {
        let resp = http.get(format!("{origin}/metrics")).send().await.unwrap();
        assert_eq!(resp.status(), 200, "loopback reads the metrics");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        parse_prometheus(&resp.text().await.unwrap())
    };
    let campaign_route =
        r#"xuefa_http_requests_total{method="GET",route="/api/v1/campaigns/{id}",status="404"}"#;
    let before = scrape().await;
    let admin = crate::crash::login(&http, &origin, "admin", "Gov-Intranet-2026").await;
    for _ in 0..3 {
        let resp = http
            .get(format!("{origin}/api/v1/campaigns/424242"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
    }
    let after = scrape().await;
    assert_eq!(
        sample(&after, campaign_route) - sample(&before, campaign_route),
        3.0,
        "the counter is by route template, method and status"
    );
    assert!(
        !after.iter().any(|(s, _)| s.contains("424242")),
        "no raw path is a label"
    );
    for series in [
        r#"xuefa_db_pool_connections{state="max"}"#,
        "process_resident_memory_bytes",
    ] {
        assert!(sample(&after, series) > 0.0, "{series} is reported");
    }
    assert!(
        after
            .iter()
            .any(|(s, _)| s.starts_with("xuefa_http_request_duration_seconds_bucket{")),
        "latency histograms"
    );
    assert!(
        after
            .iter()
            .any(|(s, _)| s.contains("xuefa_group_commit_size")),
        "group sizes are declared"
    );
    for writer in ["session", "answer"] {
        for series in [
            "xuefa_group_commit_size_count",
            "xuefa_group_commit_seconds_count",
        ] {
            let name = format!(r#"{series}{{writer="{writer}"}}"#);
            assert!(
                after.iter().any(|(s, _)| *s == name),
                "{name} is declared from the writer's start"
            );
        }
    }

    // Not from loopback: only with the token, and only when one is set.
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    app.get("/metrics", &hr).await.expect(403);
    let with_token = TestApp::with_http_config(
        domain::clock::Clock::pinned(crate::common::test_now()),
        |h| {
            h.metrics_token = Some("scrape-me-1234567890".into());
        },
    )
    .await;
    with_token.get("/metrics", "wrong").await.expect(403);
    let reply = with_token.get("/metrics", "scrape-me-1234567890").await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_problems_name_it() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let reply = app.get("/api/v1/campaigns/424242", &admin).await;
    let id = reply.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a new UUID when the client sent none: {id}");
    assert_eq!(reply.body["instance"], format!("urn:xuefa:request:{id}"));
    assert_eq!(reply.body["code"], "not_found");

    let origin = serve(&app).await;
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{origin}/api/v1/nothing-here"))
        .header("X-Request-Id", "lb-7f3a-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["x-request-id"],
        "lb-7f3a-42",
        "the client's id"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["instance"], "urn:xuefa:request:lb-7f3a-42");
    let ok = http.get(format!("{origin}/healthz")).send().await.unwrap();
    assert!(ok.headers().contains_key("x-request-id"));
    let bad = http
        .get(format!("{origin}/healthz"))
        .header("X-Request-Id", "has spaces in it")
        .send()
        .await
        .unwrap();
    assert_ne!(bad.headers()["x-request-id"], "has spaces in it");
}

/// A TCP proxy in front of PostgreSQL that can be stopped (every connection cut, new ones
/// refused) and started again on the same port: the database going down and coming back,
/// as the server sees it, without stopping the PostgreSQL the other tests share.
struct Proxy {
    port: u16,
    upstream: String,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Self {
            port,
            upstream: upstream.to_owned(),
            tasks: Default::default(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (tasks, upstream) = (self.tasks.clone(), self.upstream.clone());
        let accept = tokio::spawn({
            let tasks = tasks.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let upstream = upstream.clone();
                    let pipe = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    tasks.lock().unwrap().push(pipe);
                }
            }
        });
        tasks.lock().unwrap().push(accept);
    }

    fn stop(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    async fn restart(&self) {
        for _ in 0..50 {
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", self.port)).await {
                self.serve(listener);
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the proxy's port did not come free");
    }
}

async fn cadre_with_campaign(app: &TestApp) -> (Campaign, String) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let cadre = app.make_user("walker", &[Role::Cadre], None).await;
    app.enroll(&hr, campaign.id, &[cadre]).await;
    (campaign, app.token("walker", PASSWORD).await)
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_a_503_and_the_server_recovers() {
    let probe = TestApp::new().await;
    if probe.db().get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        return sqlite_busy_past_the_wait_is_a_503(probe).await;
    }
    drop(probe);
    // PostgreSQL: the app reaches its database through the proxy.
    let base = std::env::var("XUEFA_TEST_DATABASE_URL").unwrap();
    let host = base
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let proxy = Proxy::start(&host).await;
    let port = proxy.port;
    let app = TestApp::with_config(
        domain::clock::Clock::pinned(crate::common::test_now()),
        |c| {
            c.database_url = c.database_url.replace(&host, &format!("127.0.0.1:{port}"));
        },
    )
    .await;
    assert!(app.database_url().contains(&format!(":{port}/")));
    let (campaign, token) = cadre_with_campaign(&app).await;
    let course = campaign.law_course;
    let upload = |from: &str, to: &str, id: &str| {
        let mut body = session(campaign.id, course, from, to);
        body["id"] = json!(id);
        body
    };
    let ids = [
        "0b5d1f6e-0000-4000-8000-000000000001",
        "0b5d1f6e-0000-4000-8000-000000000002",
        "0b5d1f6e-0000-4000-8000-000000000003",
    ];
    for (i, id) in ids.iter().enumerate() {
        let (from, to) = [("08:00", "08:30"), ("09:00", "09:30"), ("10:00", "10:30")][i];
        app.post("/api/v1/study-sessions", &token, upload(from, to, id))
            .await
            .expect(201);
    }

    proxy.stop();
    let started = Instant::now();
    let down = app
        .post(
            "/api/v1/study-sessions",
            &token,
            upload("11:00", "11:30", "0b5d1f6e-0000-4000-8000-000000000004"),
        )
        .await;
    let waited = started.elapsed();
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.body["code"], "database_unavailable");
    assert!(down.headers.contains_key("retry-after"));
    assert!(waited < Duration::from_secs(3), "answered in {waited:?}");
    let ready = app.call("GET", "/readyz", None, None).await;
    assert_eq!(ready.status, 503);
    assert!(started.elapsed() < Duration::from_secs(6));

    proxy.restart().await;
    // The same process serves again once the database is back (the pool reconnects).
    let mut back = None;
    for _ in 0..50 {
        let r = app.call("GET", "/readyz", None, None).await;
        if r.status == 200 {
            back = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back.is_some(), "ready again");
    app.post(
        "/api/v1/study-sessions",
        &token,
        upload("11:00", "11:30", "0b5d1f6e-0000-4000-8000-000000000004"),
    )
    .await
    .expect(201);
    let mine = app
        .get("/api/v1/study-sessions?per_page=100", &token)
        .await
        .expect(200);
    let stored: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        stored.len(),
        4,
        "every acknowledged upload kept: {stored:?}"
    );
    for id in ids {
        assert!(stored.contains(&id));
    }
    proxy.stop();
    proxy.restart().await;
}

/// SQLite never goes down, but another process can hold its write lock past the busy
/// wait (5 s): that upload is a 503 too, and goes through once the lock is gone.
async fn sqlite_busy_past_the_wait_is_a_503(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let (campaign, token) = cadre_with_campaign(&app).await;
    let course = campaign.law_course;
    let mut options = sea_orm::ConnectOptions::new(app.database_url());
    options.max_connections(1).min_connections(1);
    let other = sea_orm::Database::connect(options).await.unwrap();
    other.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    let body = session(campaign.id, course, "08:00", "08:30");
    let started = Instant::now();
    let busy = app
        .post("/api/v1/study-sessions", &token, body.clone())
        .await;
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.body["code"], "database_unavailable");
    assert!(busy.headers.contains_key("retry-after"));
    assert!(started.elapsed() < Duration::from_secs(8));
    // Reads go on meanwhile (WAL).
    app.call("GET", "/readyz", None, None).await.expect(200);
    other.execute_unprepared("ROLLBACK").await.unwrap();
    app.post("/api/v1/study-sessions", &token, body)
        .await
        .expect(201);
}
