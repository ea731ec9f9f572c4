//! The browser bridge: how the browser extension reaches the desktop app (docs/browser.md).
//!
//! The browser starts `centime-browser-host` (native messaging, stdio); the host relays frames
//! to the app over a unix socket in the user's runtime directory and decides nothing. This crate
//! holds what both ends share: the framing (4-byte little-endian length + JSON, 64 KiB at most),
//! the messages, the pairing code, the MAC that authenticates every message after pairing, the
//! sequence checks, the socket's path and permissions and the same-user check on its peer.

pub mod auth;
pub mod caller;
pub mod error;
pub mod frame;
pub mod host;
pub mod messages;
pub mod session;
pub mod socket;

pub use error::{BridgeErrorCode, Error, Result};
