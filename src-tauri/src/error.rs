//! Errors as the UI receives them: `{code, message}`.

use centime_app_models::AppErrorDto;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Wallet(#[from] centime_core::Error),
    #[error(transparent)]
    Client(#[from] centime_client::Error),
    #[error(transparent)]
    Protocol(#[from] centime_protocol::Error),
    #[error("no wallet yet: create one first")]
    NoWallet,
    #[error("the wallet is locked: enter its passphrase")]
    Locked,
    #[error("a wallet already exists here")]
    AlreadyExists,
    #[error("this payment request has expired")]
    Expired,
    #[error("this payment request is no longer waiting (answered or expired)")]
    UnknownPrompt,
    #[error("{0} has too many payment requests waiting; answer them first (its later links are refused)")]
    TooManyPrompts(String),
    #[error("the demo issuer is not available: {0}")]
    Demo(String),
    #[error("{0}")]
    Invalid(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Wallet(e) => e.code(),
            AppError::Client(e) => e.code(),
            AppError::Protocol(_) | AppError::Invalid(_) => "invalid_input",
            AppError::NoWallet => "no_wallet",
            AppError::Locked => "locked",
            AppError::AlreadyExists => "invalid_input",
            AppError::Expired | AppError::UnknownPrompt => "expired",
            AppError::TooManyPrompts(_) => "too_many_prompts",
            AppError::Demo(_) => "network",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn dto(&self) -> AppErrorDto {
        AppErrorDto { code: self.code().into(), message: self.to_string() }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.dto().serialize(s)
    }
}

pub type AppResult<T> = Result<T, AppError>;
