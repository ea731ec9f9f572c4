//! Passphrase encryption shared by the file keystore and backups:
//! PBKDF2-HMAC-SHA256 (600,000 iterations or more) derives an AES-256-GCM key.

use std::num::NonZeroU32;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// OWASP's 2023 figure for PBKDF2-HMAC-SHA256; files asking for fewer are refused.
pub const MIN_ITERATIONS: u32 = 600_000;
/// Refuse absurd work factors in a (possibly hostile) file rather than hang.
const MAX_ITERATIONS: u32 = 50_000_000;
/// The shortest passphrase accepted for new secrets.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// A passphrase in a zeroizing buffer.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps the passphrase; the buffer is wiped when dropped.
    pub fn new(s: String) -> Self {
        Passphrase(Zeroizing::new(s))
    }

    /// Checks the length rule for a passphrase that will protect new secrets.
    pub fn check_new(&self) -> Result<()> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::WeakPassphrase(MIN_PASSPHRASE_CHARS));
        }
        Ok(())
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// An encrypted blob with what is needed to decrypt it given the passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    /// The key derivation's name: `pbkdf2-hmac-sha256` is the only one.
    pub kdf: String,
    /// PBKDF2's iterations, at least [`MIN_ITERATIONS`].
    pub iterations: u32,
    /// PBKDF2's salt, base64.
    pub salt: String,
    /// AES-GCM's nonce, base64.
    pub nonce: String,
    /// The encrypted bytes with their GCM tag, base64.
    pub ciphertext: String,
    /// A check value of the derived key (16 bytes of SHA-256 over a label and the key,
    /// base64): it tells a wrong passphrase from a changed ciphertext, which AES-GCM alone
    /// cannot. It lets a guesser test a passphrase no faster than the GCM tag does. Absent
    /// from files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

const KDF: &str = "pbkdf2-hmac-sha256";

const CHECK_LABEL: &[u8] = b"centime-sealed-check/1";

/// The AES key from the passphrase, and its check value.
fn derive(pass: &Passphrase, salt: &[u8], iterations: u32) -> Result<(LessSafeKey, String)> {
    let iters = NonZeroU32::new(iterations).ok_or_else(|| Error::DamagedKeystore("zero iterations".into()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, iters, salt, pass.bytes(), key.as_mut());
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(CHECK_LABEL);
    ctx.update(key.as_ref());
    let check = STANDARD.encode(&ctx.finish().as_ref()[..16]);
    let unbound = UnboundKey::new(&AES_256_GCM, key.as_ref()).map_err(|_| Error::DamagedKeystore("bad key".into()))?;
    Ok((LessSafeKey::new(unbound), check))
}

/// Encrypts `plaintext` under a key derived from `pass` with a fresh salt and nonce; `aad` binds
/// the result to its use (a keystore account, a backup), so it cannot be moved to another.
pub fn seal(pass: &Passphrase, aad: &[u8], plaintext: &[u8]) -> Result<Sealed> {
    let rng = SystemRandom::new();
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut salt).map_err(|_| Error::Integrity("system random generator failed".into()))?;
    rng.fill(&mut nonce).map_err(|_| Error::Integrity("system random generator failed".into()))?;
    let (key, check) = derive(pass, &salt, MIN_ITERATIONS)?;
    let mut buf = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| Error::Integrity("encryption failed".into()))?;
    Ok(Sealed {
        kdf: KDF.into(),
        iterations: MIN_ITERATIONS,
        salt: STANDARD.encode(salt),
        nonce: STANDARD.encode(nonce),
        ciphertext: STANDARD.encode(buf),
        check: Some(check),
    })
}

/// Decrypts. With a check value, a wrong passphrase ([`Error::WrongPassphrase`]) is told apart
/// from a ciphertext changed after sealing ([`Error::DamagedKeystore`]); without one (older
/// files) AES-GCM cannot tell them apart and the error says so.
pub fn open(pass: &Passphrase, aad: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>> {
    let damaged = |what: &str| Error::DamagedKeystore(what.to_owned());
    if sealed.kdf != KDF {
        return Err(damaged("unknown key derivation"));
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&sealed.iterations) {
        return Err(damaged("iteration count outside the accepted range"));
    }
    let salt = STANDARD.decode(&sealed.salt).map_err(|_| damaged("salt is not base64"))?;
    let nonce: [u8; NONCE_LEN] = STANDARD
        .decode(&sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| damaged("nonce is not 12 bytes of base64"))?;
    let mut buf = Zeroizing::new(STANDARD.decode(&sealed.ciphertext).map_err(|_| damaged("ciphertext is not base64"))?);
    let (key, check) = derive(pass, &salt, sealed.iterations)?;
    // A plain comparison: the stored value is in the file for anyone to read, and the computed
    // one comes from the passphrase being tried, so its timing tells nothing new.
    let checked = sealed.check.as_ref().map(|c| *c == check);
    if checked == Some(false) {
        return Err(Error::WrongPassphrase("the passphrase does not open it".into()));
    }
    let plain_len = key
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), buf.as_mut_slice())
        .map_err(|_| match checked {
            Some(_) => damaged("the passphrase is right but the encrypted contents were changed"),
            None => Error::WrongPassphrase("the passphrase does not open it, or the file was changed".into()),
        })?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let p = Passphrase::new("correct horse".into());
        let s = seal(&p, b"aad", b"secret").unwrap();
        assert_eq!(open(&p, b"aad", &s).unwrap().as_slice(), b"secret");
        assert!(matches!(open(&Passphrase::new("wrong one".into()), b"aad", &s), Err(Error::WrongPassphrase(_))));
        // Other associated data under the right passphrase: the sealed context was changed.
        assert!(matches!(open(&p, b"other", &s), Err(Error::DamagedKeystore(_))));
        let mut weak = s.clone();
        weak.iterations = 1000;
        assert!(matches!(open(&p, b"aad", &weak), Err(Error::DamagedKeystore(_))));
        // A changed ciphertext under the right passphrase is damage, not a wrong passphrase.
        let mut changed = s.clone();
        let mut ct = STANDARD.decode(&changed.ciphertext).unwrap();
        ct[0] ^= 1;
        changed.ciphertext = STANDARD.encode(ct);
        assert!(matches!(open(&p, b"aad", &changed), Err(Error::DamagedKeystore(_))));
        assert!(matches!(open(&Passphrase::new("wrong one".into()), b"aad", &changed), Err(Error::WrongPassphrase(_))));
        // A file without a check value (written before it existed) still opens.
        let mut legacy = s.clone();
        legacy.check = None;
        assert_eq!(open(&p, b"aad", &legacy).unwrap().as_slice(), b"secret");
        assert!(matches!(open(&p, b"other", &legacy), Err(Error::WrongPassphrase(_))));
        assert!(format!("{p:?}").contains("redacted"));
    }
}
