//! xuefa (学法): the HTTP service. `api_service()` builds the OpenAPI service (no database,
//! no environment: the spec test calls it); `app(state)` mounts it with the docs, the
//! spec and the middleware; `start(config)` connects, migrates and bootstraps.

pub mod auth;
pub mod config;
pub mod console;
pub mod contract;
pub mod error;
pub mod middleware;
pub mod net;
pub mod observe;
pub mod routes;
pub mod spec;
pub mod validate;
pub mod views;

pub use spec::{api, api_service, spec_json};

use std::{sync::Arc, time::Duration};

use config::HttpConfig;
use domain::{
    auth::JwtKeys,
    clock::Clock,
    config::Config,
    services::{
        self, exam::answer_writer::AnswerWriter, group_commit::WriterDb, live::LiveSessions,
        study::SessionWriter,
    },
    state::AppState,
};
use poem::{
    Endpoint, EndpointExt, IntoEndpoint, Route, Server, listener::TcpListener,
    middleware::CatchPanic,
};

/// The whole HTTP application.
pub fn app(state: AppState, http: HttpConfig) -> impl Endpoint {
    spec::install();
    observe::declare_http_metrics();
    let service = api_service();
    let docs = service.swagger_ui();
    let spec = poem::endpoint::make_sync(|_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(spec_json())
    });
    let max_body = (http.max_body_bytes, http.max_material_bytes);
    let console = || console::Console.with(poem::middleware::Compression::new());
    Route::new()
        .nest("/docs", docs)
        .at("/openapi.json", spec)
        .at("/metrics", poem::get(observe::metrics))
        .at("/assets/*path", console())
        .at("/vendor/*path", console())
        .nest("/", console::PageAtRoot(service.into_endpoint()))
        .around(observe::route_pattern)
        .around(middleware::limited_tokens)
        .around(move |ep, req| middleware::limit_body(ep, req, max_body))
        .around(middleware::media_type_parameters)
        // One boxed layer keeps the endpoint's type shallow enough for the compiler's
        // default recursion limit in the binary's release build.
        .boxed()
        .with(CatchPanic::new())
        .around(middleware::problem_middleware)
        // Outside the problem rewrite, so that refusals carry it too.
        .around(middleware::no_store)
        .around(observe::observe)
        .data(state)
        .data(http)
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
    services::outbox::install_tls_provider();
    let db = domain::db::connect(&config.database_url, config.db_pool).await?;
    domain::db::migrate(&db).await?;
    let secret = services::bootstrap::jwt_secret(&db, config.jwt_secret.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let generated = services::bootstrap::ensure_admin(
        &db,
        &config.security,
        config.admin_password.as_deref(),
        clock.now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let sealed = services::audit::seal_unchained(&db)
        .await
        .map_err(|e| e.to_string())?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "audit entries from before the hash chain were chained"
        );
    }
    if config.security.separation_of_duties {
        let tangled = services::users::duties::violations(&db)
            .await
            .map_err(|e| e.to_string())?;
        if !tangled.is_empty() {
            return Err(format!(
                "XUEFA_SEPARATION_OF_DUTIES=1, but these accounts hold admin or two of \
                 sysadmin, secadmin, auditor: {}. Run `xuefa separate-duties` first \
                 (see docs/SECURITY.md)",
                tangled.join(", ")
            )
            .into());
        }
    }
    let state = AppState {
        jwt: Arc::new(JwtKeys::rotated(
            secret.as_bytes(),
            config.jwt_previous_secret.as_deref().map(str::as_bytes),
        )),
        sessions: SessionWriter::start(WriterDb::for_database(&config.database_url, &db)).await?,
        answers: AnswerWriter::start(WriterDb::for_database(&config.database_url, &db)).await?,
        live: LiveSessions::new(config.heartbeat_seconds),
        db,
        config: Arc::new(config),
        clock,
    };
    Ok((state, generated))
}

/// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (up to 30 s).
pub async fn serve(state: AppState, http: HttpConfig) -> std::io::Result<()> {
    let bind = http.bind.clone();
    tokio::spawn(expiry_sweep(state.clone()));
    tokio::spawn(live_worker(state.clone()));
    if let Some(hook) = state.config.notify.clone() {
        tokio::spawn(delivery_worker(state.clone(), hook));
    }
    tracing::info!(%bind, "xuefa listening; API docs at /docs");
    let served = Server::new(TcpListener::bind(bind))
        .run_with_graceful_shutdown(
            app(state.clone(), http),
            shutdown_signal(),
            Some(Duration::from_secs(30)),
        )
        .await;
    // The live sessions' last heartbeats are kept for the next start.
    if let Err(e) = state.live.flush(&state.db).await {
        tracing::warn!(error = %e, "writing the live sessions at shutdown failed");
    }
    served
}

/// Writes the live study sessions held in memory twice an interval (so a crash loses at
/// most one interval of credit) and ends those silent for three intervals.
async fn live_worker(state: AppState) {
    let half = (state.live.heartbeat_seconds() as u64 * 500).max(1000);
    let mut tick = tokio::time::interval(Duration::from_millis(half));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = state.clock.now();
        match state
            .live
            .sweep(&state.db, &state.sessions, now, state.config.tz)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "ended silent live study sessions"),
            Err(e) => tracing::warn!(error = %e, "the live study sessions' write failed"),
        }
    }
}

/// Finishes exam attempts whose time ran out even if the cadre never comes back (each at
/// its deadline), sends the day's automatic reminders, and prunes the audit log past its
/// retention. Every instance may run it:
/// finishing is conditional and each reminder has a unique key, so one wins.
async fn expiry_sweep(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    let mut rounds: u64 = 0;
    loop {
        tick.tick().await;
        match services::exam::expire_due(&state.db, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "expired overdue exam attempts"),
            Err(e) => tracing::warn!(error = %e, "exam expiry sweep failed"),
        }
        let deliver = state.config.notify.is_some();
        let run = services::notices::ReminderRun {
            tz: state.config.tz,
            now: state.clock.now(),
            deliver,
        };
        match services::notices::remind_due(&state.db, run).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "sent automatic reminders"),
            Err(e) => tracing::warn!(error = %e, "automatic reminders failed"),
        }
        // Once an hour (and at start): audit entries past their retention go.
        rounds += 1;
        if rounds % 120 == 1 {
            let days = state.config.security.audit_retention_days;
            match services::audit::prune(&state.db, days, state.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, "pruned audit entries past retention"),
                Err(e) => tracing::warn!(error = %e, "audit pruning failed"),
            }
            if let Err(e) = services::sso::prune(&state.db, state.clock.now()).await {
                tracing::warn!(error = %e, "pruning finished provider sign-ins failed");
            }
        }
    }
}

/// Delivers notices from the outbox to the gateway, about once a second, and prunes what
/// was delivered long ago once an hour. Every instance may run it (see `services::outbox`).
pub async fn delivery_worker(state: AppState, hook: domain::config::Webhook) {
    let http = services::outbox::client(&hook);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut rounds: u64 = 0;
    loop {
        tick.tick().await;
        match services::outbox::deliver_due(&state.db, &http, &hook, state.clock.now()).await {
            Ok(r) if r.delivered + r.retrying > 0 => {
                tracing::info!(
                    delivered = r.delivered,
                    retrying = r.retrying,
                    "notice deliveries"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notice delivery failed"),
        }
        rounds += 1;
        if rounds.is_multiple_of(3600)
            && let Err(e) = services::outbox::prune(&state.db, state.clock.now()).await
        {
            tracing::warn!(error = %e, "pruning the outbox failed");
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
