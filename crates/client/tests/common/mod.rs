//! What the client's tests share: a wallet funded with 5.00 EUR in a temporary directory (its
//! keys in memory), offers and requests, and a client with a short timeout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::sync::Mutex;

use centime_client::Client;
use centime_core::keystore::{KeyStore, KeystoreKind, Secrets};
use centime_core::{Issuer, Wallet};
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Amount, Asset, Micros, Network, PaymentRequired, PaymentRequirements, ResourceInfo};

#[derive(Debug, Default)]
pub struct MemKeyStore(Mutex<Option<Vec<u8>>>);

impl KeyStore for MemKeyStore {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::Os
    }
    fn load(&self, _: &str) -> centime_core::Result<Option<Secrets>> {
        self.0.lock().unwrap().as_deref().map(Secrets::decode).transpose()
    }
    fn save(&self, _: &str, s: &Secrets) -> centime_core::Result<()> {
        *self.0.lock().unwrap() = Some(s.encode().to_vec());
        Ok(())
    }
    fn probe(&self) -> centime_core::Result<()> {
        Ok(())
    }
}

pub fn network() -> Network {
    "centime:test".parse().unwrap()
}

pub fn offer(pay_to: &str, micros: i64, timeout: u64, net: &Network) -> PaymentRequirements {
    PaymentRequirements::centime(
        net,
        pay_to,
        Amount::new(Micros::from_micros(micros), Asset::EUR),
        timeout,
        "Site",
        None,
    )
    .unwrap()
}

pub fn required(url: &str, offers: Vec<PaymentRequirements>) -> PaymentRequired {
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo {
            url: url.into(),
            description: Some("A page".into()),
            mime_type: None,
            other: Default::default(),
        },
        accepts: offers,
        extensions: Default::default(),
        other: Default::default(),
    }
}

pub struct Setup {
    pub _dir: tempfile::TempDir,
    pub wallet: Wallet,
}

pub fn wallet() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let issuer = RingSigner::from_seed(&[7; 32]).unwrap();
    let ks = MemKeyStore::default();
    let mut wallet =
        Wallet::init(dir.path(), &ks, &[Issuer { network: network(), public_key: issuer.public_key(), name: None }])
            .unwrap();
    let credit = CreditClaims {
        iss: issuer.public_key(),
        network: network(),
        sub: wallet.id(),
        credit_id: "c1".into(),
        value: "500".into(),
        asset: Asset::EUR,
        asset_scale: 2,
        issued_at: 1,
    };
    wallet.topup(&documents::sign(&issuer, &credit).unwrap()).unwrap();
    Setup { _dir: dir, wallet }
}

pub fn client() -> Client {
    Client::new(std::time::Duration::from_secs(5)).unwrap()
}
