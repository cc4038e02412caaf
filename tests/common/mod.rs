//! `TestApp`: a fresh database with the migrations applied, the app in-process, and
//! helpers to make accounts and call the API as them.

use std::sync::Once;

use api::config::HttpConfig;
use domain::{
    auth::{Actor, Role},
    clock::Clock,
    config::Config,
    services,
    state::AppState,
};
use poem::{EndpointExt, endpoint::BoxEndpoint, http::StatusCode, test::TestClient};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "correct-horse-9";

static NOTICE: Once = Once::new();

/// The tests' "now": 15 June 2026, noon in Beijing. The server's clock is pinned to it.
pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    "2026-06-15T04:00:00Z".parse().unwrap()
}

/// A time on the test day, Beijing time: `at("09:30")`.
pub fn at(hh_mm: &str) -> String {
    format!("2026-06-15T{hh_mm}:00+08:00")
}

/// A PostgreSQL database made for one test and dropped when the test ends.
/// A PostgreSQL database of the test's own, dropped with it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    /// A new empty database on the server of `base`; its URL.
    async fn create(base: String) -> (String, Self) {
        let name = format!("xuefa_t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&base)
            .await
            .expect("connect to XUEFA_TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (prefix, _) = base.rsplit_once('/').expect("a database URL ends in /name");
        let url = format!("{prefix}/{name}");
        (
            url,
            Self {
                admin_url: base,
                name,
            },
        )
    }
}

/// An empty database on the engine the tests run on (a restore's target): a new
/// PostgreSQL database, or a SQLite file in `dir` that does not exist yet. Its URL, and
/// the PostgreSQL database to drop when the test ends.
pub async fn empty_database(dir: &std::path::Path, name: &str) -> (String, Option<PgDatabase>) {
    match std::env::var("XUEFA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(base) => {
            let (url, pg) = PgDatabase::create(base).await;
            (url, Some(pg))
        }
        None => (
            format!("sqlite://{}?mode=rwc", dir.join(name).display()),
            None,
        ),
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async: a short-lived runtime on its own thread does the DROP.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub state: AppState,
    /// The HTTP server's settings (defaults unless a test changes them).
    pub http: HttpConfig,
    client: TestClient<BoxEndpoint<'static, poem::Response>>,
    _pg: Option<PgDatabase>,
    _dir: Option<tempfile::TempDir>,
}

/// A status and the JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    /// The body as text (lossy UTF-8): a CSV export, or the JSON as sent.
    pub text: String,
    pub headers: poem::http::HeaderMap,
}

impl Reply {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }
}

pub fn test_config(database_url: String) -> Config {
    Config {
        database_url,
        jwt_secret: Some(TEST_SECRET.into()),
        admin_password: Some("Gov-Intranet-2026".into()),
        db_pool: 8,
        security: plain_sign_in(),
        ..Config::default()
    }
}

/// The 等保 switches that would limit a fresh account's first token (a forced password
/// change, a second factor for administrators, expiry), turned off through their
/// documented variables: the tests of other features sign in with a password and go on.
/// The security tests (tests/security.rs) turn them back on.
pub fn plain_sign_in() -> domain::security::Security {
    let off = [
        ("XUEFA_FORCE_PASSWORD_CHANGE", "0"),
        ("XUEFA_2FA_REQUIRED_FOR", "none"),
        ("XUEFA_PASSWORD_MAX_AGE_DAYS", "0"),
    ];
    let vars = domain::config::Vars(|name: &str| {
        off.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    });
    domain::config::read_security(&vars).expect("the switches parse")
}

impl TestApp {
    /// A fresh app whose clock is pinned at [`test_now`].
    pub async fn new() -> Self {
        Self::with_clock(Clock::pinned(test_now())).await
    }

    /// A fresh app with the given clock (the browser tests use the system's: a browser's
    /// uploads carry real times).
    pub async fn with_clock(clock: Clock) -> Self {
        Self::with_config(clock, |_| {}).await
    }

    /// A fresh app with the given clock and the test configuration changed by `configure`.
    pub async fn with_config(clock: Clock, configure: impl FnOnce(&mut Config)) -> Self {
        Self::with_configs(clock, configure, |_| {}).await
    }

    /// A fresh app whose HTTP server settings are changed by `configure`.
    pub async fn with_http_config(clock: Clock, configure: impl FnOnce(&mut HttpConfig)) -> Self {
        Self::with_configs(clock, |_| {}, configure).await
    }

    async fn with_configs(
        clock: Clock,
        configure: impl FnOnce(&mut Config),
        configure_http: impl FnOnce(&mut HttpConfig),
    ) -> Self {
        let pg_base = std::env::var("XUEFA_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        NOTICE.call_once(|| match &pg_base {
            Some(_) => eprintln!("xuefa tests: running on PostgreSQL (XUEFA_TEST_DATABASE_URL)"),
            None => eprintln!(
                "xuefa tests: XUEFA_TEST_DATABASE_URL is not set, running on SQLite only; \
                 set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run on PostgreSQL"
            ),
        });
        let (url, pg, dir) = match pg_base {
            Some(base) => {
                let (url, pg) = PgDatabase::create(base).await;
                (url, Some(pg), None)
            }
            None => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                (url, None, Some(dir))
            }
        };
        let mut config = test_config(url);
        configure(&mut config);
        let (state, _) = api::start_with_clock(config, clock)
            .await
            .expect("the app starts");
        let mut http = HttpConfig {
            max_body_bytes: 1024 * 1024,
            ..HttpConfig::default()
        };
        configure_http(&mut http);
        let endpoint = api::app(state.clone(), http.clone())
            .map_to_response()
            .boxed();
        Self {
            state,
            http,
            client: TestClient::new(endpoint),
            _pg: pg,
            _dir: dir,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, path);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        Self::reply(req.send().await).await
    }

    /// [`call`](Self::call) from a device that names itself in `X-Device-Id`.
    pub async fn call_from(
        &self,
        device: &str,
        (method, path): (&str, &str),
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, path)
            .header("Authorization", format!("Bearer {token}"))
            .header("X-Device-Id", device);
        if let Some(b) = body {
            req = req.body_json(&b);
        }
        Self::reply(req.send().await).await
    }

    /// Sends raw bytes with a content type.
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let method = poem::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, path)
            .content_type(content_type)
            .body(body);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::reply(req.send().await).await
    }

    async fn reply(resp: poem::test::TestResponse) -> Reply {
        let status = resp.0.status();
        let headers = resp.0.headers().clone();
        let bytes = resp.0.into_body().into_vec().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        }
    }

    /// The raw body of a GET (for files), asserting 200.
    pub async fn bytes(&self, path: &str, token: &str) -> Vec<u8> {
        let resp = self
            .client
            .get(path)
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await;
        assert_eq!(resp.0.status(), StatusCode::OK);
        resp.0.into_body().into_vec().await.unwrap()
    }

    /// A GET with more headers, answered as status, headers and the raw body.
    pub async fn get_raw(
        &self,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, poem::http::HeaderMap, Vec<u8>) {
        let mut req = self
            .client
            .get(path)
            .header("Authorization", format!("Bearer {token}"));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await;
        let (status, headers) = (resp.0.status(), resp.0.headers().clone());
        (
            status,
            headers,
            resp.0.into_body().into_vec().await.unwrap(),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("POST", path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("PATCH", path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call("DELETE", path, Some(token), None).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Logs in and returns the access token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let body = self.login(username, password).await.expect(200);
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", "Gov-Intranet-2026").await
    }

    /// Makes an account with these roles (straight through the service) and returns its id.
    pub async fn make_user(&self, username: &str, roles: &[Role], unit_id: Option<i64>) -> i64 {
        self.make_scoped_user(username, roles, unit_id, None).await
    }

    /// [`make_user`](Self::make_user) with a data scope (管理范围) for its manager roles.
    pub async fn make_scoped_user(
        &self,
        username: &str,
        roles: &[Role],
        unit_id: Option<i64>,
        scope_unit_id: Option<i64>,
    ) -> i64 {
        let system = Actor {
            id: 0,
            username: "test".into(),
            roles: vec![Role::Admin],
        };
        let new = services::users::NewUser {
            username: username.into(),
            password: PASSWORD.into(),
            name: format!("{username} 同志"),
            roles: roles.to_vec(),
            unit_id,
            is_leader: false,
            employee_no: None,
            phone: None,
            active: true,
            scope_unit_id,
        };
        let scope = domain::policy::Scope::operator();
        services::users::create(
            self.db(),
            (&system, &self.state.config.security),
            &scope,
            new,
            self.state.clock.now(),
        )
        .await
        .expect("user created")
        .id
    }

    /// Makes an account with these roles and returns `(id, access token)`.
    pub async fn login_as(&self, username: &str, roles: &[Role]) -> (i64, String) {
        let id = self.make_user(username, roles, None).await;
        (id, self.token(username, PASSWORD).await)
    }

    pub async fn make_unit(
        &self,
        token: &str,
        name: &str,
        kind: &str,
        parent_id: Option<i64>,
    ) -> i64 {
        let body = self
            .post(
                "/api/v1/units",
                token,
                json!({"name": name, "kind": kind, "parent_id": parent_id}),
            )
            .await
            .expect(201);
        body["id"].as_i64().unwrap()
    }

    /// 新立街道 with one unit of each kind a level is counted from: the street, a
    /// department, a community, a village and a school.
    pub async fn make_street(&self, token: &str) -> StreetUnits {
        let street = self.make_unit(token, "新立街道", "street", None).await;
        let under = |name, kind| self.make_unit(token, name, kind, Some(street));
        StreetUnits {
            street,
            dept: under("综治办", "department").await,
            community: under("东丽湖社区", "community").await,
            village: under("赤土村", "village").await,
            school: under("新立小学", "school").await,
        }
    }
}

/// The units [`TestApp::make_street`] makes.
pub struct StreetUnits {
    pub street: i64,
    pub dept: i64,
    pub community: i64,
    pub village: i64,
    pub school: i64,
}

/// A campaign with courses, as the study and exam tests use it.
pub struct Campaign {
    pub id: i64,
    /// Compulsory, 60 minutes.
    pub law_course: i64,
    /// Optional, 30 minutes.
    pub extra_course: i64,
}

impl TestApp {
    pub async fn make_course(&self, token: &str, title: &str, minutes: i32) -> i64 {
        let body = self
            .post(
                "/api/v1/courses",
                token,
                json!({"title": title, "law": "宪法", "minutes": minutes}),
            )
            .await
            .expect(201);
        body["id"].as_i64().unwrap()
    }

    /// Year 2026, study all year, 80 minutes required; a compulsory 60-minute course and
    /// an optional 30-minute one; the exam in November.
    pub async fn make_campaign(&self, token: &str) -> Campaign {
        let law_course = self.make_course(token, "习近平法治思想", 60).await;
        let extra_course = self.make_course(token, "民法典", 30).await;
        let body = self
            .post(
                "/api/v1/campaigns",
                token,
                json!({
                    "year": 2026,
                    "title": "2026年度领导干部网上学法用法考试",
                    "study_starts_on": "2026-01-01",
                    "study_ends_on": "2026-12-31",
                    "required_minutes": 80,
                    "courses": [{"course_id": law_course, "compulsory": true}, {"course_id": extra_course, "compulsory": false}],
                    "exam_opens_at": "2026-11-01T00:00:00+08:00",
                    "exam_closes_at": "2026-12-01T00:00:00+08:00",
                    "duration_minutes": 60,
                    "question_count": 10,
                    "pass_score": 60,
                    "max_attempts": 2
                }),
            )
            .await
            .expect(201);
        Campaign {
            id: body["id"].as_i64().unwrap(),
            law_course,
            extra_course,
        }
    }

    /// The cadre holding `token` studies the campaign's two courses in full (an hour of
    /// the law course, half an hour of the other), on the day of [`test_now`].
    pub async fn study_all(&self, token: &str, campaign: &Campaign) {
        for (course, from, to) in [
            (campaign.law_course, "06:00", "07:00"),
            (campaign.extra_course, "07:00", "07:30"),
        ] {
            self.post(
                "/api/v1/study-sessions",
                token,
                session(campaign.id, course, from, to),
            )
            .await
            .expect(201);
        }
    }

    pub async fn enroll(&self, token: &str, campaign_id: i64, user_ids: &[i64]) {
        self.post(
            &format!("/api/v1/campaigns/{campaign_id}/enrollments"),
            token,
            json!({"user_ids": user_ids}),
        )
        .await
        .expect(200);
    }
}

/// A study session body.
pub fn session(campaign_id: i64, course_id: i64, from: &str, to: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(),
        "campaign_id": campaign_id,
        "course_id": course_id,
        "started_at": at(from),
        "ended_at": at(to),
    })
}

impl TestApp {
    /// Every domain row (not tokens, throttle or audit entries): equal before and after a
    /// refused request means nothing was stored or changed.
    pub async fn fingerprint(&self) -> Vec<Vec<Value>> {
        use entity::*;
        use sea_orm::EntityTrait;
        let db = self.db();
        vec![
            unit::Entity::find().into_json().all(db).await.unwrap(),
            user::Entity::find().into_json().all(db).await.unwrap(),
            course::Entity::find().into_json().all(db).await.unwrap(),
            campaign::Entity::find().into_json().all(db).await.unwrap(),
            campaign_course::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            enrollment::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            study_session::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            course_progress::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            live_session::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            question::Entity::find().into_json().all(db).await.unwrap(),
            attempt::Entity::find().into_json().all(db).await.unwrap(),
            attempt_question::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            activity::Entity::find().into_json().all(db).await.unwrap(),
            activity_theme::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            activity_attendee::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            mediation_case::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            legal_service::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            screening::Entity::find().into_json().all(db).await.unwrap(),
            petition::Entity::find().into_json().all(db).await.unwrap(),
            inspection::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            law_task::Entity::find().into_json().all(db).await.unwrap(),
            law_task_note::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            decision_review::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            legal_adviser::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            law_report::Entity::find()
                .into_json()
                .all(db)
                .await
                .unwrap(),
            pufa_duty::Entity::find().into_json().all(db).await.unwrap(),
        ]
    }

    /// The database URL the app runs on (to start the real binary against it).
    pub fn database_url(&self) -> String {
        self.state.config.database_url.clone()
    }
}

/// Serves `app` on a port of its own (for a browser, or for clients at other addresses)
/// and returns its origin, `http://127.0.0.1:PORT`.
pub async fn serve(app: &TestApp) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    serve_on(app, port).await
}

/// [`serve`] on a port chosen beforehand (an identity provider must know the callback's).
pub async fn serve_on(app: &TestApp, port: u16) -> String {
    let endpoint = api::app(app.state.clone(), app.http.clone());
    tokio::spawn(
        poem::Server::new(poem::listener::TcpListener::bind(format!(
            "127.0.0.1:{port}"
        )))
        .run(endpoint),
    );
    let origin = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        if reqwest::get(format!("{origin}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    origin
}
