//! Errors as the UI receives them: `{code, message}`.

use centime_app_models::{AppErrorDto, ErrorCode};
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
    /// An error met on another thread for the browser's request (the prompt's payment).
    #[error("{}", .0.message)]
    Browser(AppErrorDto),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Wallet(e) => e.code(),
            AppError::Client(e) => e.code(),
            AppError::Protocol(_) | AppError::Invalid(_) => ErrorCode::InvalidInput,
            AppError::NoWallet => ErrorCode::NoWallet,
            AppError::Locked => ErrorCode::Locked,
            AppError::AlreadyExists => ErrorCode::InvalidInput,
            AppError::Expired | AppError::UnknownPrompt => ErrorCode::Expired,
            AppError::TooManyPrompts(_) => ErrorCode::TooManyPrompts,
            AppError::Demo(_) => ErrorCode::Network,
            AppError::Internal(_) => ErrorCode::Internal,
            AppError::Browser(e) => e.code,
        }
    }

    /// The message for people: the error's own words, then where in the app to act on it
    /// (the core names no command or screen).
    pub fn message(&self) -> String {
        let wallet = match self {
            AppError::Wallet(e) | AppError::Client(centime_client::Error::Wallet(e)) => Some(e),
            _ => None,
        };
        format!("{self}{}", wallet.map_or("", hint))
    }

    pub fn dto(&self) -> AppErrorDto {
        AppErrorDto { code: self.code(), message: self.message() }
    }
}

/// Where the app lets a person do what a wallet error asks for.
fn hint(e: &centime_core::Error) -> &'static str {
    use centime_core::Error as E;
    match e {
        E::Corrupt(_) | E::KeyMissing(_) | E::DamagedKeystore(_) => " (Settings, Restore)",
        E::KeyringUnavailable(_) => " (choose it when you create the wallet)",
        E::UntrustedIssuer(_) => ": add it in Settings, Issuers you trust",
        E::PassphraseNeeded => ": enter it to unlock the wallet",
        _ => "",
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.dto().serialize(s)
    }
}

pub type AppResult<T> = Result<T, AppError>;
