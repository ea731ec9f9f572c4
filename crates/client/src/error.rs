//! The crate's one error type.

use centime_core::{ErrorClass, ErrorCode};
use centime_protocol::{Amount, Origin};

/// A site quoted in a message: its origin cut to 100 characters, as a host name may be
/// kilobytes long.
fn clip(origin: &Origin) -> String {
    origin.as_str().chars().take(100).collect()
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Wallet(#[from] centime_core::Error),
    #[error(transparent)]
    Protocol(#[from] centime_protocol::Error),
    #[error("{url}: {detail}")]
    Http { url: String, detail: String },
    #[error("{0}")]
    BadInput(String),
    #[error("{} asked to be paid for a page of {}: refused", clip(asked_by), clip(named))]
    OriginMismatch { asked_by: Origin, named: Origin },
    #[error("the return address must be on the site that asked for payment ({})", clip(.0))]
    ReturnElsewhere(Origin),
    #[error("the site did not confirm this price: {0}")]
    SiteUnconfirmed(String),
    #[error(
        "{origin} refused payment {payment_id} ({code}); {amount} credited back, spendable once its authorization expires (a merchant that lied could still settle it until then)"
    )]
    RefusedByMerchant {
        origin: Origin,
        payment_id: String,
        /// As the merchant wrote it (cleaned): a [`centime_protocol::Rejection`] from a Centime
        /// merchant, anything from another.
        code: String,
        amount: Amount,
    },
    #[error(
        "payment {payment_id} of {amount} is unconfirmed: {reason}. Retry it with its payment id (never charged \
         twice); it is listed under unconfirmed payments"
    )]
    Unconfirmed { payment_id: String, amount: Amount, reason: String },
    #[error("the wallet was closed before the merchant's answer could be recorded; the payment stays unconfirmed")]
    WalletClosed,
    /// A link (a web page's choice) would make the wallet connect to this computer or the
    /// local network.
    #[error(
        "{url}: refused: {detail}. A payment link may only make the wallet connect to public addresses, unless \
         you trust {origin}"
    )]
    PrivateAddress { url: String, origin: String, detail: String },
    /// The issuer turned a wallet-to-wallet request down (docs/protocol.md §14): its stable
    /// code (`already_redeemed`, `transfer_expired`, `not_the_recipient`, `overdrawn`, …) and
    /// its sentence, made printable.
    #[error("the issuer refused ({code}): {message}")]
    IssuerRefused { url: String, status: u16, code: String, message: String },
    #[error(
        "{url} asks for payment over plain HTTP, which anyone on the network can read and change: refused (plain \
         HTTP is only for this computer, unless you allow it)"
    )]
    PlainHttp { url: String },
}

impl Error {
    /// The wallet's error class, for exit codes; network trouble is `Internal`.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Wallet(e) => e.class(),
            Error::Protocol(_)
            | Error::BadInput(_)
            | Error::OriginMismatch { .. }
            | Error::SiteUnconfirmed(_)
            | Error::ReturnElsewhere(_)
            | Error::RefusedByMerchant { .. }
            | Error::PrivateAddress { .. }
            | Error::PlainHttp { .. }
            | Error::IssuerRefused { .. } => ErrorClass::InvalidInput,
            Error::Http { .. } | Error::Unconfirmed { .. } | Error::WalletClosed => ErrorClass::Internal,
        }
    }

    /// The stable code of this error, for the app.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Wallet(e) => e.code(),
            Error::Protocol(_) | Error::BadInput(_) | Error::OriginMismatch { .. } | Error::ReturnElsewhere(_) => {
                ErrorCode::InvalidInput
            }
            Error::SiteUnconfirmed(_) => ErrorCode::SiteUnconfirmed,
            Error::RefusedByMerchant { .. } => ErrorCode::RefusedByMerchant,
            Error::Http { .. } => ErrorCode::Network,
            Error::Unconfirmed { .. } => ErrorCode::Unconfirmed,
            Error::WalletClosed => ErrorCode::WalletClosed,
            Error::PrivateAddress { .. } => ErrorCode::PrivateAddress,
            Error::PlainHttp { .. } => ErrorCode::PlainHttp,
            Error::IssuerRefused { status: 410, .. } => ErrorCode::Expired,
            Error::IssuerRefused { .. } => ErrorCode::InvalidInput,
        }
    }

    /// The issuer's stable code, when the issuer refused a wallet-to-wallet request.
    pub fn issuer_code(&self) -> Option<&str> {
        match self {
            Error::IssuerRefused { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
