//! Account security for 等保 2.0 level 3, with the switches on as they are out of the
//! box: password rules on every path, the forced first change and expiry with the
//! limited token, idle sessions, two factors, separation of duties, the audit log's hash
//! chain, and what the owner is told at sign-in.

use domain::{
    auth::Role,
    clock::Clock,
    security::{Security, totp},
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::common::{PASSWORD, Reply, TestApp, test_now};

/// An app with the secure defaults (the tests of other features turn them off).
async fn secure_app() -> TestApp {
    secure_app_with(|_| {}).await
}

async fn secure_app_with(change: impl FnOnce(&mut Security)) -> TestApp {
    TestApp::with_config(Clock::pinned(test_now()), |c| {
        c.security = Security::default();
        change(&mut c.security);
    })
    .await
}

const ADMIN_PASSWORD: &str = "Gov-Intranet-2026";

async fn sign_in(app: &TestApp, username: &str, password: &str, code: Option<&str>) -> Reply {
    let mut body = json!({"username": username, "password": password});
    if let Some(code) = code {
        body["totp"] = json!(code);
    }
    app.call("POST", "/api/v1/auth/login", None, Some(body))
        .await
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn now_code(app: &TestApp, secret: &str) -> String {
    totp::code_at(secret, app.state.clock.now().timestamp()).unwrap()
}

/// Enrols a second factor for the holder of `token`; returns the secret and the
/// recovery codes. Moves the clock 30 s on, so the next code is a new one.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let started = app
        .post("/api/v1/me/totp", token, json!({}))
        .await
        .expect(200);
    let secret = started["secret"].as_str().unwrap().to_owned();
    assert!(
        started["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/xuefa%3A")
    );
    assert!(started["qr_svg"].as_str().unwrap().contains("<svg"));
    let confirmed = app
        .post(
            "/api/v1/me/totp/confirm",
            token,
            json!({"code": now_code(app, &secret)}),
        )
        .await
        .expect(200);
    let recovery: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::seconds(30));
    (secret, recovery)
}

/// Every other operation of the spec refuses the limited token with `code`, and changes
/// nothing.
async fn only_these(app: &TestApp, token: &str, allowed: &[(&str, &str)], code: &str) {
    let before = app.fingerprint().await;
    let mut refused = 0;
    for (method, path) in secured_operations() {
        if allowed.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        let reply = app.call(&method, &path, Some(token), Some(json!({}))).await;
        assert_eq!(
            reply.status.as_u16(),
            403,
            "{method} {path}: {}",
            reply.body
        );
        assert_eq!(reply.body["code"], code, "{method} {path}");
        refused += 1;
    }
    assert!(refused > 80, "{refused}");
    assert_eq!(
        app.fingerprint().await,
        before,
        "a limited token changed something"
    );
}

/// Every operation of the spec that takes a token, with its path's ids filled in.
fn secured_operations() -> Vec<(String, String)> {
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let mut ops = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            if op.get("security").is_none() || !path.starts_with("/api/v1") {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|s| if s.starts_with('{') { "1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            ops.push((method.to_uppercase(), concrete));
        }
    }
    ops
}

#[tokio::test]
async fn every_path_that_sets_a_password_names_each_broken_rule() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let weak = [
        ("Ab1-", vec!["too_short"]),
        ("abcdefgh42", vec!["password_classes"]),
        ("Wangfang-2026", vec!["password_has_username"]),
        ("P@ssw0rd", vec!["password_common"]),
        ("Admin@123", vec!["password_common"]),
        ("abc", vec!["too_short", "password_classes"]),
    ];
    for (password, expected) in &weak {
        let body = app
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": "wangfang", "password": password, "name": "王芳"}),
            )
            .await
            .expect(422);
        assert_eq!(codes(&body), *expected, "{password}");
    }
    assert_eq!(
        app.get("/api/v1/users?q=wangfang", &admin)
            .await
            .expect(200)["total"],
        0,
        "nothing stored"
    );
    // PATCH (a password set by someone else) and the roster import, line by line.
    let id = app.make_user("wangfang", &[Role::Cadre], None).await;
    let body = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"password": "qwertyuiop"}),
        )
        .await
        .expect(422);
    assert!(codes(&body).contains(&"password_classes".to_owned()));
    let csv = "用户名,姓名,密码\nzhaolei,赵磊,Zhaolei#2026\nsunli,孙丽,Str0ng-Enough\n";
    let body = app
        .call_raw(
            "POST",
            "/api/v1/users/import",
            Some(&admin),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await
        .expect(422);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["code"], "password_has_username");

    // The owner's change: the rules, then none of the last five.
    let token = app.token("wangfang", PASSWORD).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let body = app
        .post("/api/v1/me/password", &token, change(PASSWORD, "Password1"))
        .await
        .expect(422);
    assert_eq!(codes(&body), ["password_common"]);
    let body = app
        .post("/api/v1/me/password", &token, change(PASSWORD, PASSWORD))
        .await
        .expect(422);
    assert_eq!(codes(&body), ["password_reused"]);
    let mut current = PASSWORD.to_owned();
    for n in 1..=5 {
        let next = format!("River-Lamp-{n}{n}");
        app.post(
            "/api/v1/me/password",
            &token_for(&app, "wangfang", &current).await,
            change(&current, &next),
        )
        .await
        .expect(204);
        current = next;
    }
    // Five changes later the first password is out of the history; the second is not.
    let token = token_for(&app, "wangfang", &current).await;
    let body = app
        .post(
            "/api/v1/me/password",
            &token,
            change(&current, "River-Lamp-22"),
        )
        .await
        .expect(422);
    assert_eq!(codes(&body), ["password_reused"]);
    app.post("/api/v1/me/password", &token, change(&current, PASSWORD))
        .await
        .expect(204);

    // The vocabulary words every rule in Chinese.
    let vocab = app
        .call("GET", "/api/v1/vocabularies", None, None)
        .await
        .expect(200);
    let words = serde_json::to_string(&vocab["field_error_code"]).unwrap();
    for code in [
        "password_classes",
        "password_has_username",
        "password_common",
        "password_reused",
    ] {
        assert!(words.contains(code), "{code}");
    }
}

async fn token_for(app: &TestApp, username: &str, password: &str) -> String {
    app.token(username, password).await
}

#[tokio::test]
async fn a_weak_first_administrator_password_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let mut config = crate::common::test_config(url);
    config.admin_password = Some("admin123".into());
    let started = api::start_with_clock(config, Clock::pinned(test_now())).await;
    let err = started.err().expect("refused").to_string();
    assert!(err.contains("XUEFA_ADMIN_PASSWORD"), "{err}");
}

#[tokio::test]
async fn someone_elses_password_is_changed_first_and_the_limited_token_does_nothing_else() {
    let app = secure_app_with(|s| s.totp_required_for = Vec::new()).await;
    let admin = app.admin_token().await;
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "zhouqiang", "password": "Temp-Pass-7788", "name": "周强"}),
    )
    .await
    .expect(201);
    let signed = sign_in(&app, "zhouqiang", "Temp-Pass-7788", None)
        .await
        .expect(200);
    assert_eq!(signed["password_change_required"], true);
    assert_eq!(signed["totp_enrollment_required"], false);
    let limited = signed["access_token"].as_str().unwrap().to_owned();
    let allowed = [
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/me/password"),
        ("POST", "/api/v1/auth/logout"),
    ];
    let mut refused = 0;
    for (method, path) in secured_operations() {
        if allowed.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        let reply = app
            .call(&method, &path, Some(&limited), Some(json!({})))
            .await;
        assert_eq!(
            reply.status.as_u16(),
            403,
            "{method} {path}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["code"], "password_change_required",
            "{method} {path}"
        );
        refused += 1;
    }
    assert!(refused > 80, "{refused}");
    app.get("/api/v1/me", &limited).await.expect(200);
    // The change, then a full token; the refresh token of the limited session is gone.
    app.post(
        "/api/v1/me/password",
        &limited,
        json!({"current_password": "Temp-Pass-7788", "new_password": "Own-Choice-4321"}),
    )
    .await
    .expect(204);
    let signed = sign_in(&app, "zhouqiang", "Own-Choice-4321", None)
        .await
        .expect(200);
    assert_eq!(signed["password_change_required"], false);
    app.get(
        "/api/v1/campaigns",
        signed["access_token"].as_str().unwrap(),
    )
    .await
    .expect(200);

    // A reset by HR asks for a change again; the demo's accounts never are asked.
    let id = signed_in_id(&app, signed["access_token"].as_str().unwrap()).await;
    let reset = app
        .post(
            &format!("/api/v1/users/{id}/reset-password"),
            &admin,
            json!({}),
        )
        .await
        .expect(200);
    let one_time = reset["password"].as_str().unwrap();
    let signed = sign_in(&app, "zhouqiang", one_time, None).await.expect(200);
    assert_eq!(signed["password_change_required"], true);
}

async fn signed_in_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/me", token).await.expect(200)["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_password_expires_after_its_maximum_age() {
    let app = secure_app_with(|s| {
        s.totp_required_for = Vec::new();
        s.password_max_age_days = 90;
    })
    .await;
    app.make_user("chenjing", &[Role::Cadre], None).await;
    // Someone else set it: changed at once, which starts its 90 days.
    let first = sign_in(&app, "chenjing", PASSWORD, None).await.expect(200);
    app.post(
        "/api/v1/me/password",
        first["access_token"].as_str().unwrap(),
        json!({"current_password": PASSWORD, "new_password": "Spring-Rain-2026"}),
    )
    .await
    .expect(204);
    let me = app
        .get(
            "/api/v1/me",
            &app.token("chenjing", "Spring-Rain-2026").await,
        )
        .await
        .expect(200);
    assert!(
        me["password_expires_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-09-13T04:00:00"),
        "{me}"
    );
    app.state.clock.set(test_now() + chrono::Duration::days(89));
    let signed = sign_in(&app, "chenjing", "Spring-Rain-2026", None)
        .await
        .expect(200);
    assert_eq!(signed["password_change_required"], false);
    app.state.clock.set(test_now() + chrono::Duration::days(90));
    let signed = sign_in(&app, "chenjing", "Spring-Rain-2026", None)
        .await
        .expect(200);
    assert_eq!(signed["password_change_required"], true);
    let reply = app
        .get(
            "/api/v1/campaigns",
            signed["access_token"].as_str().unwrap(),
        )
        .await
        .expect(403);
    assert_eq!(reply["code"], "password_change_required");
}

#[tokio::test]
async fn a_session_left_idle_ends_and_says_so() {
    let app = secure_app_with(|s| s.totp_required_for = Vec::new()).await;
    let signed = sign_in(&app, "admin", ADMIN_PASSWORD, None)
        .await
        .expect(200);
    assert_eq!(signed["idle_timeout_minutes"], 30);
    let refresh = |token: &str| {
        let body = json!({"refresh_token": token});
        app.call("POST", "/api/v1/auth/refresh", None, Some(body))
    };
    // Used within 29 minutes: renewed, and the clock starts again from the renewal.
    app.state
        .clock
        .set(test_now() + chrono::Duration::minutes(29));
    let renewed = refresh(signed["refresh_token"].as_str().unwrap())
        .await
        .expect(200);
    app.state
        .clock
        .set(test_now() + chrono::Duration::minutes(58));
    let renewed = refresh(renewed["refresh_token"].as_str().unwrap())
        .await
        .expect(200);
    // Then 30 minutes without a request.
    app.state
        .clock
        .set(test_now() + chrono::Duration::minutes(88));
    let idle = refresh(renewed["refresh_token"].as_str().unwrap())
        .await
        .expect(401);
    assert_eq!(idle["code"], "session_expired");
}

#[tokio::test]
async fn two_factors_with_recovery_codes_and_no_replay() {
    let app = secure_app().await;
    // The administrator must enrol: the first token does only that.
    let signed = sign_in(&app, "admin", ADMIN_PASSWORD, None)
        .await
        .expect(200);
    assert_eq!(signed["totp_enrollment_required"], true);
    let limited = signed["access_token"].as_str().unwrap().to_owned();
    let allowed = [
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/me/password"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/me/totp"),
        ("POST", "/api/v1/me/totp/confirm"),
        ("DELETE", "/api/v1/me/totp"),
    ];
    only_these(&app, &limited, &allowed, "totp_enrollment_required").await;
    // A wrong first code does not enrol.
    app.post("/api/v1/me/totp", &limited, json!({}))
        .await
        .expect(200);
    let wrong = app
        .post(
            "/api/v1/me/totp/confirm",
            &limited,
            json!({"code": "000000"}),
        )
        .await
        .expect(422);
    assert_eq!(codes(&wrong), ["wrong_code"]);
    let (secret, recovery) = enrol(&app, &limited).await;
    assert_eq!(recovery.len(), 10);

    // Without a code, with a wrong one, with one from two steps ago, with another
    // account's: refused, each counted by the throttle.
    let missing = sign_in(&app, "admin", ADMIN_PASSWORD, None)
        .await
        .expect(401);
    assert_eq!(missing["code"], "totp_required");
    let t = app.state.clock.now().timestamp();
    let stale = totp::code_at(&secret, t - 60).unwrap();
    let other = totp::code_at(&totp::new_secret(), t).unwrap();
    for code in ["123456", stale.as_str(), other.as_str()] {
        if code == now_code(&app, &secret) {
            continue;
        }
        let body = sign_in(&app, "admin", ADMIN_PASSWORD, Some(code))
            .await
            .expect(401);
        assert_eq!(body["code"], "totp_invalid", "{code}");
    }
    // The current code works once; the same code again is refused (replay).
    let code = now_code(&app, &secret);
    let full = sign_in(&app, "admin", ADMIN_PASSWORD, Some(&code))
        .await
        .expect(200);
    assert_eq!(full["totp_enrollment_required"], false);
    let replay = sign_in(&app, "admin", ADMIN_PASSWORD, Some(&code))
        .await
        .expect(401);
    assert_eq!(replay["code"], "totp_invalid");
    // A recovery code signs in once (typed in capitals, without its dash).
    let typed = recovery[0].replace('-', "").to_uppercase();
    sign_in(&app, "admin", ADMIN_PASSWORD, Some(&typed))
        .await
        .expect(200);
    let spent = sign_in(&app, "admin", ADMIN_PASSWORD, Some(&recovery[0]))
        .await
        .expect(401);
    assert_eq!(spent["code"], "totp_invalid");
    // Wrong codes count with the throttle like wrong passwords: five in a row from this
    // address, and even the right code waits.
    for _ in 0..4 {
        sign_in(&app, "admin", ADMIN_PASSWORD, Some("999999"))
            .await
            .expect(401);
    }
    let throttled = sign_in(&app, "admin", ADMIN_PASSWORD, Some(&recovery[1]))
        .await
        .expect(429);
    assert_eq!(throttled["code"], "throttled");

    let audit = app
        .get(
            "/api/v1/audit-log?action=totp_enable",
            full["access_token"].as_str().unwrap(),
        )
        .await
        .expect(200);
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn a_security_administrator_resets_a_lost_second_factor_and_unlocks() {
    let app = secure_app_with(|s| {
        s.totp_required_for = vec![Role::Hr];
        s.force_password_change = false;
    })
    .await;
    let hr_id = app.make_user("hr1", &[Role::Hr], None).await;
    app.make_user("sec", &[Role::Secadmin], None).await;
    let hr = app.token("hr1", PASSWORD).await;
    enrol(&app, &hr).await;
    let sec = app.token("sec", PASSWORD).await;
    // Five wrong passwords lock hr1 at this address; the security administrator lifts it.
    for _ in 0..5 {
        sign_in(&app, "hr1", "Wrong-Pass-000", None)
            .await
            .expect(401);
    }
    sign_in(&app, "hr1", PASSWORD, None).await.expect(429);
    let unlocked = app
        .post(&format!("/api/v1/users/{hr_id}/unlock"), &sec, json!({}))
        .await
        .expect(200);
    assert_eq!(unlocked["failures_cleared"], 5);
    let asks = sign_in(&app, "hr1", PASSWORD, None).await.expect(401);
    assert_eq!(asks["code"], "totp_required");
    // The phone is lost: reset, and the next sign-in enrols again.
    let view = app
        .post(
            &format!("/api/v1/users/{hr_id}/reset-totp"),
            &sec,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(view["totp_enabled"], false);
    let signed = sign_in(&app, "hr1", PASSWORD, None).await.expect(200);
    assert_eq!(signed["totp_enrollment_required"], true);
    // HR itself may do neither.
    let refused = app
        .post(&format!("/api/v1/users/{hr_id}/unlock"), &hr, json!({}))
        .await;
    assert_eq!(refused.status.as_u16(), 403);
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?entity=user", &admin)
        .await
        .expect(200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "unlock",
        "totp_reset",
        "totp_enable",
        "login",
        "login_failed",
    ] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn me_tells_the_owner_of_the_last_sign_in_and_the_failures_since() {
    let app = TestApp::new().await;
    app.make_user("liuyang", &[Role::Cadre], None).await;
    let first = app.token("liuyang", PASSWORD).await;
    let me = app.get("/api/v1/me", &first).await.expect(200);
    assert_eq!(me["last_sign_in"], Value::Null);
    assert_eq!(me["failed_sign_ins_since_last"], 0);
    for _ in 0..2 {
        app.login("liuyang", "Not-The-Pass-1").await.expect(401);
    }
    app.state.clock.set(test_now() + chrono::Duration::hours(2));
    let second = app.token("liuyang", PASSWORD).await;
    let me = app.get("/api/v1/me", &second).await.expect(200);
    assert!(
        me["last_sign_in"]["at"]
            .as_str()
            .unwrap()
            .starts_with("2026-06-15T04:00:00"),
        "{me}"
    );
    assert_eq!(me["failed_sign_ins_since_last"], 2);
    // Signing out is recorded too.
    let body = app.login("liuyang", PASSWORD).await.expect(200);
    app.post(
        "/api/v1/auth/logout",
        body["access_token"].as_str().unwrap(),
        json!({"refresh_token": body["refresh_token"]}),
    )
    .await
    .expect(204);
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?actor=liuyang", &admin)
        .await
        .expect(200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"logout") && actions.contains(&"login"),
        "{actions:?}"
    );
    assert!(actions.contains(&"login_failed"), "{actions:?}");
}

#[tokio::test]
async fn separation_of_duties_keeps_three_administrators_apart() {
    let app = secure_app_with(|s| {
        s.totp_required_for = Vec::new();
        s.force_password_change = false;
    })
    .await;
    // One admin today; the command's work moves it to sysadmin and makes the other two.
    let done =
        domain::services::users::duties::separate(app.db(), ("secadmin", "auditor"), test_now())
            .await
            .unwrap();
    assert_eq!(done.converted, ["admin"]);
    assert_eq!(done.created.len(), 2);
    // Nobody is locked out: the former admin signs in with the same password.
    let sys = app.token("admin", ADMIN_PASSWORD).await;
    let secadmin_password = done.created[0].2.clone();
    let auditor_password = done.created[1].2.clone();
    let sec = app.token("secadmin", &secadmin_password).await;
    let auditor = app.token("auditor", &auditor_password).await;
    assert!(
        domain::services::users::duties::violations(app.db())
            .await
            .unwrap()
            .is_empty()
    );

    // The sysadmin makes accounts but grants no role beyond cadre; the secadmin grants.
    let made = app
        .post(
            "/api/v1/users",
            &sys,
            json!({"username": "newhr", "password": "Fresh-Start-99", "name": "新人"}),
        )
        .await
        .expect(201);
    let id = made["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/users/{id}"),
        &sys,
        json!({"roles": ["hr"]}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/users/{id}"),
        &sec,
        json!({"roles": ["hr"]}),
    )
    .await
    .expect(200);
    app.get("/api/v1/audit-log", &sys).await.expect(403);
    app.get("/api/v1/audit-log", &sec).await.expect(403);

    // The auditor reads and exports the log, and every write is refused.
    app.get("/api/v1/audit-log", &auditor).await.expect(200);
    app.get("/api/v1/audit-log/export?format=csv", &auditor)
        .await
        .expect(200);
    // Every write refused to the auditor: tests/attacks.rs tries each with a valid body.
}

#[tokio::test]
async fn separation_of_duties_refuses_two_roles_and_a_start_with_admin() {
    let app = TestApp::with_config(Clock::pinned(test_now()), |c| {
        c.security.separation_of_duties = true;
    })
    .await;
    // On an empty database the first administrator is the system administrator.
    let sys = app.admin_token().await;
    let me = app.get("/api/v1/me", &sys).await.expect(200);
    assert_eq!(me["roles"], json!(["sysadmin"]));
    app.make_user("sec", &[Role::Secadmin], None).await;
    let sec = app.token("sec", PASSWORD).await;
    let made = app
        .post(
            "/api/v1/users",
            &sys,
            json!({"username": "two", "password": "Fresh-Start-99", "name": "两职"}),
        )
        .await
        .expect(201);
    let id = made["id"].as_i64().unwrap();
    for roles in [json!(["sysadmin", "auditor"]), json!(["admin"])] {
        let body = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &sec,
                json!({"roles": roles}),
            )
            .await
            .expect(422);
        assert_eq!(body["code"], "separation_of_duties", "{roles}");
    }
    app.patch(
        &format!("/api/v1/users/{id}"),
        &sec,
        json!({"roles": ["auditor"]}),
    )
    .await
    .expect(200);
    // An installation still holding an `admin` account does not start with the switch on.
    let url = app.state.config.database_url.clone();
    app.db()
        .execute_unprepared("UPDATE users SET roles = 'admin' WHERE username = 'admin'")
        .await
        .unwrap();
    let mut config = crate::common::test_config(url);
    config.security.separation_of_duties = true;
    let err = api::start_with_clock(config, Clock::pinned(test_now()))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("xuefa separate-duties") && err.contains("admin"),
        "{err}"
    );
}

#[tokio::test]
async fn the_audit_log_is_a_hash_chain_that_shows_an_edit_and_survives_pruning() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let street = app.make_street(&admin).await.street;
    for n in 0..30 {
        app.post(
            "/api/v1/units",
            &admin,
            json!({"name": format!("第{n}社区"), "kind": "community", "parent_id": street}),
        )
        .await
        .expect(201);
    }
    let verified = domain::services::audit::verify(app.db()).await.unwrap();
    let domain::services::audit::Verified::Intact { checked, .. } = verified else {
        panic!("{verified:?}")
    };
    assert!(checked >= 36, "{checked}");
    // Retention below the six months is refused at start.
    let vars = domain::config::Vars(|n: &str| {
        (n == "XUEFA_AUDIT_RETENTION_DAYS").then(|| "90".to_owned())
    });
    let err = domain::config::read_security(&vars).unwrap_err();
    assert_eq!(err.variable, "XUEFA_AUDIT_RETENTION_DAYS");

    // A year and a half later the old entries go; the chain still checks out.
    app.state
        .clock
        .set(test_now() + chrono::Duration::days(400));
    let admin = app.admin_token().await;
    app.post(
        "/api/v1/units",
        &admin,
        json!({"name": "新社区", "kind": "community", "parent_id": street}),
    )
    .await
    .expect(201);
    let gone = domain::services::audit::prune(app.db(), 365, app.state.clock.now())
        .await
        .unwrap();
    assert!(gone >= 36, "{gone}");
    let verified = domain::services::audit::verify(app.db()).await.unwrap();
    assert!(
        matches!(verified, domain::services::audit::Verified::Intact { checked, .. } if checked >= 3),
        "{verified:?}"
    );
    let log = app
        .get("/api/v1/audit-log?action=prune", &admin)
        .await
        .expect(200);
    assert_eq!(log["total"], 1);

    // Nobody edits or deletes an entry through the API: no such operation exists.
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/audit-log") {
            let methods: Vec<&String> = methods.as_object().unwrap().keys().collect();
            assert_eq!(methods, ["get"], "{path}");
        }
    }

    // An entry edited with SQL is found, by its id.
    let row = app
        .db()
        .query_one_raw(Statement::from_string(
            app.db().get_database_backend(),
            "SELECT MIN(id) AS id FROM audit_log WHERE action = 'create'",
        ))
        .await
        .unwrap()
        .unwrap();
    let id: i64 = row.try_get("", "id").unwrap();
    app.db()
        .execute_unprepared(&format!(
            "UPDATE audit_log SET summary = 'nothing happened' WHERE id = {id}"
        ))
        .await
        .unwrap();
    let verified = domain::services::audit::verify(app.db()).await.unwrap();
    assert!(
        matches!(verified, domain::services::audit::Verified::Broken { id: at, .. } if at == id),
        "{verified:?}"
    );
}

/// In a real browser, at desktop and phone widths: a new HR account is taken straight to
/// the password change (the rules checked as it types), then to enrolling a second factor
/// with the QR code, shown its recovery codes, and brought to its work with 上次登录; it
/// then signs in with a code, and an idle session signs itself out and says why.
#[tokio::test]
async fn the_console_takes_a_new_account_through_its_first_things_and_signs_in_with_a_code() {
    use crate::browser::{self, Browser};
    if browser::available().is_none() {
        return;
    }
    let app = TestApp::with_config(Clock::system(), |c| {
        c.security = Security {
            totp_required_for: vec![Role::Hr],
            ..Security::default()
        };
    })
    .await;
    let admin = app.token("admin", ADMIN_PASSWORD).await;
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "xinhr", "password": "Given-By-Admin-1", "name": "新任人事", "roles": ["hr"]}),
    )
    .await
    .expect(201);
    let origin = crate::common::serve(&app).await;
    for (width, height) in [(1280, 900), (375, 800)] {
        let b = Browser::start(width, height).await;
        b.goto(&format!("{origin}/#/hr/roster")).await;
        b.type_into("input[name=username]", "xinhr").await;
        b.type_into(
            "input[name=password]",
            if width == 1280 {
                "Given-By-Admin-1"
            } else {
                "Chosen-By-Me-2026"
            },
        )
        .await;
        b.click("#login-form button[type=submit]").await;
        if width == 1280 {
            // The forced change, the rules in words as they are typed.
            b.text("#password-form").await;
            b.type_into("input[name=current_password]", "Given-By-Admin-1")
                .await;
            b.type_into("input[name=new_password]", "short").await;
            let rules = b.text("#password-rules").await;
            assert!(rules.contains("未满足"), "{rules}");
            let problems = b.accessibility_problems().await;
            assert!(problems.is_empty(), "axe-core: {problems:?}");
            b.fill("input[name=new_password]", "Chosen-By-Me-2026")
                .await;
            b.type_into("input[name=again]", "Chosen-By-Me-2026").await;
            b.until(
                "every rule met",
                "return !document.querySelector('#password-rules').innerText.includes('未满足');",
                json!([]),
            )
            .await;
            b.click("#password-form button[type=submit]").await;
        }
        // Then the second factor: the QR code drawn by the server, and the first code.
        b.text("#totp-form").await;
        b.until(
            "the QR code",
            "const i = document.querySelector('#totp-qr'); return i && i.complete && i.naturalWidth > 0;",
            json!([]),
        )
        .await;
        let problems = b.accessibility_problems().await;
        assert!(problems.is_empty(), "axe-core at {width}px: {problems:?}");
        if let Some(path) = screenshot_to(&format!("totp-enrol-{width}.png")) {
            b.screenshot(&path).await;
        }
        let secret = b.text("#totp-secret").await;
        let code = totp::code_at(secret.trim(), chrono::Utc::now().timestamp()).unwrap();
        b.type_into("#totp-form input[name=code]", &code).await;
        b.click("#totp-form button[type=submit]").await;
        let codes = b
            .until(
                "ten recovery codes",
                "const c = [...document.querySelectorAll('#recovery-codes code')]; return c.length === 10 && c.map((e) => e.innerText);",
                json!([]),
            )
            .await;
        b.click("#codes-saved").await;
        // Back to the page asked for, with 上次登录 said once.
        b.until(
            "the roster page, signed in",
            "return document.querySelector('header .who') && location.hash.startsWith('#/hr/roster');",
            json!([]),
        )
        .await;
        b.text("#last-sign-in").await;
        // Signed out, the next sign-in asks for a code (a recovery code works in its place).
        b.click("#sign-out").await;
        b.type_into("input[name=username]", "xinhr").await;
        b.type_into("input[name=password]", "Chosen-By-Me-2026")
            .await;
        b.click("#login-form button[type=submit]").await;
        b.until(
            "the code field",
            "return document.querySelector('input[name=totp]');",
            json!([]),
        )
        .await;
        b.type_into("input[name=totp]", codes[0].as_str().unwrap())
            .await;
        b.click("#login-form button[type=submit]").await;
        b.text("header .who").await;
        // Left idle, the session ends and the sign-in page says why.
        b.script(
            "const k = sessionStorage.getItem('xuefa.session') ? sessionStorage : localStorage; const s = JSON.parse(k.getItem('xuefa.session')); s.idle = 0.001; k.setItem('xuefa.session', JSON.stringify(s));",
            json!([]),
        )
        .await;
        let said = b.text("#session-ended").await;
        assert!(said.contains("未操作"), "{said}");
        // The phone's turn starts over with a second factor to enrol again.
        let id = app.get("/api/v1/users?q=xinhr", &admin).await.expect(200)["items"][0]["id"]
            .as_i64()
            .unwrap();
        app.post(&format!("/api/v1/users/{id}/reset-totp"), &admin, json!({}))
            .await
            .expect(200);
    }
}

pub(crate) fn screenshot_to(name: &str) -> Option<std::path::PathBuf> {
    std::env::var("XUEFA_SCREENSHOTS")
        .ok()
        .filter(|v| v == "1")?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join(name))
}
