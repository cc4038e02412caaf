//! Security for a real deployment: a lockout nobody can aim at a colleague, API answers
//! nobody caches, personal fields only for those who need them, CSV exports that never
//! run a formula.

use std::net::IpAddr;

use domain::{auth::Role, clock::Clock};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp, serve, test_now};

/// Logs in as `username` from the loopback address `from` (127.0.0.x: still this machine),
/// optionally through a proxy header; returns the status.
async fn login_from(
    origin: &str,
    from: &str,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> u16 {
    let client = reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{origin}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}));
    if let Some(chain) = forwarded {
        request = request.header("X-Forwarded-For", chain);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn wrong_passwords_from_one_machine_lock_that_machine_not_the_person() {
    let app = TestApp::new().await;
    app.make_user("li", &[Role::Cadre], None).await;
    let origin = serve(&app).await;
    for _ in 0..5 {
        assert_eq!(
            login_from(&origin, "127.0.0.2", None, "li", "wrong-password").await,
            401
        );
    }
    // From the colleague's machine, even the right password now waits…
    assert_eq!(
        login_from(&origin, "127.0.0.2", None, "li", PASSWORD).await,
        429
    );
    // …while li signs in from their own.
    assert_eq!(
        login_from(&origin, "127.0.0.3", None, "li", PASSWORD).await,
        200
    );
}

#[tokio::test]
async fn over_fifty_failures_from_everywhere_lock_the_username_everywhere() {
    let app = TestApp::new().await;
    app.make_user("li", &[Role::Cadre], None).await;
    let origin = serve(&app).await;
    // 51 guesses, four per address: no single address reaches its limit of five.
    let mut guesses = 0;
    for host in 10.. {
        for _ in 0..4 {
            if guesses == 51 {
                break;
            }
            let from = format!("127.0.0.{host}");
            assert_eq!(
                login_from(&origin, &from, None, "li", "wrong-password").await,
                401
            );
            guesses += 1;
        }
        if guesses == 51 {
            break;
        }
    }
    assert_eq!(
        login_from(&origin, "127.0.0.99", None, "li", PASSWORD).await,
        429
    );
    // Another username is not affected.
    app.make_user("wang", &[Role::Cadre], None).await;
    assert_eq!(
        login_from(&origin, "127.0.0.99", None, "wang", PASSWORD).await,
        200
    );
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_from_a_trusted_proxy() {
    let app = TestApp::with_http_config(Clock::pinned(test_now()), |h| {
        h.trusted_proxies = api::net::parse_trusted("127.0.0.1").unwrap();
    })
    .await;
    app.make_user("li", &[Role::Cadre], None).await;
    let origin = serve(&app).await;
    // Through the trusted proxy (127.0.0.1): each forwarded client counts on its own.
    for _ in 0..5 {
        assert_eq!(
            login_from(
                &origin,
                "127.0.0.1",
                Some("198.51.100.7"),
                "li",
                "wrong-password"
            )
            .await,
            401
        );
    }
    assert_eq!(
        login_from(&origin, "127.0.0.1", Some("198.51.100.7"), "li", PASSWORD).await,
        429
    );
    assert_eq!(
        login_from(&origin, "127.0.0.1", Some("198.51.100.8"), "li", PASSWORD).await,
        200
    );
    // From an untrusted peer the header is ignored: changing it changes nothing.
    for n in 0..5 {
        let claim = format!("203.0.113.{n}");
        assert_eq!(
            login_from(&origin, "127.0.0.2", Some(&claim), "li", "wrong-password").await,
            401
        );
    }
    assert_eq!(
        login_from(&origin, "127.0.0.2", Some("203.0.113.200"), "li", PASSWORD).await,
        429
    );
    let audit: Vec<String> = entity::audit_log::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "login_failed")
        .map(|e| e.summary)
        .collect();
    assert!(
        audit.iter().any(|s| s.ends_with("from 198.51.100.7")),
        "{audit:?}"
    );
    assert!(
        audit.iter().any(|s| s.ends_with("from 127.0.0.2")),
        "{audit:?}"
    );
}

#[tokio::test]
async fn api_answers_are_never_cached() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    for path in ["/api/v1/me", "/api/v1/units", "/api/v1/nothing"] {
        let reply = app.call("GET", path, Some(&admin), None).await;
        assert_eq!(reply.headers["cache-control"], "no-store", "{path}");
    }
    let refused = app.call("GET", "/api/v1/me", None, None).await;
    assert_eq!(refused.headers["cache-control"], "no-store");
}

use sea_orm::EntityTrait;

/// Every string in a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_cadre_never_receives_another_persons_employee_number() {
    let app = TestApp::new().await;
    let demo = demo::load(
        app.db(),
        &demo::DemoOptions {
            cadres: 12,
            sessions_per_cadre: 3,
            activities: 8,
            questions_per_attempt: 5,
            ..Default::default()
        },
        test_now(),
        app.state.config.tz,
    )
    .await
    .unwrap();
    let me = "gb00004";
    let token = app.token(me, demo::DEMO_PASSWORD).await;
    let others: Vec<String> = entity::user::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.username != me)
        .filter_map(|u| u.employee_no)
        .collect();
    assert!(others.len() > 10);
    // Every GET of the spec, with the demo's ids in its path.
    let spec: Value = serde_json::from_str(&api::spec_json()).unwrap();
    let other = entity::user::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "gb00005")
        .unwrap();
    let mut seen = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        if ops.get("get").is_none() || path.contains("export") {
            continue;
        }
        let url = path
            .replace("{user_id}", &other.id.to_string())
            .replace("{year}", &demo.year.to_string())
            .replace("{id}", &demo.campaign_id.to_string());
        let reply = app.call("GET", &url, Some(&token), None).await;
        let mut texts = Vec::new();
        strings(&reply.body, &mut texts);
        for number in &others {
            assert!(
                !texts.contains(number),
                "{url} shows another's employee number {number}"
            );
        }
        seen += 1;
    }
    assert!(seen > 20, "{seen} operations read");
    // What the cadre may read of themself still says it.
    let own = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(own["username"], me);
}

#[tokio::test]
async fn a_formula_in_a_name_comes_out_of_every_csv_export_as_text() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let admin = app.admin_token().await;
    let unit = app
        .make_unit(&admin, "=HYPERLINK(\"http://x\",\"点我\")", "street", None)
        .await;
    let id = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "evil", "password": PASSWORD, "name": "=HYPERLINK(\"http://x\",\"点我\")", "unit_id": unit}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.enroll(&hr, campaign.id, &[id]).await;
    for path in [
        format!(
            "/api/v1/campaigns/{}/targets/missing/export?target=study&format=csv",
            campaign.id
        ),
        format!(
            "/api/v1/campaigns/{}/targets/export?format=csv",
            campaign.id
        ),
    ] {
        let csv = String::from_utf8(app.bytes(&path, &hr).await).unwrap();
        assert!(csv.contains("'=HYPERLINK("), "{path}: {csv}");
        assert!(
            !csv.contains(",=HYPERLINK(") && !csv.contains("\n=HYPERLINK("),
            "{path}: {csv}"
        );
    }
}

#[tokio::test]
async fn every_export_and_list_of_people_is_in_the_audit_log_with_filters_and_rows() {
    let app = TestApp::new().await;
    let (_, hr) = app.login_as("hr", &[Role::Hr]).await;
    let campaign = app.make_campaign(&hr).await;
    let mut cadres = Vec::new();
    for n in 0..3 {
        cadres.push(app.make_user(&format!("c{n}"), &[Role::Cadre], None).await);
    }
    app.enroll(&hr, campaign.id, &cadres).await;
    let c = campaign.id;
    app.bytes(
        &format!("/api/v1/campaigns/{c}/targets/missing/export?target=study&format=csv"),
        &hr,
    )
    .await;
    app.bytes(
        &format!("/api/v1/campaigns/{c}/attempts/export?format=xlsx"),
        &hr,
    )
    .await;
    app.bytes(
        &format!("/api/v1/campaigns/{c}/targets/export?format=csv"),
        &hr,
    )
    .await;
    app.bytes("/api/v1/reports/annual/2026/export?format=text", &hr)
        .await;
    let listed = app.get("/api/v1/users?role=cadre", &hr).await.expect(200);
    app.get(&format!("/api/v1/campaigns/{c}/enrollments"), &hr)
        .await
        .expect(200);
    app.get(
        &format!("/api/v1/campaigns/{c}/targets/missing?target=exam"),
        &hr,
    )
    .await
    .expect(200);

    let admin = app.admin_token().await;
    let entries = |action: &str| {
        let app = &app;
        let admin = admin.clone();
        let action = action.to_owned();
        async move {
            app.get(&format!("/api/v1/audit-log?action={action}"), &admin)
                .await
                .expect(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["actor"].as_str().unwrap().to_owned(),
                        e["entity"].as_str().unwrap().to_owned(),
                        e["summary"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let exports = entries("export").await;
    let by = |list: &[(String, String, String)], what: &str| {
        list.iter()
            .find(|(_, e, _)| e == what)
            .cloned()
            .unwrap_or_else(|| panic!("no {what} in {list:?}"))
    };
    let missing = by(&exports, "missing");
    assert_eq!(missing.0, "hr");
    assert!(
        missing.2.contains(&format!("campaign={c}")) && missing.2.contains("target=study"),
        "{missing:?}"
    );
    assert!(missing.2.ends_with("; 3 rows"), "{missing:?}");
    assert!(by(&exports, "attempts").2.ends_with("; 0 rows"));
    by(&exports, "targets");
    by(&exports, "annual_report");
    let reads = entries("read_people").await;
    let users = by(&reads, "users");
    assert!(users.2.contains("role=cadre"), "{users:?}");
    // Written for people: never Rust's debug text.
    for (_, what, summary) in exports.iter().chain(&reads) {
        assert!(
            !summary.contains("Some(") && !summary.contains("None") && !summary.contains('{'),
            "{what}: {summary}"
        );
    }
    assert!(
        users.2.ends_with(&format!(
            "; {} rows",
            listed["items"].as_array().unwrap().len()
        )),
        "{users:?}"
    );
    assert!(by(&reads, "roster").2.ends_with("; 3 rows"));
    assert!(by(&reads, "missing").2.contains("target=exam"));
}
