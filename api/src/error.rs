//! Errors. Services return [`AppError`] (no HTTP in it); handlers turn it into
//! [`ApiError`], the one problem+json response every operation documents.
//! Errors that poem raises itself (unreadable bodies, missing tokens, unknown routes,
//! oversized bodies) are rewritten into the same shape by [`problem_middleware`].

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};
use sea_orm::{DbErr, SqlErr};

/// One invalid field of a request (or of one line of an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct FieldError {
    /// The field's name as the client sent it (for an import: the column).
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
    /// For an uploaded file: the 1-based line the error is on (the header is line 1).
    #[oai(skip_serializing_if_is_none)]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }

    pub fn at_line(line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            line: Some(line),
        }
    }
}

/// The body of every error response (RFC 9457 `application/problem+json`).
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:xuefa:{code}`.
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A stable snake_case code the client can translate (`invalid_field`, `overlap`…).
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// The invalid fields, when there are any.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldError>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:xuefa:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            code: code.to_string(),
            detail: detail.into(),
            errors: None,
        }
    }
}

/// A failure in the domain, free of HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// Bad or missing credentials / token.
    Unauthorized(String),
    /// The caller's roles or ownership do not allow this.
    Forbidden(String),
    /// No such thing (or not visible to the caller).
    NotFound(String),
    /// The request clashes with what is stored (duplicate, overlap, still in use…).
    Conflict { code: &'static str, detail: String },
    /// One or more fields are invalid.
    Invalid {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Too many attempts; try again after this many seconds.
    Throttled { retry_after: u64 },
    /// The request body could not be read.
    BadRequest(String),
    /// The database failed; the cause is logged, not shown.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn invalid_many(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are invalid"),
        };
        AppError::Invalid { detail, errors }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        AppError::Forbidden(detail.into())
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        // SQLite reports some foreign-key failures with an extended code sea-orm does not
        // classify (1811); the message is stable on both databases.
        let text = err.to_string();
        let classified = err.sql_err().or_else(|| {
            (text.contains("FOREIGN KEY constraint failed")
                || text.contains("violates foreign key constraint"))
            .then(|| SqlErr::ForeignKeyConstraintViolation(text.clone()))
        });
        match classified {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(
                "duplicate",
                "a record with the same unique value already exists",
            ),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::conflict(
                "in_use",
                "the record refers to, or is referred to by, another record",
            ),
            _ => match err {
                DbErr::RecordNotFound(what) => AppError::NotFound(what),
                other => {
                    tracing::error!(error = %other, "database error");
                    AppError::Internal(other.to_string())
                }
            },
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The error responses of the API. Every operation lists these, so every status the
/// server can answer with is in the spec.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The body could not be read (not JSON, wrong types, unknown content type).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No token, an invalid or expired token, or wrong credentials.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The caller's roles or ownership do not allow this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such record.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request conflicts with stored data (duplicate, overlap, still in use).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is larger than the server accepts.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// One or more fields are invalid; `errors` lists them.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many failed attempts; retry after `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// The server failed; nothing about the cause is shown.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Unauthorized(detail) => ApiError::Unauthorized(Json(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                detail,
            ))),
            AppError::Forbidden(detail) => ApiError::Forbidden(Json(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                detail,
            ))),
            AppError::NotFound(detail) => ApiError::NotFound(Json(Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                detail,
            ))),
            AppError::Conflict { code, detail } => {
                ApiError::Conflict(Json(Problem::new(StatusCode::CONFLICT, code, detail)))
            }
            AppError::Invalid { detail, errors } => {
                let mut problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", detail);
                problem.errors = Some(errors);
                ApiError::Unprocessable(Json(problem))
            }
            AppError::Throttled { retry_after } => ApiError::TooManyRequests(
                Json(Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    format!("too many failed attempts; try again in {retry_after} seconds"),
                )),
                retry_after,
            ),
            AppError::BadRequest(detail) => ApiError::BadRequest(Json(Problem::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                detail,
            ))),
            AppError::Internal(_) => ApiError::Internal(Json(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed to handle the request",
            ))),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        AppError::from(err).into()
    }
}

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
        && let Some(allow) = crate::allowed_methods(&path)
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
