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
    /// An empty amount.
    #[error("no amount given")]
    EmptyAmount,
    /// A sign in an amount.
    #[error("amounts cannot be negative: {0:?}")]
    NegativeAmount(String),
    /// An exponent (`1e-3`) in an amount.
    #[error("exponents are not accepted in amounts: {0:?} (write the number out, e.g. 0.005)")]
    ExponentInAmount(String),
    /// Text that is not a number.
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// Thousands separators (`1,000.50`, `1 000`).
    #[error("{0:?} uses thousands separators; write the amount without them (e.g. 1000.50)")]
    ThousandsSeparator(String),
    /// A comma that could be either separator (`1,000`).
    #[error("{0:?} is ambiguous: is the comma a decimal or a thousands separator? write 1.000 or 1000")]
    AmbiguousSeparator(String),
    /// More than six decimals: never rounded.
    #[error("{0:?} has more than 6 decimal places; Centime counts in millionths and never rounds")]
    TooPrecise(String),
    /// An amount too large for the wallet's integers.
    #[error("{0:?} is too large")]
    AmountOverflow(String),
    /// A sum or difference that overflowed.
    #[error("amount arithmetic overflowed")]
    ArithmeticOverflow,
    /// Arithmetic on two different assets.
    #[error("cannot combine {0} with {1}")]
    AssetMismatch(String, String),
    /// Not an ISO 4217 code.
    #[error("{0:?} is not an ISO 4217 currency code (three capital letters, e.g. EUR)")]
    InvalidAsset(String),
    /// An `assetScale` outside 0..=6.
    #[error("assetScale {0} is outside 0..=6")]
    InvalidScale(i64),
    /// A wire amount that is not bare decimal digits.
    #[error("{value:?} is not a wire amount (decimal digits, no sign, no leading zeros)")]
    InvalidWireAmount {
        /// The text received.
        value: String,
    },
    /// An amount with more decimals than the wire's `assetScale`.
    #[error("{amount} cannot be written exactly at assetScale {scale}")]
    InexactAtScale {
        /// The amount.
        amount: String,
        /// The scale asked for.
        scale: u8,
    },
    /// Money given as a JSON number.
    #[error("money must be a JSON string, not a number")]
    MoneyNotAString,

    // --- identifiers ----------------------------------------------------------------------------
    /// Not a `centime:<name>` network id.
    #[error("{0:?} is not a Centime network id (centime:<1-32 of A-Z a-z 0-9 - _>)")]
    InvalidNetwork(String),
    /// Not a payment id.
    #[error("{0:?} is not a payment id (16-128 of A-Z a-z 0-9 - _)")]
    InvalidPaymentId(String),
    /// Not an Ed25519 public key.
    #[error("{0:?} is not an Ed25519 public key (32 bytes, base64url without padding)")]
    InvalidPublicKey(String),

    /// Not an http(s) origin, or not one written as an origin ([`crate::Origin`]).
    #[error("{text:?} {problem}")]
    InvalidOrigin {
        /// The text refused, clipped.
        text: String,
        /// What is wrong with it.
        problem: crate::origin::OriginProblem,
    },

    // --- encodings ----------------------------------------------------------------------------
    /// An input over its size limit, refused before it is read.
    #[error("{what} is {len} bytes, over the limit of {limit}")]
    TooLarge {
        /// What the input is.
        what: &'static str,
        /// Its size in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Invalid base64.
    #[error("{what} is not valid base64: {detail}")]
    Base64 {
        /// What the input is.
        what: &'static str,
        /// The decoder's words, clipped.
        detail: String,
    },
    /// JSON that is invalid or not of the expected shape.
    #[error("{what} is not valid JSON of the expected shape: {detail}")]
    Json {
        /// What the input is.
        what: &'static str,
        /// The parser's words, clipped.
        detail: String,
    },
    /// An `x402Version` other than 2.
    #[error("unsupported x402Version {0}")]
    UnsupportedVersion(u64),

    // --- JWS ----------------------------------------------------------------------------------
    /// A JWS that is not three base64url parts of the expected shape.
    #[error("malformed JWS: {0}")]
    MalformedJws(&'static str),
    /// A JWS algorithm other than Ed25519.
    #[error("JWS algorithm {0:?} refused; only Ed25519 is accepted")]
    UnsupportedAlgorithm(String),
    /// A JWS of another document type.
    #[error("JWS type {found:?} where {expected:?} was expected")]
    WrongType {
        /// The `typ` expected.
        expected: &'static str,
        /// The `typ` found.
        found: String,
    },
    /// A JWS header with `crit`.
    #[error("JWS header lists critical extensions, which are refused")]
    CriticalHeader,
    /// A signature that does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// A document signed by a key other than the one trusted for it (ADR 21: the issuer's).
    #[error("the {what} is signed by a key that is not the trusted one")]
    UntrustedSigner {
        /// What the document is.
        what: &'static str,
    },
    /// A signed document that is well formed and authentic but says something it must not.
    #[error("invalid {what}: {detail}")]
    InvalidDocument {
        /// What the document is.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The signing key failed (a damaged key).
    #[error("signing failed: {0}")]
    Signing(String),

    // --- deep links ---------------------------------------------------------------------------
    /// Not a Centime link.
    #[error("not a Centime link: {0}")]
    InvalidLink(String),
    /// A link's return address refused.
    #[error("return address refused: {0}")]
    InvalidReturnUrl(String),

    // --- payments between wallets -------------------------------------------------------------
    /// A payment request, transfer, redemption or inbox request refused (docs/protocol.md §14).
    #[error("refused ({problem}): {detail}")]
    P2p {
        /// The stable reason.
        problem: crate::p2p::Problem,
        /// What exactly was wrong, clipped.
        detail: String,
    },

    // --- verification -------------------------------------------------------------------------
    /// A payment the merchant's verification refused.
    #[error("payment rejected ({reason}): {detail}")]
    Rejected {
        /// The stable reason.
        reason: Rejection,
        /// What exactly was wrong, clipped.
        detail: String,
    },
}

impl Error {
    pub(crate) fn json(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Json { what, detail: clip_detail(e.to_string()) }
    }

    pub(crate) fn reject(reason: Rejection, detail: impl Into<String>) -> Self {
        Error::Rejected { reason, detail: clip_detail(detail.into()) }
    }

    /// The stable reason a wallet-to-wallet document or link was refused, if that is what this is.
    pub fn p2p_problem(&self) -> Option<crate::p2p::Problem> {
        match self {
            Error::P2p { problem, .. } => Some(*problem),
            _ => None,
        }
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

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
