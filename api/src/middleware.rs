//! Middleware: every refusal in one problem+json shape, and the body-size limit.
//! Errors that poem raises itself (unreadable bodies, missing tokens, unknown routes,
//! oversized bodies) are rewritten here into the shape handlers answer with.

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};

use crate::{
    contract::allowed_methods,
    error::{BEARER_CHALLENGE, FieldError, Problem},
};

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

/// A parameter poem-openapi could not read (`failed to parse parameter `per_page`: failed
/// to parse "PerPage": invalid digit…`), in plain words and named.
fn parameter_error(message: &str) -> Option<FieldError> {
    let (field, rest) = if let Some(rest) = message.strip_prefix("failed to parse parameter `") {
        rest.split_once('`')?
    } else if let Some(rest) = message.strip_prefix("failed to parse path `") {
        ("path", rest.split_once('`')?.1)
    } else {
        return None;
    };
    let reason = rest
        .split(" (occurred while parsing")
        .next()
        .unwrap_or(rest);
    let reason = reason.rsplit(": ").next().unwrap_or(reason).trim();
    use domain::error::{Code, FieldError as Error, Format};
    let wrong_type = |expected, message| {
        Error::new(field, Code::WrongType, message).with(|p| p.expected = Some(expected))
    };
    let error = if reason.contains("invalid digit") || reason.contains("number too large") {
        wrong_type(Format::Integer, "must be a whole number")
    } else if reason.contains("valid enumeration value") {
        Error::new(
            field,
            Code::UnknownValue,
            "is not one of the allowed values",
        )
    } else if reason.contains("expects an input value") || reason.is_empty() {
        Error::new(field, Code::Required, "is required")
    } else if let Some(bounds) = reason.strip_prefix("must be between ") {
        let (min, max) = bounds.split_once(" and ").unwrap_or((bounds, ""));
        Error::bounded(field, Code::OutOfRange, min.parse().ok(), max.parse().ok())
    } else if let Some(min) = reason.strip_prefix("must be at least ") {
        Error::bounded(field, Code::OutOfRange, min.parse().ok(), None)
    } else if reason.contains("provided string was not `true` or `false`") {
        wrong_type(Format::Boolean, "must be true or false")
    } else {
        Error::new(field, Code::BadFormat, reason.trim_end_matches('.'))
    };
    Some(error.into())
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
            status,
            "unsupported_media_type",
            "the operation does not read this content type".into(),
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
    let mut problem = Problem::new(status, code, detail);
    if status == StatusCode::UNPROCESSABLE_ENTITY
        && let Some(error) = parameter_error(&message)
    {
        problem.detail = format!("{}: {}", error.field, error.message);
        problem.errors = Some(vec![error]);
    }
    let mut response = problem_response(problem, retry_after.as_deref());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            poem::http::header::WWW_AUTHENTICATE,
            poem::http::HeaderValue::from_static(BEARER_CHALLENGE),
        );
    }
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
    (max, material_max): (usize, u64),
) -> poem::Result<Response> {
    let too_large = || poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE);
    // A course's PDF or video has a limit of its own, and is streamed into the database
    // as it arrives (the handler counts a body of no declared length).
    // (Its JSON form, an article or a link, keeps the ordinary limit.)
    let file = !req
        .content_type()
        .is_some_and(|ct| ct.starts_with("application/json"));
    if file && *req.method() == poem::http::Method::PUT && req.uri().path().ends_with("/material") {
        return match req
            .headers()
            .get(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            Some(len) if len > material_max => Err(too_large()),
            _ => next.call(req).await.map(IntoResponse::into_response),
        };
    }
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

/// The charset a client named for a CSV upload (`text/csv; charset=gbk`).
#[derive(Debug, Clone)]
pub struct Charset(pub String);

/// Media types arrive with parameters (`text/csv; charset=gbk`) from HTTP clients and
/// browsers. The operations declare bare `text/csv`, so the parameters are taken off here,
/// and the charset is kept for the handler that decodes the file.
pub async fn media_type_parameters<E: Endpoint>(
    next: E,
    mut req: Request,
) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(declared) = declared {
        let mut parts = declared.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence == "text/csv" {
            let charset = parts.find_map(|p| {
                let (key, value) = p.split_once('=')?;
                (key.trim().eq_ignore_ascii_case("charset"))
                    .then(|| value.trim().trim_matches('"').to_owned())
            });
            req.headers_mut().insert(
                poem::http::header::CONTENT_TYPE,
                poem::http::HeaderValue::from_static("text/csv"),
            );
            if let Some(charset) = charset {
                req.extensions_mut().insert(Charset(charset));
            }
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// API answers are personal and current: no cache keeps them (`Cache-Control: no-store`).
pub async fn no_store<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let api = req.uri().path().starts_with("/api/");
    let mut response = next.call(req).await.map(IntoResponse::into_response)?;
    if api {
        response.headers_mut().insert(
            poem::http::header::CACHE_CONTROL,
            poem::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

/// A limited access token (a password to change, a second factor to enrol first) reaches
/// only the operations its limit allows; every other answers 403 with the limit's code,
/// before the operation reads its parameters or body.
pub async fn limited_tokens<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if let Some(refused) = refused_by_limit(&req) {
        return Ok(refused);
    }
    next.call(req).await.map(IntoResponse::into_response)
}

fn refused_by_limit(req: &Request) -> Option<Response> {
    let path = req.uri().path().strip_prefix("/api/v1")?;
    let token = req
        .header("authorization")?
        .strip_prefix("Bearer ")
        .map(str::trim)?;
    let state = req.data::<domain::state::AppState>()?;
    let limit = state.jwt.verify(token, state.clock.now())?.lim?;
    if limit.allows(req.method().as_str(), path) {
        return None;
    }
    let detail = match limit {
        domain::auth::Limit::PasswordChange => {
            "change the password (POST /api/v1/me/password) before anything else"
        }
        domain::auth::Limit::TotpEnrollment => {
            "enrol a second factor (POST /api/v1/me/totp) before anything else"
        }
    };
    let problem = Problem::new(StatusCode::FORBIDDEN, limit.denial().key(), detail);
    Some(problem_response(problem, None))
}
