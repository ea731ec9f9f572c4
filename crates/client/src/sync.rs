//! The HTTP of a wallet's sync (ADR 21 §7, ADR 22): the issuer's settlement period from
//! `GET /issuer`, the signed statement request to `POST /issuer/statements`, and the answer,
//! read up to [`MAX_STATEMENT_LEN`] and handed to the wallet, which checks it.
//!
//! The app holds its wallet only around [`Wallet::statement_request`] and
//! [`Wallet::apply_statement`], never while the issuer takes its time: it calls
//! [`Client::fetch_statement`] between the two. [`Client::sync`] does all three for the CLI.

use std::io::Read as _;

use centime_core::{PreparedSync, SyncResult, Wallet};
use centime_protocol::Network;
use centime_protocol::settlement::DEFAULT_SETTLEMENT_PERIOD_SECONDS;
use centime_protocol::statement::MAX_STATEMENT_LEN;
use reqwest::blocking::Response;
use url::Url;

use crate::{Client, Error, Result, clip, http_err};

/// Longest `GET /issuer` description read.
const MAX_DESCRIPTION_LEN: u64 = 64 * 1024;

/// An issuer's answer to a statement request, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedStatement {
    /// The statement as the issuer sent it (a compact JWS).
    pub jws: String,
    /// How long after an authorization's `validBefore` the issuer still settles it.
    pub settlement_period_seconds: u64,
}

impl Client {
    /// Syncs `wallet` with `network`'s issuer at `base` (or at the URL the wallet keeps for
    /// it): asks for a statement signed to this request and applies it.
    pub fn sync(&self, wallet: &mut Wallet, network: &Network, base: Option<&str>) -> Result<SyncResult> {
        let base = match base {
            Some(b) => b.to_owned(),
            None => wallet.issuer_url(network)?.ok_or_else(|| centime_core::Error::NoIssuerUrl(network.to_string()))?,
        };
        let prepared = wallet.statement_request(network)?;
        let fetched = self.fetch_statement(&base, &prepared)?;
        Ok(wallet.apply_statement(&prepared, &fetched.jws, fetched.settlement_period_seconds)?)
    }

    /// Sends `prepared` to the issuer at `base` and reads its statement and settlement period.
    pub fn fetch_statement(&self, base: &str, prepared: &PreparedSync) -> Result<FetchedStatement> {
        let base = issuer_base(base)?;
        let described = base.join("issuer").map_err(|e| Error::BadInput(format!("the issuer's address: {e}")))?;
        let statements =
            base.join("issuer/statements").map_err(|e| Error::BadInput(format!("the issuer's address: {e}")))?;
        self.check_transport(&statements)?;
        let settlement_period_seconds = self.settlement_period(&described)?;
        let resp = self
            .http
            .post(statements.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/jose")
            .body(prepared.jws.clone())
            .send()
            .map_err(|e| self.send_error(&statements, &e))?;
        let status = resp.status();
        let body = read_limited(&statements, resp, u64::try_from(MAX_STATEMENT_LEN).unwrap_or(u64::MAX))?;
        if !status.is_success() {
            return Err(http_err(&statements, format!("the issuer answered {status}: {}", printable(&body))));
        }
        let jws = String::from_utf8(body)
            .map_err(|_| centime_core::Error::BadStatement("the issuer's answer is not UTF-8".into()))?;
        Ok(FetchedStatement { jws: jws.trim().to_owned(), settlement_period_seconds })
    }

    /// The issuer's `settlementPeriodSeconds`, never less than the protocol's default.
    ///
    /// The description is not signed: a shorter period given on the way would make the wallet
    /// call a refund final while the issuer may still settle it, so only a longer one is taken.
    /// A longer one only delays calling refunds final.
    fn settlement_period(&self, url: &Url) -> Result<u64> {
        let resp = self.http.get(url.clone()).send().map_err(|e| self.send_error(url, &e))?;
        let status = resp.status();
        let body = read_limited(url, resp, MAX_DESCRIPTION_LEN)?;
        if !status.is_success() {
            return Err(http_err(url, format!("the issuer answered {status}: {}", printable(&body))));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| http_err(url, format!("the description is not JSON: {e}")))?;
        let period = match v.get("settlementPeriodSeconds") {
            None | Some(serde_json::Value::Null) => DEFAULT_SETTLEMENT_PERIOD_SECONDS,
            Some(p) => p.as_u64().ok_or_else(|| {
                http_err(url, "the description's settlementPeriodSeconds is not a whole number of seconds")
            })?,
        };
        Ok(period.max(DEFAULT_SETTLEMENT_PERIOD_SECONDS))
    }
}

/// `base` as a URL whose path ends in `/`, so that joining `issuer/…` keeps a path prefix.
pub(crate) fn issuer_base(base: &str) -> Result<Url> {
    let mut url = Url::parse(base.trim())
        .map_err(|e| Error::BadInput(format!("the issuer's address {:?} is not a URL: {e}", clip(base))))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::BadInput(format!("the issuer's address {:?} is not an http(s) URL", clip(base))));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

pub(crate) fn read_limited(url: &Url, resp: Response, limit: u64) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    resp.take(limit + 1).read_to_end(&mut body).map_err(|e| http_err(url, format!("reading the response: {e}")))?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > limit {
        return Err(http_err(url, format!("the response is over the limit of {limit} bytes")));
    }
    Ok(body)
}

/// An error body as a short line, control characters dropped (it is the issuer's text).
pub(crate) fn printable(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::issuer_base;

    #[test]
    fn the_issuers_address_keeps_its_path_and_drops_query_and_fragment() {
        let u = issuer_base("http://127.0.0.1:8080").unwrap();
        assert_eq!(u.join("issuer/statements").unwrap().as_str(), "http://127.0.0.1:8080/issuer/statements");
        let u = issuer_base("https://bank.example/centime?x=1#y").unwrap();
        assert_eq!(u.join("issuer").unwrap().as_str(), "https://bank.example/centime/issuer");
        for bad in ["", "bank.example", "ftp://bank.example", "file:///tmp/x"] {
            assert!(issuer_base(bad).is_err(), "{bad:?}");
        }
    }
}
