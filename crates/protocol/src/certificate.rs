//! The merchant certificate (ADR 21 §8): the issuer vouches for a merchant's name, origins,
//! `payTo` and receipt key.

use serde::{Deserialize, Serialize};

use crate::documents::{self, Document};
use crate::error::{Error, Result};
use crate::ids::{Network, PublicKey};
use crate::settlement::invalid;

/// The JWS `typ` of a merchant certificate.
pub const MERCHANT_CERTIFICATE_TYP: &str = "centime-merchant-certificate+jws";
/// Most origins one certificate names.
pub const MAX_CERTIFICATE_ORIGINS: usize = 16;

/// An issuer's signed statement of who a merchant is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantCertificate {
    /// The issuer's key, which verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// The merchant's account at the issuer.
    pub pay_to: String,
    /// The web origins (`scheme://host[:port]`, lowercase, no path) the merchant sells from.
    pub origins: Vec<String>,
    /// The key that signs the merchant's receipts (and its settlement requests).
    pub receipt_key: PublicKey,
    /// The merchant's name as the issuer registered it.
    pub name: String,
    /// When the issuer signed it.
    pub issued_at: u64,
    /// Not valid from this Unix second on.
    pub not_after: u64,
}

impl Document for MerchantCertificate {
    const TYP: &'static str = MERCHANT_CERTIFICATE_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl MerchantCertificate {
    /// Opens a certificate signed by the trusted `issuer` and valid at `now`: 1 to
    /// [`MAX_CERTIFICATE_ORIGINS`] origins, a name, `issuedAt` before `notAfter`.
    pub fn open_trusted(jws: &str, issuer: &PublicKey, now: u64) -> Result<Self> {
        let c: MerchantCertificate = documents::open(jws)?;
        if &c.iss != issuer {
            return Err(Error::UntrustedSigner { what: "merchant certificate" });
        }
        c.check()?;
        if now >= c.not_after {
            return Err(invalid("merchant certificate", "it has expired (notAfter has passed)"));
        }
        Ok(c)
    }

    /// The checks that need no clock.
    pub fn check(&self) -> Result<()> {
        if self.origins.is_empty() || self.origins.len() > MAX_CERTIFICATE_ORIGINS {
            return Err(invalid("merchant certificate", "it names 1 to 16 origins"));
        }
        if self.name.trim().is_empty() || self.pay_to.is_empty() {
            return Err(invalid("merchant certificate", "it has no name or no payTo"));
        }
        if self.not_after <= self.issued_at {
            return Err(invalid("merchant certificate", "notAfter is not after issuedAt"));
        }
        Ok(())
    }

    /// Whether `origin` (`scheme://host[:port]`) is one the certificate names.
    pub fn covers_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}
