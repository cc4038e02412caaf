//! Login, throttling, refresh rotation and reuse, logout, password change, token checks.

use domain::auth::{Claims, Role};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use crate::common::{PASSWORD, TEST_SECRET, TestApp};

#[tokio::test]
async fn login_right_and_wrong() {
    let app = TestApp::new().await;
    app.make_user("zhang", &[Role::Cadre], None).await;

    let ok = app.login("zhang", PASSWORD).await.expect(200);
    assert_eq!(ok["token_type"], "Bearer");
    assert_eq!(ok["expires_in"], 900);
    let token = ok["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", token).await.expect(200);
    assert_eq!(me["username"], "zhang");
    assert_eq!(me["roles"], json!(["cadre"]));
    assert!(me.get("password_hash").is_none());

    let wrong = app.login("zhang", "not-the-password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.headers["content-type"], "application/problem+json");
    assert_eq!(wrong.body["status"], 401);
    assert_eq!(wrong.body["code"], "unauthorized");
    // An unknown username gets exactly the same answer.
    let unknown = app.login("nobody", "not-the-password").await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.body["detail"], wrong.body["detail"]);

    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?action=login_failed", &admin)
        .await
        .expect(200);
    assert_eq!(log["total"], 2);
}

#[tokio::test]
async fn five_failures_throttle_the_username() {
    let app = TestApp::new().await;
    app.make_user("li", &[Role::Cadre], None).await;
    app.make_user("wang", &[Role::Cadre], None).await;
    for _ in 0..5 {
        app.login("li", "wrong-password").await.expect(401);
    }
    // Even the right password is refused while throttled.
    let throttled = app.login("li", PASSWORD).await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    let retry: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
    assert_eq!(throttled.body["code"], "throttled");
    // Another username is not affected.
    app.login("wang", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn the_throttle_lifts_fifteen_minutes_after_the_fifth_failure_by_the_servers_clock() {
    let app = TestApp::new().await;
    app.make_user("li", &[Role::Cadre], None).await;
    let start = crate::common::test_now();
    for minute in 0..5 {
        app.state
            .clock
            .set(start + chrono::Duration::minutes(minute));
        app.login("li", "wrong-password").await.expect(401);
    }
    // The fifth failure was at +4 min: the window holds five failures until +15 min after
    // the first, so at +14:59 the wait is one second.
    app.state
        .clock
        .set(start + chrono::Duration::seconds(14 * 60 + 59));
    let throttled = app.login("li", PASSWORD).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.headers["retry-after"], "1");
    app.state.clock.set(start + chrono::Duration::minutes(15));
    app.login("li", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn an_access_token_expires_fifteen_minutes_later_by_the_servers_clock() {
    let app = TestApp::new().await;
    let (_, token) = app.login_as("li", &[Role::Cadre]).await;
    let start = crate::common::test_now();
    // 15 minutes plus the 5-second leeway: still good.
    app.state
        .clock
        .set(start + chrono::Duration::seconds(15 * 60 + 5));
    app.get("/api/v1/me", &token).await.expect(200);
    app.state
        .clock
        .set(start + chrono::Duration::seconds(15 * 60 + 6));
    let expired = app.get("/api/v1/me", &token).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body["code"], "unauthorized");
}

#[tokio::test]
async fn a_success_before_the_limit_clears_the_failures() {
    let app = TestApp::new().await;
    app.make_user("zhao", &[Role::Cadre], None).await;
    for _ in 0..4 {
        app.login("zhao", "wrong-password").await.expect(401);
    }
    app.login("zhao", PASSWORD).await.expect(200);
    for _ in 0..4 {
        app.login("zhao", "wrong-password").await.expect(401);
    }
    app.login("zhao", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::new().await;
    app.make_user("sun", &[Role::Cadre], None).await;
    let first = app.login("sun", PASSWORD).await.expect(200);
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();

    let second = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": r1})),
        )
        .await
        .expect(200);
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    app.get("/api/v1/me", second["access_token"].as_str().unwrap())
        .await
        .expect(200);

    // The spent token no longer works, and presenting it revokes the whole family…
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": r1})),
    )
    .await
    .expect(401);
    // …so the token issued from it stops working too.
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": r2})),
    )
    .await
    .expect(401);

    // A separate login is a separate family and is unaffected.
    let other = app.login("sun", PASSWORD).await.expect(200);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": other["refresh_token"]})),
    )
    .await
    .expect(200);

    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": "garbage"})),
    )
    .await
    .expect(401);
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let app = TestApp::new().await;
    app.make_user("zhou", &[Role::Cadre], None).await;
    app.make_user("wu", &[Role::Cadre], None).await;
    let pair = app.login("zhou", PASSWORD).await.expect(200);
    let access = pair["access_token"].as_str().unwrap();
    let refresh = pair["refresh_token"].clone();

    // Logout needs the bearer token, and nobody can log out someone else's session.
    app.call(
        "POST",
        "/api/v1/auth/logout",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await
    .expect(401);
    let wu = app.token("wu", PASSWORD).await;
    app.call(
        "POST",
        "/api/v1/auth/logout",
        Some(&wu),
        Some(json!({"refresh_token": refresh})),
    )
    .await
    .expect(403);

    app.call(
        "POST",
        "/api/v1/auth/logout",
        Some(access),
        Some(json!({"refresh_token": refresh})),
    )
    .await
    .expect(204);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await
    .expect(401);
}

#[tokio::test]
async fn password_change_revokes_refresh_tokens() {
    let app = TestApp::new().await;
    app.make_user("qian", &[Role::Cadre], None).await;
    let pair = app.login("qian", PASSWORD).await.expect(200);
    let access = pair["access_token"].as_str().unwrap();

    let wrong = json!({"current_password": "nope-nope", "new_password": "Brand-New-Pass9"});
    app.call("POST", "/api/v1/me/password", Some(access), Some(wrong))
        .await
        .expect(401);
    let short = json!({"current_password": PASSWORD, "new_password": "short"});
    app.call("POST", "/api/v1/me/password", Some(access), Some(short))
        .await
        .expect(422);

    let good = json!({"current_password": PASSWORD, "new_password": "Brand-New-Pass9"});
    app.call("POST", "/api/v1/me/password", Some(access), Some(good))
        .await
        .expect(204);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": pair["refresh_token"]})),
    )
    .await
    .expect(401);
    app.login("qian", PASSWORD).await.expect(401);
    app.login("qian", "Brand-New-Pass9").await.expect(200);
}

#[tokio::test]
async fn disabled_accounts_can_neither_log_in_nor_refresh() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = app.make_user("feng", &[Role::Cadre], None).await;
    let pair = app.login("feng", PASSWORD).await.expect(200);
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.login("feng", PASSWORD).await.expect(401);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": pair["refresh_token"]})),
    )
    .await
    .expect(401);
}

/// Claims issued at the server's (pinned) now, expiring `exp_offset` seconds later.
fn claims(sub: i64, exp_offset: i64) -> Claims {
    let now = crate::common::test_now().timestamp();
    Claims {
        sub: sub.to_string(),
        username: "x".into(),
        roles: vec![Role::Admin],
        iat: now,
        exp: now + exp_offset,
        lim: None,
    }
}

fn b64(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // base64url without padding, enough for a hand-made token.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..(chunk.len() + 1) {
            out.write_char(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char)
                .unwrap();
        }
    }
    out
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let app = TestApp::new().await;
    let (id, good) = app.login_as("chen", &[Role::Cadre]).await;
    app.get("/api/v1/me", &good).await.expect(200);

    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes());
    let expired = encode(&Header::default(), &claims(id, -3600), &key).unwrap();
    let wrong_key = encode(
        &Header::default(),
        &claims(id, 600),
        &EncodingKey::from_secret(b"another-secret-another-secret-another"),
    )
    .unwrap();
    let hs512 = encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(id, 600),
        &key,
    )
    .unwrap();
    let payload = b64(serde_json::to_string(&claims(id, 600)).unwrap().as_bytes());
    let alg_none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), payload);
    // A valid token whose payload was swapped for an admin's claims.
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);

    for (what, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("HS512", hs512),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let reply = app.get("/api/v1/me", &token).await;
        assert_eq!(reply.status, 401, "{what} token was accepted");
        assert_eq!(reply.body["code"], "unauthorized", "{what}");
        assert_eq!(reply.headers["www-authenticate"], "Bearer", "{what}");
    }
    // No token at all.
    let none = app.call("GET", "/api/v1/me", None, None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    assert_eq!(none.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(
        app.call("GET", "/healthz", None, None).await.expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.call("GET", "/readyz", None, None).await.expect(200)["status"],
        "ok"
    );
    app.db().clone().close().await.unwrap();
    assert_eq!(
        app.call("GET", "/readyz", None, None).await.expect(503)["status"],
        "unavailable"
    );
}
