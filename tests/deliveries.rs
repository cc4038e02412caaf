//! Delivering notices to a gateway: a local HTTP receiver gets every notice with a valid
//! signature, also when it answers 500 for a while, when the server is killed with
//! SIGKILL mid-delivery and restarted, and a gateway that never answers blocks nothing.

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, AtomicU64, Ordering},
    },
    time::Duration,
};

use domain::{auth::Role, clock::Clock, config::Webhook, services::outbox};
use hmac::{Hmac, Mac};
use poem::{EndpointExt, Request, handler, http::StatusCode, web::Data};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{
    common::{PASSWORD, TestApp, test_now},
    crash::{free_port, login, start_with},
};

const SECRET: &str = "gateway-shared-secret";

/// A gateway on a local port: records what it is sent, answers 500 to the first
/// `failing` requests, and takes `delay_ms` to answer.
#[derive(Default)]
struct Gateway {
    /// (signature header, body) of every request.
    seen: Mutex<Vec<(String, Vec<u8>)>>,
    /// Notice ids it answered 2xx to.
    accepted: Mutex<Vec<i64>>,
    failing: AtomicU32,
    delay_ms: AtomicU64,
}

#[handler]
async fn receive(req: &Request, body: Vec<u8>, gateway: Data<&Arc<Gateway>>) -> StatusCode {
    let signature = req
        .header("X-Xuefa-Signature")
        .unwrap_or_default()
        .to_owned();
    gateway.seen.lock().unwrap().push((signature, body.clone()));
    tokio::time::sleep(Duration::from_millis(
        gateway.delay_ms.load(Ordering::SeqCst),
    ))
    .await;
    if gateway
        .failing
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let notice: Value = serde_json::from_slice(&body).unwrap();
    gateway
        .accepted
        .lock()
        .unwrap()
        .push(notice["notice_id"].as_i64().unwrap());
    StatusCode::OK
}

async fn gateway() -> (Arc<Gateway>, String) {
    let gateway = Arc::new(Gateway::default());
    let port = free_port();
    let app = poem::Route::new()
        .at("/hook", poem::post(receive))
        .data(gateway.clone());
    tokio::spawn(
        poem::Server::new(poem::listener::TcpListener::bind(format!(
            "127.0.0.1:{port}"
        )))
        .run(app),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    (gateway, format!("http://127.0.0.1:{port}/hook"))
}

fn valid(signature: &str, body: &[u8]) -> bool {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    signature == format!("sha256={hex}")
}

/// HR, a campaign and `n` enrolled cadres who have done nothing (all missing).
async fn roster(app: &TestApp, n: usize) -> (String, i64) {
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(app.make_user(&format!("c{i}"), &[Role::Cadre], None).await);
    }
    app.enroll(&hr, campaign.id, &ids).await;
    (hr, campaign.id)
}

fn hook(url: &str, timeout: Duration) -> Webhook {
    Webhook {
        url: url.into(),
        secret: SECRET.into(),
        timeout,
    }
}

#[tokio::test]
async fn every_notice_arrives_signed_though_the_gateway_fails_for_a_while() {
    let (gw, url) = gateway().await;
    let webhook = hook(&url, Duration::from_secs(5));
    let configured = webhook.clone();
    let app =
        TestApp::with_config(Clock::pinned(test_now()), |c| c.notify = Some(configured)).await;
    let (hr, campaign) = roster(&app, 3).await;
    let c0 = app.get("/api/v1/users?q=c0", &hr).await.expect(200)["items"][0]["id"].clone();
    app.patch(
        &format!("/api/v1/users/{c0}"),
        &hr,
        json!({"phone": "13900000000"}),
    )
    .await
    .expect(200);
    gw.failing.store(4, Ordering::SeqCst);
    app.post(
        &format!("/api/v1/campaigns/{campaign}/reminders"),
        &hr,
        json!({"target": "exam"}),
    )
    .await
    .expect(200);
    let http = outbox::client(&webhook);
    let mut now = test_now();
    for _ in 0..12 {
        outbox::deliver_due(app.db(), &http, &webhook, now)
            .await
            .unwrap();
        if gw.accepted.lock().unwrap().len() == 3 {
            break;
        }
        now += chrono::Duration::seconds(40);
    }
    let accepted: HashSet<i64> = gw.accepted.lock().unwrap().iter().copied().collect();
    assert_eq!(accepted.len(), 3, "every notice delivered");
    let seen = gw.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 7, "4 refused tries and 3 deliveries");
    for (signature, body) in &seen {
        assert!(valid(signature, body), "a bad signature: {signature}");
        let notice: Value = serde_json::from_slice(body).unwrap();
        assert!(
            notice["user"]["username"]
                .as_str()
                .unwrap()
                .starts_with('c')
        );
        assert!(notice["title"].as_str().unwrap().contains("学法提醒"));
        if notice["user"]["username"] == "c0" {
            assert_eq!(
                notice["user"]["phone"], "13900000000",
                "the gateway gets the phone"
            );
        }
    }

    // The admin's delivery log; HR may not read it.
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/notices/deliveries?status=delivered", &admin)
        .await
        .expect(200);
    assert_eq!(log["total"], 3);
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["attempts"].as_i64().unwrap() > 1)
    );
    assert_eq!(app.get("/api/v1/notices/deliveries", &hr).await.status, 403);

    // A gateway down for good: given up 24 hours after the notice, and said so.
    gw.failing.store(u32::MAX, Ordering::SeqCst);
    app.state.clock.set(now);
    let hr = app.token("hr", PASSWORD).await;
    app.post(
        &format!("/api/v1/campaigns/{campaign}/reminders"),
        &hr,
        json!({"target": "pass"}),
    )
    .await
    .expect(200);
    for _ in 0..200 {
        outbox::deliver_due(app.db(), &http, &webhook, now)
            .await
            .unwrap();
        now += chrono::Duration::minutes(30);
    }
    let failed = app
        .get("/api/v1/notices/deliveries?status=failed", &admin)
        .await
        .expect(200);
    assert_eq!(failed["total"], 3);
    assert_eq!(
        failed["items"][0]["last_error"],
        "the gateway answered 500 Internal Server Error"
    );
    // Delivered rows leave the outbox after a week; the log does not grow without bound.
    outbox::prune(app.db(), now + chrono::Duration::days(8))
        .await
        .unwrap();
    let left = app
        .get("/api/v1/notices/deliveries?status=delivered", &admin)
        .await
        .expect(200);
    assert_eq!(left["total"], 0);
}

#[tokio::test]
async fn a_gateway_that_never_answers_blocks_neither_requests_nor_the_worker() {
    let (gw, url) = gateway().await;
    gw.delay_ms.store(120_000, Ordering::SeqCst);
    let webhook = hook(&url, Duration::from_secs(1));
    let configured = webhook.clone();
    let app =
        TestApp::with_config(Clock::pinned(test_now()), |c| c.notify = Some(configured)).await;
    let (hr, campaign) = roster(&app, 2).await;
    app.post(
        &format!("/api/v1/campaigns/{campaign}/reminders"),
        &hr,
        json!({"target": "exam"}),
    )
    .await
    .expect(200);
    let http = outbox::client(&webhook);
    let round = tokio::time::timeout(
        Duration::from_secs(20),
        outbox::deliver_due(app.db(), &http, &webhook, test_now()),
    )
    .await
    .expect("a round ends within the webhook's timeout")
    .unwrap();
    assert_eq!((round.delivered, round.retrying), (0, 2));
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/notices/deliveries?status=pending", &admin)
        .await
        .expect(200);
    assert_eq!(
        log["items"][0]["last_error"],
        "the gateway did not answer in time"
    );
    // Requests go on while the worker waits on the gateway.
    let worker = tokio::spawn(api::delivery_worker(app.state.clone(), webhook));
    let c0 = app.token("c0", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/me/notices", &c0).await.expect(200)["total"],
        1
    );
    worker.abort();
}

#[tokio::test]
async fn a_server_killed_mid_delivery_delivers_everything_after_a_restart() {
    let (gw, url) = gateway().await;
    gw.delay_ms.store(700, Ordering::SeqCst);
    let app = TestApp::new().await;
    let (_, campaign) = roster(&app, 24).await;
    let database_url = app.database_url();
    let env = [
        ("XUEFA_NOTIFY_WEBHOOK", url.as_str()),
        ("XUEFA_NOTIFY_SECRET", SECRET),
        ("XUEFA_NOTIFY_TIMEOUT_SECS", "2"),
    ];
    let mut server = start_with(&database_url, free_port(), &env).await;
    // The binary runs on the real clock: sign in there.
    let client = reqwest::Client::new();
    let hr = login(&client, &server.base, "hr", PASSWORD).await;
    let sent = client
        .post(format!(
            "{}/api/v1/campaigns/{campaign}/reminders",
            server.base
        ))
        .bearer_auth(&hr)
        .json(&json!({"target": "exam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let notified = sent.json::<Value>().await.unwrap()["notified"]
        .as_u64()
        .unwrap();
    assert_eq!(notified, 24);
    // Kill it while deliveries are in flight.
    for _ in 0..100 {
        if gw.seen.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let before_restart = gw.accepted.lock().unwrap().len();
    assert!(before_restart < 24, "killed before it could finish");

    let mut server = start_with(&database_url, free_port(), &env).await;
    for _ in 0..300 {
        let accepted: HashSet<i64> = gw.accepted.lock().unwrap().iter().copied().collect();
        if accepted.len() == 24 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let accepted: HashSet<i64> = gw.accepted.lock().unwrap().iter().copied().collect();
    assert_eq!(
        accepted.len(),
        24,
        "every notice delivered (duplicates allowed, losses not)"
    );
    for (signature, body) in gw.seen.lock().unwrap().iter() {
        assert!(valid(signature, body));
    }
}
