//! JWS compact serialization (RFC 7515) with Ed25519 only, `alg: "Ed25519"` (RFC 9864).
//!
//! Parsing is deliberately narrow: exactly three base64url parts without padding, a header
//! whose `alg` is `Ed25519` and whose `typ` is the one the caller expects, no `crit`, and a
//! bounded size. The signature covers the exact bytes received, so nothing is re-serialized.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::PublicKey;

/// The only algorithm Centime signs or accepts.
pub const ALG: &str = "Ed25519";
/// Upper bound on a compact JWS; real documents are well under 2 KiB.
pub const MAX_JWS_LEN: usize = 8 * 1024;

/// Something that can sign with an Ed25519 key: a key in memory for tests and the demo
/// server, a key loaded from the keystore in the wallet.
pub trait Signer {
    /// The public key that verifies its signatures.
    fn public_key(&self) -> PublicKey;
    /// Returns the 64-byte Ed25519 signature of `msg`.
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64]>;
}

/// An Ed25519 key pair held by ring. Its `Debug` shows only the public key.
pub struct RingSigner {
    pair: ring::signature::Ed25519KeyPair,
}

impl RingSigner {
    /// From a PKCS#8 v2 document (what ring generates and the wallet keeps in the keystore).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self> {
        ring::signature::Ed25519KeyPair::from_pkcs8(der)
            .map(|pair| RingSigner { pair })
            .map_err(|e| Error::Signing(format!("the stored key is not a valid Ed25519 PKCS#8 v2 key ({e})")))
    }

    /// From a raw 32-byte seed: used for fixed test vectors and nowhere else in the wallet.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self> {
        ring::signature::Ed25519KeyPair::from_seed_unchecked(seed)
            .map(|pair| RingSigner { pair })
            .map_err(|e| Error::Signing(format!("invalid Ed25519 seed ({e})")))
    }

    /// A fresh key pair as PKCS#8 v2 bytes. The caller stores them (zeroizing) and drops them.
    pub fn generate_pkcs8() -> Result<Vec<u8>> {
        let rng = ring::rand::SystemRandom::new();
        ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
            .map(|d| d.as_ref().to_vec())
            .map_err(|_| Error::Signing("could not generate an Ed25519 key".into()))
    }
}

impl Signer for RingSigner {
    fn public_key(&self) -> PublicKey {
        use ring::signature::KeyPair as _;
        let mut k = [0u8; 32];
        k.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(k)
    }

    fn sign(&self, msg: &[u8]) -> Result<[u8; 64]> {
        let sig = self.pair.sign(msg);
        sig.as_ref().try_into().map_err(|_| Error::Signing("unexpected signature length".into()))
    }
}

impl fmt::Debug for RingSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingSigner").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'a str,
    typ: &'a str,
}

#[derive(Deserialize)]
struct HeaderIn {
    alg: Option<serde_json::Value>,
    typ: Option<serde_json::Value>,
    /// Present whatever its value, `null` included: any `crit` member is refused.
    #[serde(default)]
    crit: Present,
}

/// Whether a member was present at all (serde maps a JSON `null` to `None` for an `Option`).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Present(true))
    }
}

/// Deserializes a JSON object. serde would also fill a struct from a JSON array in field
/// order; a JOSE header or a claims set is an object (RFC 7515 §4, RFC 7519 §7.2), nothing else.
pub(crate) fn from_json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(serde::de::Error::custom("expected a JSON object"));
    }
    serde_json::from_slice(bytes)
}

/// Signs `payload` (exact bytes, normally the claims' JSON) as a compact JWS of type `typ`.
pub fn sign(signer: &dyn Signer, typ: &str, payload: &[u8]) -> Result<String> {
    let header = serde_json::to_vec(&HeaderOut { alg: ALG, typ }).map_err(|e| Error::Signing(e.to_string()))?;
    let mut out = URL_SAFE_NO_PAD.encode(header);
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let sig = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(out)
}

/// A compact JWS whose structure and header have been checked but whose signature has not.
#[derive(Debug, Clone)]
pub struct Compact<'a> {
    signing_input: &'a str,
    payload: Vec<u8>,
    signature: [u8; 64],
}

impl<'a> Compact<'a> {
    /// Parses and checks structure and header; does not verify the signature.
    pub fn parse(jws: &'a str, expected_typ: &'static str) -> Result<Self> {
        Self::parse_limited(jws, expected_typ, MAX_JWS_LEN)
    }

    /// [`Compact::parse`] for a document type whose bound is not [`MAX_JWS_LEN`] (a settlement
    /// batch, a statement): the size is still checked before anything is decoded.
    pub fn parse_limited(jws: &'a str, expected_typ: &'static str, max_len: usize) -> Result<Self> {
        if jws.len() > max_len {
            return Err(Error::TooLarge { what: "JWS", len: jws.len(), limit: max_len });
        }
        let mut parts = jws.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(Error::MalformedJws("a compact JWS has exactly three dot-separated parts"));
        };
        let decode =
            |part: &str, what: &'static str| URL_SAFE_NO_PAD.decode(part).map_err(|_| Error::MalformedJws(what));
        let header_bytes = decode(h, "the header is not base64url without padding")?;
        let header: HeaderIn =
            from_json_object(&header_bytes).map_err(|_| Error::MalformedJws("the header is not a JSON object"))?;
        match header.alg {
            Some(serde_json::Value::String(a)) if a == ALG => {}
            Some(serde_json::Value::String(a)) => {
                return Err(Error::UnsupportedAlgorithm(a.chars().take(32).collect()));
            }
            _ => return Err(Error::MalformedJws("the header has no alg string")),
        }
        if header.crit.0 {
            return Err(Error::CriticalHeader);
        }
        match header.typ {
            Some(serde_json::Value::String(t)) if t == expected_typ => {}
            Some(serde_json::Value::String(t)) => {
                return Err(Error::WrongType { expected: expected_typ, found: t.chars().take(64).collect() });
            }
            _ => return Err(Error::WrongType { expected: expected_typ, found: String::new() }),
        }
        let payload = decode(p, "the payload is not base64url without padding")?;
        let signature: [u8; 64] = decode(s, "the signature is not base64url without padding")?
            .try_into()
            .map_err(|_| Error::MalformedJws("an Ed25519 signature is 64 bytes"))?;
        Ok(Compact { signing_input: &jws[..h.len() + 1 + p.len()], payload, signature })
    }

    /// The payload bytes, not yet authenticated.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Verifies the signature under `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        key.verify(self.signing_input.as_bytes(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYP: &str = "centime-test+jws";

    fn signer() -> RingSigner {
        RingSigner::from_seed(&[1; 32]).unwrap()
    }

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn round_trip() {
        let s = signer();
        let jws = sign(&s, TYP, br#"{"a":1}"#).unwrap();
        let c = Compact::parse(&jws, TYP).unwrap();
        c.verify(&s.public_key()).unwrap();
        assert_eq!(c.payload(), br#"{"a":1}"#);
        let other = RingSigner::from_seed(&[2; 32]).unwrap();
        assert_eq!(c.verify(&other.public_key()), Err(Error::BadSignature));
    }

    #[test]
    fn strict_parsing() {
        let s = signer();
        let jws = sign(&s, TYP, b"{}").unwrap();
        let (h, rest) = jws.split_once('.').unwrap();
        let (p, sig) = rest.split_once('.').unwrap();
        let with_header = |hj: &str| format!("{}.{p}.{sig}", b64(hj));

        assert!(matches!(Compact::parse(&format!("{h}.{p}"), TYP), Err(Error::MalformedJws(_))));
        assert!(matches!(Compact::parse(&format!("{jws}.x"), TYP), Err(Error::MalformedJws(_))));
        assert!(matches!(Compact::parse(&format!("{h}=.{p}.{sig}"), TYP), Err(Error::MalformedJws(_))));
        assert!(matches!(
            Compact::parse(&with_header(r#"{"alg":"none","typ":"centime-test+jws"}"#), TYP),
            Err(Error::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            Compact::parse(&with_header(r#"{"alg":"EdDSA","typ":"centime-test+jws"}"#), TYP),
            Err(Error::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            Compact::parse(&with_header(r#"{"alg":"Ed25519","typ":"centime-test+jws","crit":["x"]}"#), TYP),
            Err(Error::CriticalHeader)
        ));
        assert!(matches!(
            Compact::parse(&with_header(r#"{"alg":"Ed25519","typ":"centime-test+jws","crit":null}"#), TYP),
            Err(Error::CriticalHeader)
        ));
        assert!(matches!(
            Compact::parse(&with_header(r#"["Ed25519","centime-test+jws",null]"#), TYP),
            Err(Error::MalformedJws(_))
        ));
        assert!(matches!(Compact::parse(&with_header(r#"{"alg":"Ed25519"}"#), TYP), Err(Error::WrongType { .. })));
        assert!(matches!(
            Compact::parse(&with_header(r#"{"alg":"Ed25519","typ":"other"}"#), TYP),
            Err(Error::WrongType { .. })
        ));
        assert!(matches!(Compact::parse(&"a".repeat(MAX_JWS_LEN + 1), TYP), Err(Error::TooLarge { .. })));
        // A header that changed after signing no longer verifies.
        let reordered = with_header(r#"{"typ":"centime-test+jws","alg":"Ed25519"}"#);
        let c = Compact::parse(&reordered, TYP).unwrap();
        assert_eq!(c.verify(&s.public_key()), Err(Error::BadSignature));
    }

    #[test]
    fn debug_hides_the_private_key() {
        let d = format!("{:?}", signer());
        assert!(d.contains("public_key") && !d.contains("pair"));
    }
}
