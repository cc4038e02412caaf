//! Errors over HTTP. Services return the domain's [`AppError`]; handlers turn it into
//! [`ApiError`], the one problem+json response every operation documents.
//! Errors that poem raises itself (unreadable bodies, missing tokens, unknown routes,
//! oversized bodies) are rewritten into the same shape by [`problem_middleware`].

use domain::error::Code;
pub use domain::error::{AppError, AppResult};
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Enum, Object, payload::Json};
use sea_orm::DbErr;

/// One invalid field of a request (or of one line of an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct FieldError {
    /// The field's name as the client sent it (for an import: the column).
    pub field: String,
    /// What is wrong with it, as a stable code; `GET /api/v1/vocabularies` words each
    /// in Chinese (`field_error_code`).
    pub code: FieldErrorCode,
    /// The code's parameters (which ones, each code says).
    pub params: FieldErrorParams,
    /// What is wrong with it, in plain English.
    pub message: String,
    /// For an uploaded file: the 1-based line the error is on (the header is line 1).
    #[oai(skip_serializing_if_is_none)]
    pub line: Option<u64>,
}

/// The parameters of a field error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Object)]
pub struct FieldErrorParams {
    /// The other field a rule compares with (`before_field`, `more_than_field`…).
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub min: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub max: Option<i64>,
    /// The values the field may take (`unknown_value`).
    #[oai(skip_serializing_if_is_none)]
    pub allowed: Option<Vec<String>>,
    /// The values at fault: ids not found, repeated, disabled or outside the scope.
    #[oai(skip_serializing_if_is_none)]
    pub values: Option<Vec<String>>,
    /// The kind of record named (`not_found`, `not_part_of`, `ambiguous`).
    #[oai(skip_serializing_if_is_none)]
    pub what: Option<FieldErrorThing>,
    /// What was expected (`wrong_type`, `bad_format`).
    #[oai(skip_serializing_if_is_none)]
    pub expected: Option<FieldErrorFormat>,
    /// The activity kind the field belongs to (`only_for_kind`).
    #[oai(skip_serializing_if_is_none)]
    pub kind: Option<String>,
    /// The first day of a range (`outside_window`, `too_early`).
    #[oai(skip_serializing_if_is_none)]
    pub from: Option<String>,
    /// The last day of a range (`outside_window`); today for `in_future`.
    #[oai(skip_serializing_if_is_none)]
    pub to: Option<String>,
}

impl From<domain::error::FieldError> for FieldError {
    fn from(e: domain::error::FieldError) -> Self {
        let p = *e.params;
        FieldError {
            field: e.field,
            code: e.code.into(),
            params: FieldErrorParams {
                field: p.field,
                min: p.min,
                max: p.max,
                allowed: p.allowed,
                values: p.values,
                what: p.what.map(Into::into),
                expected: p.expected.map(Into::into),
                kind: p.kind,
                from: p.from,
                to: p.to,
            },
            message: e.message,
            line: e.line,
        }
    }
}

/// What is wrong with a field (see the domain's `error::Code` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::error::Code", rename_all = "snake_case")]
pub enum FieldErrorCode {
    Required,
    TooLong,
    TooShort,
    NotADate,
    InFuture,
    TooEarly,
    BeforeField,
    AfterField,
    MoreThanField,
    LessThanField,
    OutOfRange,
    CountOutOfRange,
    UnknownValue,
    NotUnique,
    Ambiguous,
    NotFound,
    WrongType,
    BadFormat,
    UnknownField,
    OutOfScope,
    NotAllowed,
    OwnAccount,
    Cycle,
    NotPartOf,
    OnlyForKind,
    Disabled,
    MissingColumn,
    EmptyFile,
    SessionTooLong,
    ClockTooFar,
    OutsideWindow,
    Overlapping,
    Unreadable,
    PasswordClasses,
    PasswordHasUsername,
    PasswordCommon,
    PasswordReused,
    WrongCode,
    SeparationOfDuties,
    NotALeader,
    UnlawfulAdopted,
}

/// The kind of record a field error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::error::Thing", rename_all = "snake_case")]
pub enum FieldErrorThing {
    Unit,
    Account,
    Cadre,
    Course,
    Campaign,
    Question,
    Attempt,
    Practice,
}

/// What a field error expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "domain::error::Format", rename_all = "snake_case")]
pub enum FieldErrorFormat {
    Integer,
    Number,
    #[oai(rename = "string")]
    Text,
    Boolean,
    List,
    Object,
    Date,
    DateTime,
    Uuid,
    Phone,
    Amount,
    Key,
    Username,
    Answer,
    Difficulty,
    Pool,
    QuestionKind,
    Path,
    Url,
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
    /// This occurrence: `urn:xuefa:request:{id}`, the request's `X-Request-Id`, which
    /// is also in the server's log lines for it.
    #[oai(skip_serializing_if_is_none)]
    pub instance: Option<String>,
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
            instance: None,
        }
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
    Unauthorized(
        Json<Problem>,
        /// `Bearer`: the scheme to authenticate with.
        #[oai(header = "WWW-Authenticate")]
        String,
    ),
    /// The caller's roles or ownership do not allow this (`forbidden`), or the request
    /// names a unit or person outside the caller's data scope (`out_of_scope`, with
    /// `errors` naming each field or line).
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
    /// The body's media type or charset is not one the operation reads.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// One or more fields are invalid; `errors` lists them.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many failed attempts; retry after `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// The server failed; nothing about the cause is shown.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The database does not answer (`database_unavailable`); retry after `Retry-After`
    /// seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    ServiceUnavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The problem this error answers with.
    pub fn into_problem(self) -> Problem {
        match self {
            ApiError::BadRequest(p)
            | ApiError::Unauthorized(p, _)
            | ApiError::Forbidden(p)
            | ApiError::NotFound(p)
            | ApiError::Conflict(p)
            | ApiError::PayloadTooLarge(p)
            | ApiError::UnsupportedMediaType(p)
            | ApiError::Unprocessable(p)
            | ApiError::TooManyRequests(p, _)
            | ApiError::ServiceUnavailable(p, _)
            | ApiError::Internal(p) => p.0,
        }
    }
}

/// The `WWW-Authenticate` challenge of every 401 (RFC 9110 §11.6.1).
pub const BEARER_CHALLENGE: &str = "Bearer";

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Unauthorized(detail) => ApiError::Unauthorized(
                Json(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    detail,
                )),
                BEARER_CHALLENGE.into(),
            ),
            AppError::Denied { code, detail } if code.is_unauthenticated() => {
                ApiError::Unauthorized(
                    Json(Problem::new(StatusCode::UNAUTHORIZED, code.key(), detail)),
                    BEARER_CHALLENGE.into(),
                )
            }
            AppError::Denied { code, detail } => ApiError::Forbidden(Json(Problem::new(
                StatusCode::FORBIDDEN,
                code.key(),
                detail,
            ))),
            AppError::Forbidden(detail) => ApiError::Forbidden(Json(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                detail,
            ))),
            AppError::OutOfScope { detail, errors } => {
                let mut problem = Problem::new(StatusCode::FORBIDDEN, "out_of_scope", detail);
                problem.errors = Some(errors.into_iter().map(FieldError::from).collect());
                ApiError::Forbidden(Json(problem))
            }
            AppError::NotFound(detail) => ApiError::NotFound(Json(Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                detail,
            ))),
            AppError::Conflict { code, detail } => {
                ApiError::Conflict(Json(Problem::new(StatusCode::CONFLICT, code.key(), detail)))
            }
            AppError::Invalid { detail, errors } => {
                // Roles that separation of duties forbids together are their own problem.
                let code = if errors.iter().any(|e| e.code == Code::SeparationOfDuties) {
                    "separation_of_duties"
                } else {
                    "invalid_field"
                };
                let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail);
                problem.errors = Some(errors.into_iter().map(FieldError::from).collect());
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
            AppError::TooLarge(detail) => ApiError::PayloadTooLarge(Json(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                detail,
            ))),
            AppError::UnsupportedMediaType(detail) => {
                ApiError::UnsupportedMediaType(Json(Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    detail,
                )))
            }
            AppError::Unavailable { retry_after } => ApiError::ServiceUnavailable(
                Json(Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    format!("the database does not answer; try again in {retry_after} seconds"),
                )),
                retry_after,
            ),
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
