//! The crate's one error type, and how the HTTP API reports it: `{code, message}` JSON.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong in `centime-issuer`.
///
/// [`Error::Refused`] is a request the issuer turned down, with a stable code and a sentence
/// for the caller; nothing changed. The others are failures of the issuer itself, whose
/// details go to its log, never to the caller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request refused, changing nothing.
    #[error("{code}: {message}")]
    Refused {
        /// The HTTP status to answer with.
        status: StatusCode,
        /// The stable machine code.
        code: &'static str,
        /// What was wrong, for people.
        message: String,
    },
    /// The database failed; the transaction in progress was rolled back.
    #[error("storage: {0}")]
    Store(String),
    /// A concurrent transaction took the same unique value first (PostgreSQL); the transaction
    /// was rolled back and is run again.
    #[error("contention: {0}")]
    Contention(String),
    /// Signing or encoding failed.
    #[error("protocol: {0}")]
    Protocol(#[from] centime_protocol::Error),
    /// A key file, a configuration or an argument that cannot be used.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// A refusal with a 400 status.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::refused(StatusCode::BAD_REQUEST, code, message)
    }

    /// A refusal with `status`.
    pub fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Error::Refused { status, code, message: message.into() }
    }

    /// The stable code (`internal` for the issuer's own failures).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Refused { code, .. } => code,
            _ => "internal",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Refused { status, .. } => *status,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the caller is told: the refusal's sentence, or a pointer to the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::Refused { message, .. } => message.clone(),
            _ => "the issuer failed; see its log".into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        // The server's own words when it sent any ("duplicate key value…"), not just "db error".
        match e.as_db_error() {
            Some(db)
                if [
                    SqlState::UNIQUE_VIOLATION,
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                ]
                .contains(db.code()) =>
            {
                Error::Contention(format!("{} ({})", db.message(), db.code().code()))
            }
            Some(db) => Error::Store(format!("{} ({})", db.message(), db.code().code())),
            None => Error::Store(e.to_string()),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if !matches!(self, Error::Refused { .. }) {
            tracing::error!(error = %self, "internal error");
        }
        let body = serde_json::json!({ "code": self.code(), "message": self.public_message() });
        (self.status(), Json(body)).into_response()
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
