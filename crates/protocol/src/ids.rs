//! Identifiers that appear on the wire: networks, payment ids, public keys, nonces.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

fn id_chars(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! string_id {
    ($(#[$m:meta])* $name:ident, $check:expr, $err:path) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                let check: fn(&str) -> bool = $check;
                if check(s) { Ok($name(s.to_owned())) } else { Err($err(clip(s))) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A CAIP-2 network id naming an issuer: `centime:<1-32 of [-_a-zA-Z0-9]>`.
    Network,
    |s| s.strip_prefix("centime:").is_some_and(|r| (1..=32).contains(&r.len()) && id_chars(r)),
    Error::InvalidNetwork
);

string_id!(
    /// The idempotency key of one payment: 16-128 of `[A-Za-z0-9_-]` (x402 payment-identifier).
    PaymentId,
    |s| (16..=128).contains(&s.len()) && id_chars(s),
    Error::InvalidPaymentId
);

impl PaymentId {
    /// A fresh random payment id: `pay_` and 22 base64url characters (128 random bits).
    pub fn random() -> Result<Self> {
        let bytes: [u8; 16] = random_bytes()?;
        Ok(PaymentId(format!("pay_{}", URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// An id this crate built from characters it knows are valid (a derived request id).
    pub(crate) fn from_known_good(s: String) -> Self {
        debug_assert!((16..=128).contains(&s.len()) && id_chars(&s));
        PaymentId(s)
    }
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Signing("the system random generator failed".into()))?;
    Ok(b)
}

/// A raw 32-byte Ed25519 public key, written as base64url without padding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The raw 32 bytes of the key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Verifies an Ed25519 signature over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<()> {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &self.0)
            .verify(msg, sig)
            .map_err(|_| Error::BadSignature)
    }
}

impl FromStr for PublicKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if s.len() != 43 {
            return Err(Error::InvalidPublicKey(clip(s)));
        }
        let v = URL_SAFE_NO_PAD.decode(s).map_err(|_| Error::InvalidPublicKey(clip(s)))?;
        let arr: [u8; 32] = v.try_into().map_err(|_| Error::InvalidPublicKey(clip(s)))?;
        Ok(PublicKey(arr))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// 32 random bytes, base64url without padding: the authorization's single-use nonce.
pub fn random_nonce() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// Checks a nonce's shape: exactly 32 bytes in base64url without padding.
pub fn check_nonce(s: &str) -> bool {
    s.len() == 43 && URL_SAFE_NO_PAD.decode(s).is_ok_and(|b| b.len() == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        assert!("centime:demo".parse::<Network>().is_ok());
        assert!("centime:a-b_C9".parse::<Network>().is_ok());
        for bad in ["centime:", "demo", "eip155:1", "centime:a b", &format!("centime:{}", "a".repeat(33))] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[test]
    fn payment_ids() {
        let id = PaymentId::random().unwrap();
        assert!(id.as_str().parse::<PaymentId>().is_ok());
        assert!("short".parse::<PaymentId>().is_err());
        assert!("has space in the middle".parse::<PaymentId>().is_err());
    }

    #[test]
    fn public_keys_round_trip() {
        let k = PublicKey([7; 32]);
        assert_eq!(k.to_string().parse::<PublicKey>().unwrap(), k);
        assert!("AAAA".parse::<PublicKey>().is_err());
        assert!(format!("{}=", k).parse::<PublicKey>().is_err());
    }
}
