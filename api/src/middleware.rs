//! Middleware: every refusal in one problem+json shape, and the body-size limit.
//! Errors that poem raises itself (unreadable bodies, missing tokens, unknown routes,
//! oversized bodies) are rewritten here into the shape handlers answer with.

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};

use crate::{error::Problem, spec::allowed_methods};

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_response(problem: Problem, retry_after: Option<&str>) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body =
        serde_json::to_vec(&poem_openapi::types::ToJSON::to_json(&problem)).unwrap_or_default();
    let mut builder = Response::builder()
        .status(status)
        .content_type(PROBLEM_JSON);
    if let Some(value) = retry_after {
        builder = builder.header("Retry-After", value);
    }
    builder.body(body)
}

/// The code and detail for an error status that poem produced on its own.
fn describe(status: StatusCode, message: &str) -> (StatusCode, &'static str, String) {
    match status {
        // The JSON was read but a field has the wrong type, a value outside its enum or
        // range, or is missing: an invalid field, not an unreadable body.
        StatusCode::BAD_REQUEST
            if [
                "verification failed",
                "occurred while parsing",
                "Expected input type",
                "failed to parse",
            ]
            .iter()
            .any(|m| message.contains(m)) =>
        {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                message.to_string(),
            )
        }
        StatusCode::BAD_REQUEST => (status, "bad_request", message.to_string()),
        StatusCode::UNAUTHORIZED => (
            status,
            "unauthorized",
            "a valid bearer token is required".into(),
        ),
        StatusCode::FORBIDDEN => (status, "forbidden", message.to_string()),
        StatusCode::NOT_FOUND => (status, "not_found", "no such resource".into()),
        StatusCode::METHOD_NOT_ALLOWED => (
            status,
            "method_not_allowed",
            "this method is not allowed on this path".into(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (status, "too_large", "the request body is too large".into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            StatusCode::BAD_REQUEST,
            "unsupported_media_type",
            message.to_string(),
        ),
        s if s.is_server_error() => (
            s,
            "internal",
            "the server failed to handle the request".into(),
        ),
        s => (s, "error", message.to_string()),
    }
}

/// Rewrites every error that did not come out of a handler as problem+json into one,
/// so clients see a single error shape whatever layer refused the request.
pub async fn problem_middleware<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let response = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => {
            if err.status().is_server_error() {
                tracing::error!(error = %err, "unhandled error");
            }
            err.into_response()
        }
    };
    let status = response.status();
    // Handlers answer in JSON (problem+json, or a documented JSON body such as
    // /readyz's 503); poem's own refusals are plain text and get rewritten.
    let is_json = response
        .content_type()
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON) || ct.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let message = response.into_body().into_string().await.unwrap_or_default();
    let (status, code, detail) = describe(status, &message);
    let mut response = problem_response(Problem::new(status, code, detail), retry_after.as_deref());
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed_methods(&path)
        && let Ok(value) = allow.parse()
    {
        response
            .headers_mut()
            .insert(poem::http::header::ALLOW, value);
    }
    Ok(response)
}

/// Refuses bodies larger than `max` bytes with 413, whether the size is declared in
/// `Content-Length` or only found out while reading a chunked body.
pub async fn limit_body<E: Endpoint>(
    next: E,
    mut req: Request,
    max: usize,
) -> poem::Result<Response> {
    let too_large = || poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE);
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => return Err(too_large()),
        Some(_) => {}
        // No declared length (a chunked body): read it, but no further than the limit.
        None if !matches!(
            *req.method(),
            poem::http::Method::GET | poem::http::Method::HEAD
        ) =>
        {
            let body = req
                .take_body()
                .into_bytes_limit(max)
                .await
                .map_err(|_| too_large())?;
            req.set_body(body);
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}
