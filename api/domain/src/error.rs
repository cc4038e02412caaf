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
    /// The request names a unit or person outside the caller's data scope (管理范围);
    /// `errors` names each field (or import line) that does.
    OutOfScope {
        detail: String,
        errors: Vec<FieldError>,
    },
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
    /// The database does not answer (down, unreachable, or busy past the wait); the
    /// client may retry after this many seconds.
    Unavailable { retry_after: u64 },
    /// The database failed; the cause is logged, not shown.
    Internal(String),
}

/// Seconds a client is asked to wait when the database does not answer.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// Whether `err` says the database could not be reached or did not answer in time, as
/// opposed to refusing a statement: no connection within the pool's wait, a connection
/// lost or refused, the server shutting down or starting, or SQLite busy past its timeout.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as Sqlx};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutting down,
            // cannot connect now); SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with
            // their extended codes.
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
                || code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }),
        _ => false,
    }
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

    /// A field naming a unit or person outside the caller's scope.
    pub fn out_of_scope(field: &str, message: impl Into<String>) -> Self {
        Self::out_of_scope_many(vec![FieldError::new(field, message)])
    }

    pub fn out_of_scope_many(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => match one.line {
                Some(line) => format!("line {line}: {}: {}", one.field, one.message),
                None => format!("{}: {}", one.field, one.message),
            },
            many => format!("{} fields name something outside your scope", many.len()),
        };
        AppError::OutOfScope { detail, errors }
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
                other if is_unavailable(&other) => {
                    tracing::warn!(error = %other, "the database is unavailable");
                    AppError::Unavailable {
                        retry_after: UNAVAILABLE_RETRY_AFTER,
                    }
                }
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
