//! Sign-in through the government's identity provider, against a real OpenID Provider:
//! node's `oidc-provider` (OpenID Certified), installed from the npm registry by the test
//! set-up (tests/oidc), with one client and a few accounts, started on loopback. The whole
//! flow over HTTP, and each way it must fail.

use std::{
    process::{Child, Command, Stdio},
    sync::OnceLock,
};

use domain::{
    auth::Role,
    clock::Clock,
    config::{MatchField, Oidc, Sso},
};
use serde_json::json;

use crate::common::{TestApp, serve_on};

/// tests/oidc with its packages installed (`npm ci`, once), or why not.
fn provider_dir() -> Option<std::path::PathBuf> {
    static READY: OnceLock<Result<std::path::PathBuf, String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        if Command::new("node").arg("--version").output().is_err() {
            return Err("node is not installed (apt-get install -y nodejs npm)".into());
        }
        if !dir.join("node_modules/oidc-provider").exists() {
            let npm = Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .map_err(|e| format!("npm: {e}"))?;
            if !npm.success() {
                return Err("npm ci in tests/oidc failed".into());
            }
        }
        Ok(dir)
    });
    match ready {
        Ok(dir) => Some(dir.clone()),
        Err(why) if std::env::var("XUEFA_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => {
            panic!("the identity provider tests cannot run: {why}")
        }
        Err(why) => {
            eprintln!("skipping the identity provider tests: {why}");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The provider, stopped when dropped.
pub struct Idp {
    child: Child,
    pub issuer: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider for a xuefa answering on `xuefa_port`; `issuer` when a proxy
/// stands in front of it.
async fn start_idp(xuefa_port: u16, issuer: Option<&str>) -> Option<(Idp, u16)> {
    start_idp_on(xuefa_port, issuer, free_port(), None).await
}

/// [`start_idp`] on a given port, signing with a fresh key named `key_id` when given.
async fn start_idp_on(
    xuefa_port: u16,
    issuer: Option<&str>,
    port: u16,
    key_id: Option<&str>,
) -> Option<(Idp, u16)> {
    let dir = provider_dir()?;
    domain::services::outbox::install_tls_provider();
    let redirect = format!("http://127.0.0.1:{xuefa_port}/api/v1/auth/oidc/callback");
    let mut command = Command::new("node");
    command
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(&redirect)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(issuer) = issuer {
        command.arg(issuer);
    }
    if let Some(kid) = key_id {
        command.env("XUEFA_TEST_KEY_ID", kid);
    }
    let child = command.spawn().expect("node starts");
    let issuer = issuer.map_or_else(|| format!("http://127.0.0.1:{port}"), str::to_owned);
    let idp = Idp { child, issuer };
    let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
    for _ in 0..100 {
        if reqwest::get(&discovery)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Some((idp, port));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the identity provider did not start");
}

/// xuefa configured for the provider, served on `port`, its clock pinned at the real now
/// (the provider's tokens carry real times) so that a test can move it.
async fn sso_app(
    port: u16,
    issuer: &str,
    change: impl FnOnce(&mut Oidc, &mut domain::security::Security),
) -> (TestApp, String) {
    let mut oidc = Oidc {
        issuer: issuer.to_owned(),
        client_id: "xuefa".into(),
        client_secret: Some("xuefa-test-secret".into()),
        scopes: vec!["profile".into(), "phone".into()],
        claim: "preferred_username".into(),
        field: MatchField::Username,
        name: "测试统一身份认证".into(),
        trust_mfa: false,
    };
    let app = TestApp::with_config(Clock::pinned(chrono::Utc::now()), |c| {
        change(&mut oidc, &mut c.security);
        c.sso = Sso {
            public_url: Some(format!("http://127.0.0.1:{port}")),
            oidc: Some(oidc),
            wecom: None,
            dingtalk: None,
        };
    })
    .await;
    let origin = serve_on(&app, port).await;
    (app, origin)
}

/// A browser's cookies for one site, by name.
#[derive(Default)]
struct Jar(std::collections::BTreeMap<String, String>);

impl Jar {
    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.0.insert(name.trim().into(), value.trim().into());
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// From xuefa's start to the provider's redirect back to xuefa, as a browser would: the
/// provider's sign-in page filled with `who` (and a one-time code when given). Returns the
/// callback address (not yet called).
async fn to_callback(origin: &str, return_to: &str, who: (&str, &str), otp: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = http
        .get(format!(
            "{origin}/api/v1/auth/oidc/start?return_to={}",
            urlencode(return_to)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302, "{}", start.text().await.unwrap());
    let mut url = location(&start);
    let mut jar = Jar::default();
    for _ in 0..10 {
        if url.starts_with(origin) {
            return url;
        }
        let answer = http
            .get(&url)
            .header("cookie", jar.header())
            .send()
            .await
            .unwrap();
        jar.keep(&answer);
        let base = reqwest::Url::parse(&url).unwrap();
        if answer.status().is_redirection() {
            url = base.join(&location(&answer)).unwrap().to_string();
            continue;
        }
        let page = answer.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no sign-in form: {page}"));
        let posted = http
            .post(base.join(action).unwrap())
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "login={}&password={}&otp={}",
                urlencode(who.0),
                urlencode(who.1),
                urlencode(otp)
            ))
            .send()
            .await
            .unwrap();
        jar.keep(&posted);
        url = base.join(&location(&posted)).unwrap().to_string();
    }
    panic!("the walk through the provider did not come back");
}

/// Calls xuefa's callback; the address it sends the browser to.
async fn call_back(url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    location(&answer)
}

fn sso_code(location: &str) -> String {
    location
        .split("#sso=")
        .nth(1)
        .unwrap_or_else(|| panic!("no code in {location}"))
        .to_owned()
}

async fn exchange(app: &TestApp, code: &str, totp: Option<&str>) -> crate::common::Reply {
    let mut body = json!({"code": code});
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    app.call("POST", "/api/v1/auth/sso/exchange", None, Some(body))
        .await
}

#[tokio::test]
async fn a_cadre_signs_in_through_the_provider_and_gets_xuefas_own_tokens() {
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let providers = app
        .call("GET", "/api/v1/auth/providers", None, None)
        .await
        .expect(200);
    assert_eq!(
        providers,
        json!([{"id": "oidc", "name": "测试统一身份认证"}])
    );

    let back = to_callback(&origin, "/?from=reminder", ("zhangwei", "idp-pass-1"), "").await;
    let landed = call_back(&back).await;
    assert!(landed.starts_with("/?from=reminder#sso="), "{landed}");
    let code = sso_code(&landed);
    let tokens = exchange(&app, &code, None).await.expect(200);
    let me = app
        .get("/api/v1/me", tokens["access_token"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(me["username"], "zhangwei");
    // The code is spent; the provider's tokens were never in any answer.
    let again = exchange(&app, &code, None).await.expect(401);
    assert_eq!(again["code"], "sso_invalid");
    assert!(!tokens.to_string().contains(&idp.issuer));
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?action=login&actor=zhangwei", &admin)
        .await
        .expect(200);
    assert!(
        log["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("测试统一身份认证"),
        "{log}"
    );
}

#[tokio::test]
async fn a_sign_in_through_the_provider_fails_safely_in_every_way() {
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let lina = app.make_user("lina", &[Role::Cadre], None).await;
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/users/{lina}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .expect(200);

    // Only paths of this server: no open redirect.
    for elsewhere in [
        "https://evil.example/",
        "//evil.example/x",
        "evil",
        "/\\evil",
    ] {
        let reply = app
            .call(
                "GET",
                &format!("/api/v1/auth/oidc/start?return_to={}", urlencode(elsewhere)),
                None,
                None,
            )
            .await
            .expect(422);
        assert_eq!(reply["errors"][0]["field"], "return_to", "{elsewhere}");
    }
    // Someone the provider knows but xuefa has no account for, and a disabled account.
    for who in [("stranger", "idp-pass-3"), ("lina", "idp-pass-2")] {
        let back = to_callback(&origin, "/", who, "").await;
        assert_eq!(
            call_back(&back).await,
            "/#/login?error=sso_no_account",
            "{}",
            who.0
        );
    }
    // A state used twice: the second return is refused.
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert!(call_back(&back).await.contains("#sso="));
    assert_eq!(call_back(&back).await, "/#/login?error=sso_invalid");
    // A nonce that does not match the one sent.
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    pending(&app, |s| s.nonce = sea_orm::Set("not-the-nonce".into())).await;
    assert_eq!(call_back(&back).await, "/#/login?error=sso_invalid");
    // An ID token read after it expired (the provider's live ten minutes).
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    let later = app.state.clock.now() + chrono::Duration::hours(2);
    pending(&app, |s| s.created_at = sea_orm::Set(later)).await;
    app.state.clock.set(later);
    assert_eq!(call_back(&back).await, "/#/login?error=sso_invalid");
    app.state.clock.set(chrono::Utc::now());
    // A state kept past its ten minutes.
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    app.state
        .clock
        .set(chrono::Utc::now() + chrono::Duration::minutes(11));
    assert_eq!(call_back(&back).await, "/#/login?error=sso_expired");
    app.state.clock.set(chrono::Utc::now());
    // A code exchanged after its 60 seconds.
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    let code = sso_code(&call_back(&back).await);
    app.state
        .clock
        .set(chrono::Utc::now() + chrono::Duration::seconds(61));
    let late = exchange(&app, &code, None).await.expect(401);
    assert_eq!(late["code"], "sso_expired");
    // Every failure is in the audit log with its reason.
    let log = app
        .get("/api/v1/audit-log?action=login_failed&actor=sso", &admin)
        .await
        .expect(200);
    assert!(log["total"].as_i64().unwrap() >= 6, "{log}");
    let text = log.to_string();
    for reason in ["no active account", "already used", "nonce", "expired"] {
        assert!(text.contains(reason), "{reason}: {text}");
    }
}

#[tokio::test]
async fn cadres_sign_in_only_through_the_provider_and_its_mfa_can_count_as_the_second_factor() {
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |oidc, security| {
        oidc.trust_mfa = true;
        security.password_login_roles = Some(vec![Role::Admin]);
        security.totp_required_for = vec![Role::Hr];
    })
    .await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    app.make_user("lina", &[Role::Hr], None).await;
    // A password for a cadre is refused with the reason; the administrator keeps one.
    let refused = app
        .login("zhangwei", crate::common::PASSWORD)
        .await
        .expect(401);
    assert_eq!(refused["code"], "password_login_disabled");
    app.admin_token().await;
    // HR must have two factors: the provider's `amr` with a one-time code meets it…
    let back = to_callback(&origin, "/", ("lina", "idp-pass-2"), "123456").await;
    let tokens = exchange(&app, &sso_code(&call_back(&back).await), None)
        .await
        .expect(200);
    assert_eq!(tokens["totp_enrollment_required"], false);
    // …a password alone at the provider does not.
    let back = to_callback(&origin, "/", ("lina", "idp-pass-2"), "").await;
    let tokens = exchange(&app, &sso_code(&call_back(&back).await), None)
        .await
        .expect(200);
    assert_eq!(tokens["totp_enrollment_required"], true);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Changes the sign-in still under way (its state not yet used), as someone with the
/// database could.
async fn pending(app: &TestApp, change: impl FnOnce(&mut entity::sso_state::ActiveModel)) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
    let row = entity::sso_state::Entity::find()
        .filter(entity::sso_state::Column::UsedAt.is_null())
        .one(app.db())
        .await
        .unwrap()
        .expect("a sign-in under way");
    let mut active: entity::sso_state::ActiveModel = row.into();
    change(&mut active);
    active.update(app.db()).await.unwrap();
}

/// In a real browser: the sign-in page's 使用…登录 button, the provider's own page, and back
/// on HR's dashboard, signed in; someone without an account is told so in Chinese.
#[tokio::test]
async fn in_a_browser_hr_signs_in_on_the_providers_page_and_lands_on_the_dashboard() {
    use crate::browser::{self, Browser};
    if browser::available().is_none() {
        return;
    }
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Hr], None).await;
    // A browser each: the provider remembers who signed in to it.
    let mut last = None;
    for (who, password) in [("stranger", "idp-pass-3"), ("zhangwei", "idp-pass-1")] {
        let b = Browser::start(1280, 900).await;
        b.goto(&origin).await;
        let button = b.text("#sso-oidc").await;
        assert_eq!(button, "使用测试统一身份认证登录");
        if let Some(path) = crate::account_security::screenshot_to("sso-sign-in.png") {
            b.screenshot(&path).await;
        }
        b.click("#sso-oidc").await;
        b.until(
            "the provider's sign-in page",
            "return document.querySelector('#idp-login');",
            json!([]),
        )
        .await;
        b.type_into("input[name=login]", who).await;
        b.type_into("input[name=password]", password).await;
        b.click("#idp-login button").await;
        if who == "stranger" {
            let said = b.text("#sso-refused").await;
            assert!(said.contains("没有找到与您对应的账号"), "{said}");
        }
        last = Some(b);
    }
    let b = last.unwrap();
    let who = b.text("header .who").await;
    assert!(who.contains("zhangwei 同志"), "{who}");
    assert!(
        b.script("return location.hash;", json!([]))
            .await
            .as_str()
            .unwrap()
            .starts_with("#/hr/targets"),
        "on HR's dashboard"
    );
    assert!(b.text("main").await.contains("学法活动"));
}

/// A stand-in in front of the provider (the issuer xuefa knows): passes every request
/// through, and while `tamper` is set changes one character of the ID token's signature in
/// the token endpoint's answer; a xuefa configured as the client `xuefa-typo` it presents
/// to the provider as `xuefa`.
async fn tampering_proxy(
    port: u16,
    provider_port: u16,
    tamper: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use poem::{EndpointExt, IntoResponse};
    let target = format!("http://127.0.0.1:{provider_port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let endpoint = poem::endpoint::make(move |req: poem::Request| {
        let (client, target, tamper) = (client.clone(), target.clone(), tamper.clone());
        async move {
            // A xuefa configured as `xuefa-typo` is passed off as the client `xuefa`, so
            // the provider signs ID tokens for another audience than xuefa expects.
            let path = req
                .uri()
                .path_and_query()
                .map_or("/".to_owned(), |p| p.as_str().to_owned())
                .replace("client_id=xuefa-typo", "client_id=xuefa");
            let (method, headers) = (req.method().clone(), req.headers().clone());
            let body = req.into_body().into_vec().await.unwrap_or_default();
            let mut forward = client.request(method, format!("{target}{path}"));
            for (name, value) in &headers {
                let typo = value == "Basic eHVlZmEtdHlwbzp4dWVmYS10ZXN0LXNlY3JldA==";
                if name == "authorization" && typo {
                    forward = forward.header(name, "Basic eHVlZmE6eHVlZmEtdGVzdC1zZWNyZXQ=");
                } else if name != "content-length" {
                    forward = forward.header(name, value);
                }
            }
            let answer = forward.body(body).send().await.unwrap();
            let (status, headers) = (answer.status(), answer.headers().clone());
            let mut bytes = answer.bytes().await.unwrap().to_vec();
            if path.starts_with("/token") && tamper.load(std::sync::atomic::Ordering::SeqCst) {
                let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let token = json["id_token"].as_str().unwrap().to_owned();
                let cut = token.rfind('.').unwrap() + 10;
                let flipped = if &token[cut..cut + 1] == "A" {
                    "B"
                } else {
                    "A"
                };
                json["id_token"] =
                    json!(format!("{}{flipped}{}", &token[..cut], &token[cut + 1..]));
                bytes = serde_json::to_vec(&json).unwrap();
            }
            let mut response = poem::Response::builder().status(status);
            for (name, value) in &headers {
                if name != "content-length" && name != "transfer-encoding" {
                    response = response.header(name, value);
                }
            }
            response.body(bytes).into_response()
        }
    });
    tokio::spawn(
        poem::Server::new(poem::listener::TcpListener::bind(format!(
            "127.0.0.1:{port}"
        )))
        .run(endpoint.map_to_response()),
    );
}

#[tokio::test]
async fn an_id_token_whose_signature_was_tampered_with_is_refused() {
    use std::sync::{Arc, atomic::AtomicBool, atomic::Ordering};
    let port = free_port();
    // The provider answers for the proxy's address: xuefa only ever talks to the proxy.
    let proxy_port = free_port();
    let issuer = format!("http://127.0.0.1:{proxy_port}");
    let Some((_idp, provider_port)) = start_idp(port, Some(&issuer)).await else {
        return;
    };
    let tamper = Arc::new(AtomicBool::new(false));
    tampering_proxy(proxy_port, provider_port, tamper.clone()).await;
    let (app, origin) = sso_app(port, &issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    // Through the proxy, untouched: signed in.
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert!(call_back(&back).await.contains("#sso="));
    // One character of the signature changed: refused, no code.
    tamper.store(true, Ordering::SeqCst);
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert_eq!(call_back(&back).await, "/#/login?error=sso_invalid");
    failure_audited(&app, "ID token was refused").await;
}

#[tokio::test]
async fn a_provider_that_rotated_its_keys_is_followed() {
    let port = free_port();
    let idp_port = free_port();
    let Some((idp, _)) = start_idp_on(port, None, idp_port, Some("key-2025")).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert!(call_back(&back).await.contains("#sso="));
    // The provider comes back signing with a new key; xuefa's cached keys lack it, so it
    // fetches them again and the sign-in goes through.
    drop(idp);
    let Some((_idp, _)) = start_idp_on(port, None, idp_port, Some("key-2026")).await else {
        return;
    };
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert!(call_back(&back).await.contains("#sso="));
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    let port = free_port();
    let proxy_port = free_port();
    let issuer = format!("http://127.0.0.1:{proxy_port}");
    let Some((_idp, provider_port)) = start_idp(port, Some(&issuer)).await else {
        return;
    };
    let tamper = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    tampering_proxy(proxy_port, provider_port, tamper).await;
    // xuefa believes it is `xuefa-typo`; the provider signs the token for `xuefa`.
    let (app, origin) = sso_app(port, &issuer, |oidc, _| {
        oidc.client_id = "xuefa-typo".into();
    })
    .await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    assert_eq!(call_back(&back).await, "/#/login?error=sso_invalid");
    failure_audited(&app, "audience").await;
}

#[tokio::test]
async fn an_account_with_its_own_second_factor_gives_its_code_at_the_exchange() {
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let token = app.token("zhangwei", crate::common::PASSWORD).await;
    let secret = app
        .post("/api/v1/me/totp", &token, json!({}))
        .await
        .expect(200)["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = || app.state.clock.now().timestamp();
    let code = domain::security::totp::code_at(&secret, now()).unwrap();
    app.post("/api/v1/me/totp/confirm", &token, json!({"code": code}))
        .await
        .expect(200);
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::seconds(30));
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    let one_time = sso_code(&call_back(&back).await);
    // Without the code: asked for it, and the one-time code is not spent.
    let asked = exchange(&app, &one_time, None).await.expect(401);
    assert_eq!(asked["code"], "totp_required");
    let code = domain::security::totp::code_at(&secret, now()).unwrap();
    exchange(&app, &one_time, Some(&code)).await.expect(200);
    let spent = exchange(&app, &one_time, Some(&code)).await.expect(401);
    assert_eq!(spent["code"], "sso_invalid");
    // A wrong second factor spends the one-time code: one guess, then through the provider
    // again.
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::seconds(30));
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    let one_time = sso_code(&call_back(&back).await);
    let wrong = exchange(&app, &one_time, Some("000000")).await.expect(401);
    assert_eq!(wrong["code"], "totp_invalid");
    let code = domain::security::totp::code_at(&secret, now()).unwrap();
    let gone = exchange(&app, &one_time, Some(&code)).await.expect(401);
    assert_eq!(gone["code"], "sso_invalid");
}

#[tokio::test]
async fn finished_sign_ins_are_pruned_a_day_later() {
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    let back = to_callback(&origin, "/", ("zhangwei", "idp-pass-1"), "").await;
    call_back(&back).await;
    let now = app.state.clock.now();
    let pruned = |at| domain::services::sso::prune(app.db(), at);
    assert_eq!(pruned(now).await.unwrap(), 0);
    // The state and the code, both.
    assert_eq!(pruned(now + chrono::Duration::hours(25)).await.unwrap(), 2);
}

/// A stand-in for 企业微信's and 钉钉's documented endpoints: their sign-in pages (which sign
/// in whoever `signed_in` names and send the browser back with a code), 企业微信's
/// `cgi-bin/gettoken` and `cgi-bin/auth/getuserinfo` (with its 42001 for an expired token),
/// and 钉钉's `v1.0/oauth2/userAccessToken` and `v1.0/contact/users/me` (with their error
/// answers).
#[derive(Default)]
struct Office {
    signed_in: std::sync::Mutex<String>,
    codes: std::sync::Mutex<std::collections::HashMap<String, String>>,
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
    expired: std::sync::Mutex<Vec<String>>,
    gettoken_calls: std::sync::atomic::AtomicUsize,
}

async fn office_stand_in(office: std::sync::Arc<Office>) -> String {
    use poem::{EndpointExt, IntoResponse, http::StatusCode};
    let port = free_port();
    let endpoint = poem::endpoint::make(move |req: poem::Request| {
        let office = office.clone();
        async move {
            let url = reqwest::Url::parse(&format!("http://stand-in{}", req.uri())).unwrap();
            let q: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            let token_header = req.header("x-acs-dingtalk-access-token").map(str::to_owned);
            let body = req.into_body().into_vec().await.unwrap_or_default();
            let json_answer = |status: StatusCode, v: serde_json::Value| {
                poem::Response::builder()
                    .status(status)
                    .content_type("application/json")
                    .body(v.to_string())
            };
            let new_code = |office: &Office| {
                let code = uuid::Uuid::new_v4().simple().to_string();
                let who = office.signed_in.lock().unwrap().clone();
                office.codes.lock().unwrap().insert(code.clone(), who);
                code
            };
            match url.path() {
                "/wwlogin/sso/login" | "/oauth2/auth" => {
                    let code = new_code(&office);
                    let name = if url.path() == "/oauth2/auth" {
                        "authCode"
                    } else {
                        "code"
                    };
                    let back = format!("{}?{name}={code}&state={}", q["redirect_uri"], q["state"]);
                    poem::Response::builder()
                        .status(StatusCode::FOUND)
                        .header("location", back)
                        .finish()
                }
                "/cgi-bin/gettoken" => {
                    office
                        .gettoken_calls
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if q.get("corpsecret").map(String::as_str) != Some("wecom-secret") {
                        return json_answer(
                            StatusCode::OK,
                            json!({"errcode": 40001, "errmsg": "invalid credential"}),
                        );
                    }
                    let token = uuid::Uuid::new_v4().simple().to_string();
                    office
                        .tokens
                        .lock()
                        .unwrap()
                        .insert(token.clone(), String::new());
                    json_answer(
                        StatusCode::OK,
                        json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}),
                    )
                }
                "/cgi-bin/auth/getuserinfo" => {
                    let token = q.get("access_token").cloned().unwrap_or_default();
                    if office.expired.lock().unwrap().contains(&token) {
                        return json_answer(
                            StatusCode::OK,
                            json!({"errcode": 42001, "errmsg": "access_token expired"}),
                        );
                    }
                    match office
                        .codes
                        .lock()
                        .unwrap()
                        .remove(q.get("code").map_or("", String::as_str))
                    {
                        Some(userid) => json_answer(
                            StatusCode::OK,
                            json!({"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": "t"}),
                        ),
                        None => json_answer(
                            StatusCode::OK,
                            json!({"errcode": 40029, "errmsg": "invalid code"}),
                        ),
                    }
                }
                "/v1.0/oauth2/userAccessToken" => {
                    let asked: serde_json::Value =
                        serde_json::from_slice(&body).unwrap_or_default();
                    if asked["clientSecret"] != "ding-secret" {
                        return json_answer(
                            StatusCode::BAD_REQUEST,
                            json!({"code": "InvalidClientSecret", "message": "bad secret"}),
                        );
                    }
                    match office
                        .codes
                        .lock()
                        .unwrap()
                        .remove(asked["code"].as_str().unwrap_or(""))
                    {
                        Some(mobile) => {
                            let token = uuid::Uuid::new_v4().simple().to_string();
                            office.tokens.lock().unwrap().insert(token.clone(), mobile);
                            json_answer(
                                StatusCode::OK,
                                json!({"accessToken": token, "refreshToken": "r", "expireIn": 7200, "corpId": "ding-corp"}),
                            )
                        }
                        None => json_answer(
                            StatusCode::BAD_REQUEST,
                            json!({"code": "InvalidAuthCode", "message": "the auth code is invalid"}),
                        ),
                    }
                }
                "/v1.0/contact/users/me" => {
                    let mobile =
                        token_header.and_then(|t| office.tokens.lock().unwrap().get(&t).cloned());
                    match mobile {
                        Some(mobile) => json_answer(
                            StatusCode::OK,
                            json!({"nick": "某人", "unionId": "u1", "openId": "o1", "mobile": mobile, "stateCode": "86"}),
                        ),
                        None => json_answer(
                            StatusCode::UNAUTHORIZED,
                            json!({"code": "InvalidAuthentication", "message": "token invalid"}),
                        ),
                    }
                }
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    tokio::spawn(
        poem::Server::new(poem::listener::TcpListener::bind(format!(
            "127.0.0.1:{port}"
        )))
        .run(endpoint.map_to_response()),
    );
    let origin = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        if reqwest::get(format!("{origin}/none")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    origin
}

/// From xuefa's start through an office app's sign-in page back to xuefa's callback (not
/// yet called).
async fn office_callback(origin: &str, provider: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = http
        .get(format!("{origin}/api/v1/auth/{provider}/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302);
    let page = http.get(location(&start)).send().await.unwrap();
    assert_eq!(page.status(), 302);
    location(&page)
}

#[tokio::test]
async fn wecom_and_dingtalk_sign_in_through_their_documented_endpoints() {
    use domain::config::OfficeApp;
    use std::sync::{Arc, atomic::Ordering};
    domain::services::outbox::install_tls_provider();
    let office = Arc::new(Office::default());
    let stand_in = office_stand_in(office.clone()).await;
    let port = free_port();
    let app = TestApp::with_config(Clock::pinned(chrono::Utc::now()), |c| {
        c.sso = Sso {
            public_url: Some(format!("http://127.0.0.1:{port}")),
            oidc: None,
            wecom: Some(OfficeApp {
                client_id: "ww-corp".into(),
                agent_id: Some("1000002".into()),
                secret: "wecom-secret".into(),
                api_base: stand_in.clone(),
                authorize_url: format!("{stand_in}/wwlogin/sso/login"),
                field: MatchField::EmployeeNo,
                name: "企业微信".into(),
            }),
            dingtalk: Some(OfficeApp {
                client_id: "ding-app".into(),
                agent_id: None,
                secret: "ding-secret".into(),
                api_base: stand_in.clone(),
                authorize_url: format!("{stand_in}/oauth2/auth"),
                field: MatchField::Phone,
                name: "钉钉".into(),
            }),
        };
    })
    .await;
    let origin = serve_on(&app, port).await;
    let admin = app.admin_token().await;
    app.post(
        "/api/v1/users",
        &admin,
        json!({"username": "wangfang", "password": "Study-Law-123", "name": "王芳", "employee_no": "1001", "phone": "13900000001"}),
    )
    .await
    .expect(201);
    let providers = app
        .call("GET", "/api/v1/auth/providers", None, None)
        .await
        .expect(200);
    assert_eq!(
        providers,
        json!([{"id": "wecom", "name": "企业微信"}, {"id": "dingtalk", "name": "钉钉"}])
    );
    let me = |tokens: serde_json::Value| {
        let app = &app;
        async move {
            app.get("/api/v1/me", tokens["access_token"].as_str().unwrap())
                .await
                .expect(200)["username"]
                .clone()
        }
    };

    // 企业微信: the userid is the employee number.
    *office.signed_in.lock().unwrap() = "1001".into();
    let landed = call_back(&office_callback(&origin, "wecom").await).await;
    let tokens = exchange(&app, &sso_code(&landed), None).await.expect(200);
    assert_eq!(me(tokens).await, "wangfang");
    // The app's access token expired (42001): fetched again, and the sign-in goes through.
    let issued: Vec<String> = office.tokens.lock().unwrap().keys().cloned().collect();
    office.expired.lock().unwrap().extend(issued);
    let before = office.gettoken_calls.load(Ordering::SeqCst);
    let landed = call_back(&office_callback(&origin, "wecom").await).await;
    assert!(landed.contains("#sso="), "{landed}");
    assert_eq!(office.gettoken_calls.load(Ordering::SeqCst), before + 1);
    // Someone of the organisation without an account here.
    *office.signed_in.lock().unwrap() = "9999".into();
    let landed = call_back(&office_callback(&origin, "wecom").await).await;
    assert_eq!(landed, "/#/login?error=sso_no_account");

    // 钉钉: the mobile number is the account's phone.
    *office.signed_in.lock().unwrap() = "13900000001".into();
    let landed = call_back(&office_callback(&origin, "dingtalk").await).await;
    let tokens = exchange(&app, &sso_code(&landed), None).await.expect(200);
    assert_eq!(me(tokens).await, "wangfang");
    // A code 钉钉 does not know (its 400 InvalidAuthCode): refused, no code of ours.
    let back = office_callback(&origin, "dingtalk").await;
    let state = back.split("state=").nth(1).unwrap().to_owned();
    let bogus = format!("{origin}/api/v1/auth/dingtalk/callback?authCode=not-a-code&state={state}");
    assert_eq!(call_back(&bogus).await, "/#/login?error=sso_invalid");
    // A 企业微信 state brought back to 钉钉's callback.
    let back = office_callback(&origin, "wecom").await;
    let state = back.split("state=").nth(1).unwrap().to_owned();
    let crossed = format!("{origin}/api/v1/auth/dingtalk/callback?authCode=x&state={state}");
    assert_eq!(call_back(&crossed).await, "/#/login?error=sso_invalid");
    let log = app
        .get("/api/v1/audit-log?action=login&actor=wangfang", &admin)
        .await
        .expect(200);
    let text = log.to_string();
    assert!(text.contains("企业微信") && text.contains("钉钉"), "{text}");
}

/// The audit log holds a failed provider sign-in whose reason says `reason`.
async fn failure_audited(app: &TestApp, reason: &str) {
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?action=login_failed&actor=sso", &admin)
        .await
        .expect(200);
    assert!(log.to_string().contains(reason), "{reason}: {log}");
}
