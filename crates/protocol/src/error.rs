//! The crate's one error type.

use crate::verify::Rejection;

/// Everything that can go wrong in `centime-protocol`.
///
/// Messages are written for the person who typed or received the input: they name what was
/// wrong and, where it helps, what would have been accepted. They never contain key material.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // --- money -------------------------------------------------------------------------------
    #[error("no amount given")]
    EmptyAmount,
    #[error("amounts cannot be negative: {0:?}")]
    NegativeAmount(String),
    #[error("exponents are not accepted in amounts: {0:?} (write the number out, e.g. 0.005)")]
    ExponentInAmount(String),
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{0:?} uses thousands separators; write the amount without them (e.g. 1000.50)")]
    ThousandsSeparator(String),
    #[error("{0:?} is ambiguous: is the comma a decimal or a thousands separator? write 1.000 or 1000")]
    AmbiguousSeparator(String),
    #[error("{0:?} has more than 6 decimal places; Centime counts in millionths and never rounds")]
    TooPrecise(String),
    #[error("{0:?} is too large")]
    AmountOverflow(String),
    #[error("amount arithmetic overflowed")]
    ArithmeticOverflow,
    #[error("cannot combine {0} with {1}")]
    AssetMismatch(String, String),
    #[error("{0:?} is not an ISO 4217 currency code (three capital letters, e.g. EUR)")]
    InvalidAsset(String),
    #[error("assetScale {0} is outside 0..=6")]
    InvalidScale(i64),
    #[error("{value:?} is not a wire amount (decimal digits, no sign, no leading zeros)")]
    InvalidWireAmount { value: String },
    #[error("{amount} cannot be written exactly at assetScale {scale}")]
    InexactAtScale { amount: String, scale: u8 },
    #[error("money must be a JSON string, not a number")]
    MoneyNotAString,

    // --- identifiers ----------------------------------------------------------------------------
    #[error("{0:?} is not a Centime network id (centime:<1-32 of A-Z a-z 0-9 - _>)")]
    InvalidNetwork(String),
    #[error("{0:?} is not a payment id (16-128 of A-Z a-z 0-9 - _)")]
    InvalidPaymentId(String),
    #[error("{0:?} is not an Ed25519 public key (32 bytes, base64url without padding)")]
    InvalidPublicKey(String),

    // --- encodings ----------------------------------------------------------------------------
    #[error("{what} is {len} bytes, over the limit of {limit}")]
    TooLarge { what: &'static str, len: usize, limit: usize },
    #[error("{what} is not valid base64: {detail}")]
    Base64 { what: &'static str, detail: String },
    #[error("{what} is not valid JSON of the expected shape: {detail}")]
    Json { what: &'static str, detail: String },
    #[error("unsupported x402Version {0}")]
    UnsupportedVersion(u64),

    // --- JWS ----------------------------------------------------------------------------------
    #[error("malformed JWS: {0}")]
    MalformedJws(&'static str),
    #[error("JWS algorithm {0:?} refused; only Ed25519 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("JWS type {found:?} where {expected:?} was expected")]
    WrongType { expected: &'static str, found: String },
    #[error("JWS header lists critical extensions, which are refused")]
    CriticalHeader,
    #[error("signature does not verify")]
    BadSignature,
    #[error("signing failed: {0}")]
    Signing(String),

    // --- deep links ---------------------------------------------------------------------------
    #[error("not a Centime link: {0}")]
    InvalidLink(String),
    #[error("return address refused: {0}")]
    InvalidReturnUrl(String),

    // --- verification -------------------------------------------------------------------------
    #[error("payment rejected ({reason}): {detail}")]
    Rejected { reason: Rejection, detail: String },
}

impl Error {
    pub(crate) fn json(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Json { what, detail: clip_detail(e.to_string()) }
    }

    pub(crate) fn reject(reason: Rejection, detail: impl Into<String>) -> Self {
        Error::Rejected { reason, detail: clip_detail(detail.into()) }
    }

    /// The verification rejection this error stands for, when the input came from a wallet:
    /// every decoding failure counts as `malformed`.
    pub fn rejection(&self) -> Rejection {
        match self {
            Error::Rejected { reason, .. } => *reason,
            Error::UnsupportedVersion(_) => Rejection::UnsupportedVersion,
            Error::BadSignature => Rejection::InvalidSignature,
            _ => Rejection::Malformed,
        }
    }
}

/// Longest detail an error message carries, in characters.
pub(crate) const MAX_DETAIL_CHARS: usize = 200;

/// A detail cut to [`MAX_DETAIL_CHARS`]: serde quotes whole strings of the input ("invalid type:
/// string \"…\""), and a 16 KiB header must not become a 16 KiB message on a terminal.
pub(crate) fn clip_detail(detail: String) -> String {
    if detail.chars().count() <= MAX_DETAIL_CHARS {
        return detail;
    }
    let mut clipped: String = detail.chars().take(MAX_DETAIL_CHARS - 1).collect();
    clipped.push('…');
    clipped
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
