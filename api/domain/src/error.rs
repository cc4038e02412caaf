//! The domain's errors. Services return [`AppError`], which knows nothing of HTTP; the
//! `api` crate maps each variant to one problem+json response.

use sea_orm::{DbErr, SqlErr};

/// One invalid field of a request (or of one line of an uploaded file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the client sent it (for an import: the column).
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
    /// For an uploaded file: the 1-based line the error is on (the header is line 1).
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
    /// The body's media type or charset is not one the operation reads.
    UnsupportedMediaType(String),
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
