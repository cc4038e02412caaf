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
    let dir = provider_dir()?;
    domain::services::outbox::install_tls_provider();
    let port = free_port();
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
/// on the person's page, signed in; someone without an account is told so in Chinese.
#[tokio::test]
async fn in_a_browser_a_cadre_signs_in_on_the_providers_page_and_lands_on_their_page() {
    use crate::browser::{self, Browser};
    if browser::available().is_none() {
        return;
    }
    let port = free_port();
    let Some((idp, _)) = start_idp(port, None).await else {
        return;
    };
    let (app, origin) = sso_app(port, &idp.issuer, |_, _| {}).await;
    app.make_user("zhangwei", &[Role::Cadre], None).await;
    // A browser each: the provider remembers who signed in to it.
    let mut last = None;
    for (who, password) in [("stranger", "idp-pass-3"), ("zhangwei", "idp-pass-1")] {
        let b = Browser::start(1280, 900).await;
        b.goto(&origin).await;
        let button = b.text("#sso-oidc").await;
        assert_eq!(button, "使用测试统一身份认证登录");
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
            .starts_with("#/me"),
        "on the cadre's own page"
    );
}

/// A stand-in in front of the provider (the issuer xuefa knows): passes every request
/// through, and while `tamper` is set changes one character of the ID token's signature in
/// the token endpoint's answer.
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
            let path = req
                .uri()
                .path_and_query()
                .map_or("/".to_owned(), |p| p.as_str().to_owned());
            let (method, headers) = (req.method().clone(), req.headers().clone());
            let body = req.into_body().into_vec().await.unwrap_or_default();
            let mut forward = client.request(method, format!("{target}{path}"));
            for (name, value) in &headers {
                if name != "content-length" {
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
    let admin = app.admin_token().await;
    let log = app
        .get("/api/v1/audit-log?action=login_failed&actor=sso", &admin)
        .await
        .expect(200);
    assert!(log.to_string().contains("ID token was refused"), "{log}");
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
