//! The crate's errors, and the codes the app answers the extension with.

use crate::frame::MAX_FRAME;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a frame of {0} bytes is over the {MAX_FRAME}-byte limit")]
    TooLarge(u64),
    #[error("the connection ended in the middle of a frame")]
    Truncated,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("not a valid message: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    BadInput(String),
    #[error("the socket's other end runs as uid {peer}, not as this user (uid {own})")]
    ForeignPeer { peer: u32, own: u32 },
    #[error("no XDG_RUNTIME_DIR (and no CENTIME_BROWSER_SOCKET): the browser bridge is off")]
    NoRuntimeDir,
    #[error("{0} is not a private directory of this user")]
    UnsafeDir(String),
    #[error("another Centime already listens on {0}")]
    AlreadyListening(String),
    #[error("the app did not listen on {path} within {secs} s")]
    AppDidNotStart { path: String, secs: u64 },
    #[error("cannot start the app {app}: {reason}")]
    StartApp { app: String, reason: String },
    #[error("the system's random generator failed")]
    Random,
}

pub type Result<T> = std::result::Result<T, Error>;

/// The codes of the bridge's refusals and of the request answers it adds to the wallet's own
/// (`ErrorCode`): `{"type":"error","code":…}` before a request is authenticated, and
/// `error.code` of an answer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BridgeErrorCode {
    /// A request before pairing, or under a pairing the app does not know (removed, forged).
    Unpaired,
    /// A MAC that does not verify, or a sequence number replayed or out of order.
    BadMac,
    /// The user declined the pairing, closed the dialog, or let it expire.
    PairingDeclined,
    /// Pairing is impossible here: no OS keyring to keep the pairing key in.
    PairingUnavailable,
    /// The hello named a caller other than Centime's extension.
    UnknownCaller,
    /// A frame that is not one of the messages of docs/browser.md.
    BadRequest,
}
