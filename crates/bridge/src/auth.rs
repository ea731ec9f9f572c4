//! The secrets of the browser path: random nonces and keys, the pairing code both screens show,
//! and the MAC over every message after pairing.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom as _;
use ring::{digest, hmac};

use crate::error::{Error, Result};

/// What the MAC's input starts with, so that it can never be mistaken for another HMAC's.
pub const MAC_LABEL: &str = "centime-browser-v1";
/// What the pairing code's hash input starts with.
pub const PAIR_LABEL: &str = "centime-pair-v1";

pub const SESSION_LEN: usize = 32;
pub const NONCE_LEN: usize = 16;
pub const PAIRING_ID_LEN: usize = 16;
pub const KEY_LEN: usize = 32;

/// Which way a message goes: the extension's requests and the app's answers are MACed apart,
/// so that an answer can never be replayed as a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum Direction {
    Req,
    Res,
}

/// `N` bytes from the system's random generator.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut b).map_err(|_| Error::Random)?;
    Ok(b)
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url (no padding) of exactly `len` bytes; `what` names it in the error.
pub fn unb64(text: &str, len: usize, what: &str) -> Result<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| Error::BadInput(format!("{what} is not base64url without padding: {e}")))?;
    if bytes.len() != len {
        return Err(Error::BadInput(format!("{what} is {} bytes, not {len}", bytes.len())));
    }
    Ok(bytes)
}

fn mac_input(direction: Direction, session: &str, seq: u64, body: &str) -> String {
    format!("{MAC_LABEL}\n{direction}\n{session}\n{seq}\n{body}")
}

/// `HMAC-SHA256(key, "centime-browser-v1\n" + direction + "\n" + session + "\n" + seq + "\n" +
/// body)`, base64url; `session` is the session nonce as the hello carried it (base64url).
pub fn mac(key: &[u8], direction: Direction, session: &str, seq: u64, body: &str) -> String {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    b64(hmac::sign(&k, mac_input(direction, session, seq, body).as_bytes()).as_ref())
}

/// Whether `mac_b64` is the MAC of the message, compared in constant time.
pub fn verify(key: &[u8], direction: Direction, session: &str, seq: u64, body: &str, mac_b64: &str) -> bool {
    let Ok(tag) = URL_SAFE_NO_PAD.decode(mac_b64) else { return false };
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, mac_input(direction, session, seq, body).as_bytes(), &tag).is_ok()
}

/// The code both screens show while pairing: the first 20 bits (big-endian) of
/// `SHA-256("centime-pair-v1" ‖ session ‖ extNonce ‖ appNonce)` over the raw bytes, reduced
/// modulo 1,000,000 (20 bits reach 1,048,575), as `"123 456"`.
pub fn pairing_code(session: &[u8], ext_nonce: &[u8], app_nonce: &[u8]) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(PAIR_LABEL.as_bytes());
    ctx.update(session);
    ctx.update(ext_nonce);
    ctx.update(app_nonce);
    let h = ctx.finish();
    let h = h.as_ref();
    let bits = (u32::from(h[0]) << 12) | (u32::from(h[1]) << 4) | (u32::from(h[2]) >> 4);
    let n = bits % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

/// Sequence numbers of one session, one direction: each must be above the last accepted, so a
/// replayed or reordered message is refused.
#[derive(Debug, Default, Clone)]
pub struct SeqGuard {
    last: u64,
}

impl SeqGuard {
    /// Accepts `seq` (and remembers it) when it is above every one before.
    pub fn accept(&mut self, seq: u64) -> bool {
        if seq <= self.last {
            return false;
        }
        self.last = seq;
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_mac_verifies_for_its_message_only() {
        let key = [7u8; KEY_LEN];
        let m = mac(&key, Direction::Req, "sess", 1, "{}");
        assert!(verify(&key, Direction::Req, "sess", 1, "{}", &m));
        assert!(!verify(&key, Direction::Res, "sess", 1, "{}", &m));
        assert!(!verify(&key, Direction::Req, "other", 1, "{}", &m));
        assert!(!verify(&key, Direction::Req, "sess", 2, "{}", &m));
        assert!(!verify(&key, Direction::Req, "sess", 1, "{ }", &m));
        assert!(!verify(&[8u8; KEY_LEN], Direction::Req, "sess", 1, "{}", &m));
        assert!(!verify(&key, Direction::Req, "sess", 1, "{}", "not base64!"));
    }

    #[test]
    fn sequence_numbers_only_go_up() {
        let mut g = SeqGuard::default();
        assert!(!g.accept(0));
        assert!(g.accept(1));
        assert!(!g.accept(1));
        assert!(g.accept(5));
        assert!(!g.accept(3));
        assert!(g.accept(6));
    }

    #[test]
    fn the_pairing_code_is_six_digits_in_two_groups() {
        let code = pairing_code(&[1; SESSION_LEN], &[2; NONCE_LEN], &[3; NONCE_LEN]);
        assert_eq!(code.len(), 7);
        assert!(code.chars().enumerate().all(|(i, c)| if i == 3 { c == ' ' } else { c.is_ascii_digit() }));
        assert_ne!(code, pairing_code(&[1; SESSION_LEN], &[2; NONCE_LEN], &[4; NONCE_LEN]));
    }

    #[test]
    fn base64_lengths_are_checked() {
        assert_eq!(unb64(&b64(&[9; 16]), 16, "nonce").unwrap(), vec![9; 16]);
        assert!(unb64(&b64(&[9; 15]), 16, "nonce").is_err());
        assert!(unb64("a+b/", 3, "nonce").is_err());
    }
}
