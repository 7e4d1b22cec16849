//! One error type for the API edge.
//!
//! Policy: user-facing errors (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`) say what is wrong and
//! where; anything else is `INTERNAL`, whose details go to the log only, under the request id.

use async_graphql::{ServerError, Value};
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; `field` is the path of the offending input, e.g. `input.dueOn`.
    #[error("{message}")]
    BadInput { field: String, message: String },
    /// The thing asked for does not exist.
    #[error("{what} not found")]
    NotFound {
        what: &'static str,
        field: Option<String>,
    },
    /// Someone else changed the record first (a stale `expectedVersion`).
    #[error("{0}")]
    Conflict(String),
    /// No valid token came with the request.
    #[error(
        "the API token is missing, unknown, expired or revoked: send `Authorization: Bearer <token>`"
    )]
    Unauthenticated,
    /// The caller's role does not allow the operation.
    #[error("{0}")]
    Forbidden(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound { what, field: None }
    }

    pub fn not_found_at(what: &'static str, field: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            field: Some(field.into()),
        }
    }

    /// The `extensions.code` clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Db(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } => Some(field),
            Self::NotFound { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Turns a write that broke a constraint into the field error it really is.
    pub fn on_constraint(err: DbErr, field: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::bad_input(field, message),
            _ => Self::Db(err),
        }
    }
}

/// Gives every error of a GraphQL response its `extensions.code` (and `field` where known),
/// and replaces the message of internal errors by a generic one that names the request.
pub fn finalize_errors(errors: &mut [ServerError], request_id: &str) {
    for err in errors {
        let (code, field, internal) = match err.source::<AppError>() {
            Some(app) => (
                app.code(),
                app.field().map(str::to_owned),
                (app.code() == "INTERNAL").then(|| app.to_string()),
            ),
            None if err.source::<sea_orm::DbErr>().is_some() => {
                ("INTERNAL", None, Some(err.message.clone()))
            }
            None => {
                let (code, field) = classify_foreign(err);
                (code, field, None)
            }
        };
        if let Some(detail) = internal {
            tracing::error!(request_id, error = %detail, path = ?err.path, "request failed");
            err.message = format!("Internal error (request {request_id})");
        }
        let ext = err.extensions.get_or_insert_with(Default::default);
        if !ext.get("code").is_some_and(|v| v != &Value::Null) {
            ext.set("code", code);
        }
        if let Some(field) = field {
            ext.set("field", field);
        }
        if code == "INTERNAL" {
            ext.set("requestId", request_id);
        }
    }
}

/// Errors raised by the GraphQL engine itself: parsing, validation, limits. They are all about
/// the request the client sent, so they are user errors; a panic caught by the engine is not.
fn classify_foreign(err: &ServerError) -> (&'static str, Option<String>) {
    if let Some(code) = err
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
    {
        return match code.as_str() {
            "UNAUTHENTICATED" => ("UNAUTHENTICATED", None),
            "FORBIDDEN" => ("FORBIDDEN", None),
            _ => ("BAD_USER_INPUT", None),
        };
    }
    let field = err
        .message
        .strip_prefix("Invalid value for argument \"")
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned);
    ("BAD_USER_INPUT", field)
}

/// What a panic said, for the log.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic")
}
