//! What an operator sees of each request: an `X-Request-Id` (the client's, or a new one)
//! on every response, in the request's log lines and in a problem's `instance`; one log
//! line per request; the request metrics; and `GET /metrics`.

use std::{
    net::IpAddr,
    sync::{Arc, LazyLock, Mutex},
    time::Instant,
};

use domain::state::AppState;

use crate::config::HttpConfig;
use poem::{
    Endpoint, IntoResponse, PathPattern, Request, Response,
    http::{HeaderValue, StatusCode},
    web::Data,
};
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// The route template the router matched, passed from [`route_pattern`] (inside the
/// router's layers) out to [`observe`] (outside them: problem rewriting drops response
/// data).
#[derive(Clone, Default)]
struct MatchedRoute(Arc<Mutex<Option<Arc<str>>>>);

/// The client's request id when it is a sensible one (1–128 visible ASCII characters),
/// else a new UUID.
fn request_id(req: &Request) -> String {
    req.header(REQUEST_ID)
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The outermost layer: request id, log line, metrics.
pub async fn observe<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let matched = MatchedRoute::default();
    req.extensions_mut().insert(matched.clone());
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let mut response = next
        .call(req)
        .instrument(span.clone())
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(|e| e.into_response());
    if is_problem(&response) {
        response = with_instance(response, &id).await;
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status();
    let seconds = started.elapsed().as_secs_f64();
    let route = matched
        .0
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .unwrap_or_else(|| Arc::from("unmatched"));
    let route = crate::contract::route_template(&route);
    observe_request(route, &method, status.as_u16(), seconds);
    span.in_scope(|| {
        let ms = (seconds * 1000.0 * 100.0).round() / 100.0;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), ms, "request");
        } else {
            tracing::info!(status = status.as_u16(), ms, "request");
        }
    });
    Ok(response)
}

/// Just outside the router: notes the route template it matched.
pub async fn route_pattern<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let slot = req.extensions().get::<MatchedRoute>().cloned();
    let result = next.call(req).await.map(IntoResponse::into_response);
    let pattern = match &result {
        Ok(r) => r.data::<PathPattern>().map(|p| p.0.clone()),
        Err(e) => e.data::<PathPattern>().map(|p| p.0.clone()),
    };
    if let (Some(slot), Some(pattern)) = (slot, pattern)
        && let Ok(mut s) = slot.0.lock()
    {
        *s = Some(pattern);
    }
    result
}

fn is_problem(response: &Response) -> bool {
    response
        .content_type()
        .is_some_and(|ct| ct.starts_with("application/problem+json"))
}

/// The problem with `instance` naming this request (`urn:xuefa:request:{id}`).
async fn with_instance(response: Response, id: &str) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert(
                "instance".into(),
                serde_json::Value::String(format!("urn:xuefa:request:{id}")),
            );
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let mut response = Response::from_parts(parts, body.into());
    response
        .headers_mut()
        .remove(poem::http::header::CONTENT_LENGTH);
    response
}

/// `GET /metrics`: open to loopback clients (the client address as the login sees it,
/// through `XUEFA_TRUSTED_PROXIES`); from elsewhere only with `XUEFA_METRICS_TOKEN` as a
/// bearer token, and never when no token is set.
#[poem::handler]
pub async fn metrics(req: &Request, state: Data<&AppState>, http: Data<&HttpConfig>) -> Response {
    let client = crate::auth::client_address(req);
    let local = client.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let bearer = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "));
    let token_ok = match (&http.metrics_token, bearer) {
        // Digests compared, so the time taken says nothing about the token's characters.
        (Some(expected), Some(given)) => {
            domain::auth::sha256_hex(expected) == domain::auth::sha256_hex(given)
        }
        _ => false,
    };
    if !(local || token_ok) {
        return StatusCode::FORBIDDEN
            .with_body("metrics are served to loopback clients or with XUEFA_METRICS_TOKEN")
            .into_response();
    }
    Response::builder()
        .content_type(domain::metrics::CONTENT_TYPE)
        .body(domain::metrics::render(&state.db, state.config.db_pool))
}

/// The HTTP series of `/metrics`: requests by route template, method and status, and
/// latency by route. Registered in the domain's registry when the app is made, so they are
/// scraped from the first request on.
struct HttpMetrics {
    requests: prometheus::IntCounterVec,
    latency: prometheus::HistogramVec,
}

static HTTP: LazyLock<HttpMetrics> = LazyLock::new(|| {
    let requests = prometheus::IntCounterVec::new(
        prometheus::Opts::new(
            "xuefa_http_requests_total",
            "HTTP requests answered, by route template, method and status.",
        ),
        &["route", "method", "status"],
    )
    .expect("valid metric");
    let latency = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new(
            "xuefa_http_request_duration_seconds",
            "Time from a request's arrival to its response, by route template.",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["route"],
    )
    .expect("valid metric");
    let registry = domain::metrics::registry();
    registry
        .register(Box::new(requests.clone()))
        .expect("registered once");
    registry
        .register(Box::new(latency.clone()))
        .expect("registered once");
    HttpMetrics { requests, latency }
});

/// Registers the HTTP series (see [`HttpMetrics`]).
pub fn declare_http_metrics() {
    LazyLock::force(&HTTP);
}

/// Counts one answered request. `route` is the matched template (`/api/v1/campaigns/:id`),
/// never the raw path, so the number of series stays bounded.
fn observe_request(route: &str, method: &str, status: u16, seconds: f64) {
    HTTP.requests
        .with_label_values(&[route, method, &status.to_string()])
        .inc();
    HTTP.latency.with_label_values(&[route]).observe(seconds);
}
