//! The issuer's test suite, one body per behaviour, run on each backend by the `backend_suite!`
//! macro (tests/sqlite.rs, tests/postgres.rs). The issuer runs in-process behind a real axum
//! server on 127.0.0.1, its clock a [`FixedClock`] the tests move; everything is asked over HTTP.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod bodies;
pub mod transfers;
pub mod wallets;

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use centime_issuer::{Config, Issuer, MerchantRecord};
use centime_protocol::documents;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::revocation::RevocationList;
use centime_protocol::settlement::{SettlementAnswer, SettlementRequest};
use centime_protocol::statement::{Statement, StatementRequest};
use centime_protocol::{Amount, Asset, FixedClock, Micros, Network, PaymentId, PaymentRequirements, ResourceInfo};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

/// Where the ledger is.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The variable scripts/with-postgres.sh sets.
pub const POSTGRES_VAR: &str = "CENTIME_TEST_POSTGRES";

pub fn network() -> Network {
    "centime:demo".parse().unwrap()
}

pub fn wall_clock() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A fresh, empty database on the cluster scripts/with-postgres.sh started.
fn fresh_postgres() -> String {
    let Ok(base) = std::env::var(POSTGRES_VAR) else {
        panic!(
            "{POSTGRES_VAR} is not set: the PostgreSQL suite needs a server; run it as \
             `scripts/with-postgres.sh cargo test -p centime-issuer --test postgres` (make issuer-postgres)"
        );
    };
    let name = format!("centime_t_{}", centime_issuer::issuer::random_id().unwrap().to_lowercase().replace('-', "_"));
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

/// A registered merchant and the key that signs its settlement requests.
pub struct Merchant {
    pub signer: RingSigner,
    pub pay_to: String,
}

pub struct Harness {
    pub base: String,
    pub issuer: Arc<Issuer>,
    pub clock: Arc<FixedClock>,
    pub http: Client,
    pub database: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.server.take() {
            let _ = t.join();
        }
    }
}

impl Harness {
    pub fn start(backend: Backend) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let database = match backend {
            Backend::Sqlite => format!("sqlite:{}", dir.path().join("issuer.sqlite3").display()),
            Backend::Postgres => fresh_postgres(),
        };
        let store = centime_issuer::open_store(&database).unwrap();
        let clock = Arc::new(FixedClock::new(wall_clock()));
        let signer = centime_issuer::keys::load_or_create(&dir.path().join("issuer.pk8")).unwrap();
        let issuer = Arc::new(Issuer::new(signer, Config::demo(network(), "Test Issuer"), store, clock.clone()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = centime_issuer::http::router(issuer.clone());
        let server = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(l, router)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let http = Client::builder().timeout(std::time::Duration::from_secs(120)).build().unwrap();
        Harness { base, issuer, clock, http, database, stop: Some(stop), server: Some(server), _dir: dir }
    }

    pub fn now(&self) -> u64 {
        use centime_protocol::Clock as _;
        self.clock.now()
    }

    /// Registers the merchant `pay_to`, its key derived from `seed`.
    pub fn merchant(&self, seed: u8, pay_to: &str) -> Merchant {
        let signer = RingSigner::from_seed(&[seed; 32]).unwrap();
        self.issuer
            .register_merchant(&MerchantRecord {
                pay_to: pay_to.to_owned(),
                key: signer.public_key(),
                name: format!("Shop {pay_to}"),
                origins: vec![format!("https://{pay_to}.example")],
            })
            .unwrap();
        Merchant { signer, pay_to: pay_to.to_owned() }
    }

    /// Tops the wallet up by `amount` EUR ("5.00") over HTTP.
    pub fn credit(&self, wallet: &RingSigner, amount: &str) {
        let r = self
            .http
            .post(format!("{}/issuer/topups", self.base))
            .json(&json!({"wallet": wallet.public_key().to_string(), "amount": amount, "asset": "EUR"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().unwrap());
    }

    /// An authorization of `micros` EUR from `wallet` to `pay_to` with `seq`, valid for
    /// `timeout` seconds from the issuer's now, signed as the wallet signs it.
    pub fn authorization(&self, wallet: &RingSigner, pay_to: &str, micros: i64, seq: u64, timeout: u64) -> String {
        let price = Amount::new(Micros::from_micros(micros), Asset::EUR);
        let offer = PaymentRequirements::centime(&network(), pay_to, price, timeout, "Shop", None).unwrap();
        let resource = ResourceInfo {
            url: format!("https://{pay_to}.example/page/{seq}"),
            description: None,
            mime_type: None,
            other: Default::default(),
        };
        let claims =
            authorization_claims(wallet.public_key(), &resource, &offer, PaymentId::random().unwrap(), seq, self.now())
                .unwrap();
        sign_payload(wallet, &resource, &offer, &Default::default(), &claims).unwrap().payload.authorization
    }

    pub fn request(&self, m: &Merchant, request_id: &str, auths: &[String]) -> SettlementRequest {
        SettlementRequest {
            iss: m.signer.public_key(),
            network: network(),
            pay_to: m.pay_to.clone(),
            request_id: request_id.to_owned(),
            issued_at: self.now(),
            authorizations: auths.to_vec(),
        }
    }

    pub fn post_settlement(&self, body: String) -> Response {
        self.http
            .post(format!("{}/issuer/settlements", self.base))
            .header("Content-Type", "application/jose")
            .body(body)
            .send()
            .unwrap()
    }

    /// Settles `auths` as `m`, and checks the answer is the issuer's, to this request.
    pub fn settle(&self, m: &Merchant, auths: &[String]) -> SettlementAnswer {
        let request = self.request(m, &format!("b_{}", centime_issuer::issuer::random_id().unwrap()), auths);
        let jws = documents::sign(&m.signer, &request).unwrap();
        let r = self.post_settlement(jws);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/jose");
        SettlementAnswer::open_for(&r.text().unwrap(), &self.issuer.public_key(), &request).unwrap()
    }

    pub fn statement_request(&self, wallet: &RingSigner) -> StatementRequest {
        StatementRequest {
            from: wallet.public_key(),
            network: network(),
            issued_at: self.now(),
            nonce: centime_protocol::ids::random_nonce().unwrap(),
        }
    }

    pub fn post_statement(&self, body: String) -> Response {
        self.http
            .post(format!("{}/issuer/statements", self.base))
            .header("Content-Type", "application/jose")
            .body(body)
            .send()
            .unwrap()
    }

    /// The wallet's statement, asked with its own key, checked as the wallet checks it.
    pub fn statement(&self, wallet: &RingSigner) -> Statement {
        let request = self.statement_request(wallet);
        let r = self.post_statement(documents::sign(wallet, &request).unwrap());
        assert_eq!(r.status(), StatusCode::OK);
        Statement::open_for(&r.text().unwrap(), &self.issuer.public_key(), &request).unwrap()
    }

    pub fn revocations(&self) -> RevocationList {
        let r = self.http.get(format!("{}/issuer/revocations", self.base)).send().unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        RevocationList::open_trusted(&r.text().unwrap(), &self.issuer.public_key()).unwrap()
    }
}

/// An error answer's `code`.
pub fn code(r: Response) -> (StatusCode, String) {
    let status = r.status();
    let v: Value = r.json().unwrap();
    (status, v["code"].as_str().unwrap().to_owned())
}

/// Credited and spent in EUR, in micro-units, as the statement writes them.
pub fn eur(s: &Statement) -> (i64, i64) {
    let Some(t) = s.totals.iter().find(|t| t.asset == Asset::EUR) else { return (0, 0) };
    let unit = 10_i64.pow(6 - u32::from(t.asset_scale));
    (t.credited.parse::<i64>().unwrap() * unit, t.spent.parse::<i64>().unwrap() * unit)
}

/// The test functions of every body, for one backend: `module::{name, …}` per module of bodies.
macro_rules! backend_suite {
    ($backend:expr, $($module:ident :: { $($name:ident),+ $(,)? }),+ $(,)?) => {
        $($(
            #[test]
            fn $name() {
                suite::$module::$name(suite::Harness::start($backend));
            }
        )+)+
    };
}
