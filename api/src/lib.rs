//! xuefa (学法): the HTTP service. `api_service()` builds the OpenAPI service (no database,
//! no environment: the spec test calls it); `app(state)` mounts it with the docs, the
//! spec and the middleware; `start(config)` connects, migrates and bootstraps.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod routes;
pub mod services;
pub mod state;

use std::{sync::Arc, time::Duration};

use poem::{
    Endpoint, EndpointExt, Route, Server,
    listener::TcpListener,
    middleware::{CatchPanic, Tracing},
};
use poem_openapi::{OpenApi, OpenApiService};

use crate::{
    auth::JwtKeys,
    config::Config,
    state::{AppState, Clock},
};

/// Every operation of the API.
pub fn api() -> impl OpenApi {
    (
        routes::health::HealthApi,
        routes::auth::AuthApi,
        routes::units::UnitsApi,
        routes::users::UsersApi,
        routes::courses::CoursesApi,
        routes::campaigns::CampaignsApi,
        routes::study::StudyApi,
        routes::exam::ExamApi,
        routes::targets::TargetsApi,
        routes::activities::ActivitiesApi,
        routes::audit::AuditApi,
    )
}

/// The OpenAPI service: the spec is generated from these types.
pub fn api_service() -> OpenApiService<impl OpenApi, ()> {
    OpenApiService::new(api(), "xuefa", env!("CARGO_PKG_VERSION")).description(
        "学法: a government office's annual law-study programme (study, exam, the four 100% \
         targets) and its law-publicity records. Errors are `application/problem+json`.",
    )
}

/// The spec as pretty JSON, as served at `/openapi.json` and committed in
/// `openapi/openapi.json`.
pub fn spec_json() -> String {
    SPEC.clone()
}

static SPEC: std::sync::LazyLock<String> = std::sync::LazyLock::new(build_spec);

/// Path templates of the spec (segments, `None` for a parameter) and their methods.
/// Path segments (`None` for a parameter) and the methods served there.
type RouteTable = Vec<(Vec<Option<String>>, Vec<String>)>;

static ROUTES: std::sync::LazyLock<RouteTable> = std::sync::LazyLock::new(|| {
    let spec: serde_json::Value = serde_json::from_str(&SPEC).expect("the spec is JSON");
    let mut routes = Vec::new();
    for (path, ops) in spec["paths"].as_object().into_iter().flatten() {
        let segments = path
            .trim_matches('/')
            .split('/')
            .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
            .collect();
        let methods = ops
            .as_object()
            .into_iter()
            .flatten()
            .map(|(m, _)| m.to_uppercase())
            .collect();
        routes.push((segments, methods));
    }
    routes
});

/// The methods the API serves on `path` (for the `Allow` header of a 405).
pub fn allowed_methods(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut methods: Vec<String> = ROUTES
        .iter()
        .filter(|(segments, _)| {
            segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
        })
        .flat_map(|(_, m)| m.iter().cloned())
        .collect();
    if methods.is_empty() {
        return None;
    }
    methods.sort();
    methods.dedup();
    Some(methods.join(", "))
}

fn build_spec() -> String {
    let spec = api_service().spec();
    let mut value: serde_json::Value = serde_json::from_str(&spec).expect("the spec is JSON");
    mark_optional_fields_nullable(&mut value);
    let mut out = serde_json::to_string_pretty(&value).expect("JSON serialises");
    out.push('\n');
    out
}

/// poem-openapi writes `Option<T>` fields as optional but not nullable, while the server
/// sends (and accepts) `null` for them. OpenAPI 3.0 needs `nullable: true` to say so; a
/// `$ref` takes no siblings, so it is wrapped in `allOf`.
fn mark_optional_fields_nullable(spec: &mut serde_json::Value) {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    else {
        return;
    };
    // Enums are inlined with `null` among their values (3.0's reading of nullable enums).
    let enums: std::collections::HashMap<String, serde_json::Value> = schemas
        .iter()
        .filter(|(_, s)| s.get("enum").is_some())
        .map(|(name, s)| (format!("#/components/schemas/{name}"), s.clone()))
        .collect();
    for schema in schemas.values_mut() {
        let required: Vec<String> = schema
            .get("required")
            .and_then(|r| r.as_array())
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
            continue;
        };
        for (name, prop) in props.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let description = prop.get("description").cloned();
            if let Some(reference) = prop.get("$ref").and_then(|r| r.as_str()).map(str::to_owned) {
                let mut replaced = match enums.get(&reference) {
                    Some(en) => {
                        let mut inline = en.clone();
                        if let Some(values) = inline.get_mut("enum").and_then(|v| v.as_array_mut())
                        {
                            values.push(serde_json::Value::Null);
                        }
                        inline["nullable"] = serde_json::Value::Bool(true);
                        inline.as_object_mut().map(|o| o.remove("title"));
                        inline
                    }
                    None => serde_json::json!({"allOf": [{"$ref": reference}], "nullable": true}),
                };
                if let Some(desc) = description {
                    replaced["description"] = desc;
                }
                *prop = replaced;
            } else if let Some(obj) = prop.as_object_mut() {
                obj.insert("nullable".into(), serde_json::Value::Bool(true));
            }
        }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> impl Endpoint {
    let service = api_service();
    let docs = service.swagger_ui();
    let spec = poem::endpoint::make_sync(|_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(spec_json())
    });
    let max_body = state.config.max_body_bytes;
    Route::new()
        .nest("/docs", docs)
        .at("/openapi.json", spec)
        .nest("/", service)
        .around(move |ep, req| error::limit_body(ep, req, max_body))
        .with(CatchPanic::new())
        .around(error::problem_middleware)
        .with(Tracing)
        .data(state)
}

/// Connects, migrates, and prepares a fresh database (JWT secret, first admin).
/// Returns the state and, on a fresh database without `XUEFA_ADMIN_PASSWORD`, the
/// generated admin password.
pub async fn start(
    config: Config,
) -> Result<(AppState, Option<String>), Box<dyn std::error::Error>> {
    start_with_clock(config, Clock::system()).await
}

/// [`start`] with a given clock (tests pin it).
pub async fn start_with_clock(
    config: Config,
    clock: Clock,
) -> Result<(AppState, Option<String>), Box<dyn std::error::Error>> {
    let db = db::connect(&config.database_url, config.db_pool).await?;
    db::migrate(&db).await?;
    let secret = services::bootstrap::jwt_secret(&db, config.jwt_secret.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let generated = services::bootstrap::ensure_admin(&db, config.admin_password.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState {
        jwt: Arc::new(JwtKeys::new(secret.as_bytes())),
        sessions: (db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite)
            .then(|| services::study::SessionWriter::start(db.clone())),
        db,
        config: Arc::new(config),
        clock,
    };
    Ok((state, generated))
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (up to 30 s).
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let bind = state.config.bind.clone();
    tokio::spawn(expiry_sweep(state.clone()));
    tracing::info!(%bind, "xuefa listening; API docs at /docs");
    Server::new(TcpListener::bind(bind))
        .run_with_graceful_shutdown(app(state), shutdown_signal(), Some(Duration::from_secs(30)))
        .await
}

/// Finishes exam attempts whose time ran out even if the cadre never comes back (each at
/// its deadline). Every instance may run it: finishing is conditional, so one wins.
async fn expiry_sweep(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        match services::exam::expire_due(&state.db, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "expired overdue exam attempts"),
            Err(e) => tracing::warn!(error = %e, "exam expiry sweep failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
