//! Centime's wire protocol, for wallets and for the merchants who accept them.
//!
//! - [`money`]: ISO 4217 assets and exact amounts in integer micro-units.
//! - [`origin`]: the web origin a site is known by.
//! - [`wire`]: the x402 v2-shaped messages and their base64 JSON headers.
//! - [`jws`] and [`documents`]: Ed25519 JWS and the three signed documents of a payment
//!   (authorization, credit note, receipt).
//! - [`settlement`], [`revocation`], [`statement`], [`certificate`]: the issuer's documents
//!   (ADR 21): settlement batches and answers, fork proofs, the revocation list, the wallet's
//!   statement, the merchant certificate.
//! - [`verify`]: offline merchant verification with stable rejection codes.
//! - [`payment`]: the wallet's side, building a signed payment for an accepted offer.
//! - [`deeplink`]: `centime://pay` and `centime://topup` links.
//! - [`p2p`]: payments between wallets (ADR 25): payment requests, transfers, and the
//!   recipient's redemption and inbox requests.
//! - [`text`]: merchants' and links' text made inert before it is stored or shown.
//!
//! `docs/protocol.md` in the repository is the normative description; the test vectors in
//! `tests/vectors/` pin every signed byte.

#![warn(missing_docs)]

pub mod certificate;
pub mod deeplink;
pub mod documents;
mod error;
pub mod ids;
pub mod jws;
pub mod money;
pub mod origin;
pub mod p2p;
pub mod payment;
pub mod revocation;
pub mod settlement;
pub mod statement;
pub mod text;
pub mod verify;
pub mod wire;

pub use error::{Error, Result};
pub use ids::{Network, PaymentId, PublicKey};
pub use money::{Amount, Asset, Micros};
pub use origin::{Origin, OriginProblem};
pub use verify::{Clock, FixedClock, MemoryReplayCache, Rejection, ReplayCache, SystemClock, Verified, Verifier};
pub use wire::{PaymentPayload, PaymentRequired, PaymentRequirements, ResourceInfo, SettlementResponse, Terms};
