//! The HTTP of payments between wallets (docs/protocol.md §14, ADR 25): deposit a transfer at
//! the issuer for a short code, fetch one by its code, redeem one for a credit note, list the
//! inbox. The issuer's address is the one the wallet keeps for a trusted issuer (the user's
//! choice, as for sync): plain HTTP only to this computer unless allowed, every answer read up
//! to its document's bound, and the documents in it checked by the wallet, not here.

use centime_protocol::p2p::{
    DepositAnswer, InboxAnswer, MAX_ANSWER_LEN, MAX_INBOX_LEN, MAX_INBOX_TRANSFERS, MAX_TRANSFER_LEN, RedemptionAnswer,
    TransferCode,
};
use reqwest::StatusCode;
use reqwest::blocking::RequestBuilder;
use serde::de::DeserializeOwned;
use url::Url;

use crate::sync::{issuer_base, printable, read_limited};
use crate::{Client, Error, Result, clip, http_err};

/// Longest refusal body read from the issuer (`{code, message}`).
const MAX_REFUSAL_LEN: u64 = 8 * 1024;

impl Client {
    /// `POST /issuer/transfers`: deposits `transfer_jws` (a TransferDoc JWS the wallet signed
    /// and recorded) and returns its short code. The same transfer again gets the same code.
    pub fn deposit_transfer(&self, issuer_url: &str, transfer_jws: &str) -> Result<DepositAnswer> {
        let url = self.issuer_endpoint(issuer_url, "issuer/transfers")?;
        let req = self.http.post(url.clone()).header(reqwest::header::CONTENT_TYPE, "application/jose");
        self.json_answer(&url, req.body(transfer_jws.trim().to_owned()), StatusCode::CREATED, MAX_ANSWER_LEN)
    }

    /// `GET /issuer/transfers/{code}`: the transfer JWS deposited under `code`, unchecked.
    pub fn fetch_transfer(&self, issuer_url: &str, code: &TransferCode) -> Result<String> {
        let url = self.issuer_endpoint(issuer_url, &format!("issuer/transfers/{}", code.as_str()))?;
        let body = self.answer(&url, self.http.get(url.clone()), StatusCode::OK, MAX_TRANSFER_LEN)?;
        String::from_utf8(body)
            .map(|s| s.trim().to_owned())
            .map_err(|_| http_err(&url, "the issuer's transfer is not UTF-8"))
    }

    /// `POST /issuer/redemptions`: redeems with `request_jws` (a RedemptionRequest the
    /// recipient signed) and returns the credit note JWS, for the wallet to check and record.
    pub fn redeem(&self, issuer_url: &str, request_jws: &str) -> Result<String> {
        let url = self.issuer_endpoint(issuer_url, "issuer/redemptions")?;
        let req = self.http.post(url.clone()).header(reqwest::header::CONTENT_TYPE, "application/jose");
        let answer: RedemptionAnswer =
            self.json_answer(&url, req.body(request_jws.trim().to_owned()), StatusCode::CREATED, MAX_ANSWER_LEN)?;
        Ok(answer.credit)
    }

    /// `POST /issuer/inbox`: the transfer JWS waiting for the wallet that signed
    /// `request_jws` (an InboxRequest), unchecked, at most [`MAX_INBOX_TRANSFERS`].
    pub fn inbox(&self, issuer_url: &str, request_jws: &str) -> Result<Vec<String>> {
        let url = self.issuer_endpoint(issuer_url, "issuer/inbox")?;
        let req = self.http.post(url.clone()).header(reqwest::header::CONTENT_TYPE, "application/jose");
        let answer: InboxAnswer =
            self.json_answer(&url, req.body(request_jws.trim().to_owned()), StatusCode::OK, MAX_INBOX_LEN)?;
        if answer.transfers.len() > MAX_INBOX_TRANSFERS {
            return Err(http_err(
                &url,
                format!("the inbox lists {} transfers, over {MAX_INBOX_TRANSFERS}", answer.transfers.len()),
            ));
        }
        Ok(answer.transfers)
    }

    fn issuer_endpoint(&self, issuer_url: &str, path: &str) -> Result<Url> {
        let url = issuer_base(issuer_url)?
            .join(path)
            .map_err(|e| Error::BadInput(format!("the issuer's address {:?}: {e}", clip(issuer_url))))?;
        self.check_transport(&url)?;
        Ok(url)
    }

    /// Sends `req`; the body of a `want` answer, read up to `limit` bytes, or the issuer's
    /// refusal as [`Error::IssuerRefused`].
    fn answer(&self, url: &Url, req: RequestBuilder, want: StatusCode, limit: usize) -> Result<Vec<u8>> {
        let resp = req.send().map_err(|e| self.send_error(url, &e))?;
        let status = resp.status();
        if status == want {
            return read_limited(url, resp, u64::try_from(limit).unwrap_or(u64::MAX));
        }
        let body = read_limited(url, resp, MAX_REFUSAL_LEN).unwrap_or_default();
        Err(refusal(url, status, &body))
    }

    fn json_answer<T: DeserializeOwned>(
        &self,
        url: &Url,
        req: RequestBuilder,
        want: StatusCode,
        limit: usize,
    ) -> Result<T> {
        let body = self.answer(url, req, want, limit)?;
        serde_json::from_slice(&body)
            .map_err(|e| http_err(url, format!("the issuer's answer is not what §14 says: {e}")))
    }
}

/// The issuer's `{code, message}` refusal: a client error with its code is the issuer's
/// decision about this request; anything else (a 5xx, a body that is not one) is trouble on
/// the way.
fn refusal(url: &Url, status: StatusCode, body: &[u8]) -> Error {
    let v: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let code = v.as_ref().and_then(|v| v.get("code")).and_then(|c| c.as_str()).filter(|c| is_code(c));
    match code {
        Some(code) if status.is_client_error() => Error::IssuerRefused {
            url: clip(url.as_str()),
            status: status.as_u16(),
            code: code.to_owned(),
            message: printable(
                v.as_ref().and_then(|v| v.get("message")).and_then(|m| m.as_str()).unwrap_or_default().as_bytes(),
            ),
        },
        _ => http_err(url, format!("the issuer answered {status}: {}", printable(body))),
    }
}

/// A stable code as the issuer writes them: 1–64 of `a-z`, `0-9`, `_`.
fn is_code(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_issuer_s_code_only_when_it_is_one() {
        let url = Url::parse("http://127.0.0.1:1/issuer/redemptions").unwrap();
        let e = refusal(&url, StatusCode::CONFLICT, br#"{"code":"already_redeemed","message":"twice\u001b[1A"}"#);
        match &e {
            Error::IssuerRefused { status, code, message, .. } => {
                assert_eq!((*status, code.as_str(), message.as_str()), (409, "already_redeemed", "twice[1A"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.issuer_code(), Some("already_redeemed"));
        for (status, body) in [
            (StatusCode::CONFLICT, &br#"{"code":"Already Redeemed"}"#[..]),
            (StatusCode::CONFLICT, b"not json"),
            (StatusCode::INTERNAL_SERVER_ERROR, br#"{"code":"internal"}"#),
        ] {
            assert!(matches!(refusal(&url, status, body), Error::Http { .. }), "{status} {body:?}");
        }
    }
}
