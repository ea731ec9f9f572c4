//! The messages of docs/browser.md. Unwrapped ones (`hello`, `pair`, `pairing`, `paired`,
//! `error`) carry a `"type"`; every other one is an [`Envelope`] whose `body` is a [`Request`]
//! or an answer, as JSON text, authenticated by its MAC.

use serde::{Deserialize, Serialize};

use crate::error::{BridgeErrorCode, Error, Result};

/// The protocol's version, in each hello.
pub const VERSION: u32 = 1;

/// The unwrapped messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Control {
    /// Host → app: `{v, caller}`; app → host: `{v, session}`.
    Hello {
        v: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caller: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
    },
    /// Extension → app: asks to pair; `nonce` is 16 random bytes, base64url.
    Pair { nonce: String, label: String },
    /// App → extension, at once: the app's nonce and the code its dialog shows.
    Pairing { nonce: String, code: String },
    /// App → extension, once the user clicked Pair.
    Paired {
        #[serde(rename = "pairingId")]
        pairing_id: String,
        key: String,
    },
    /// A refusal; nothing changed.
    Error {
        code: BridgeErrorCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
}

impl Control {
    pub fn error(code: BridgeErrorCode, message: impl Into<String>) -> Self {
        Control::Error { code, message: Some(message.into()) }
    }
}

/// An authenticated message: a request (extension → app) or its answer (same `seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope {
    pub pairing_id: String,
    pub seq: u64,
    pub body: String,
    pub mac: String,
}

/// One frame as the app receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Control(Control),
    Envelope(Envelope),
}

impl Incoming {
    /// A frame with a `"type"` is unwrapped, anything else must be an envelope.
    pub fn parse(frame: &[u8]) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_slice(frame)?;
        if !v.is_object() {
            return Err(Error::BadInput("a message is a JSON object".into()));
        }
        if v.get("type").is_some() {
            Ok(Incoming::Control(serde_json::from_value(v)?))
        } else {
            Ok(Incoming::Envelope(serde_json::from_value(v)?))
        }
    }
}

/// A request, inside an envelope's `body`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Status,
    Site { url: String },
    Pay { url: String, kind: PayKind },
    Pause,
}

/// What the browser asks to pay for: the page of a tab, or a request a page's script made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PayKind {
    Page,
    Resource,
}

/// An answer's error: a code (the bridge's [`BridgeErrorCode`] or the wallet's `ErrorCode`,
/// as their `Display` writes them) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub code: String,
    pub message: String,
}

/// `{"id":…,"ok":true,…fields}` or `{"id":…,"ok":false,"error":{code,message}}`, as JSON text
/// (an envelope's body).
pub fn answer_ok(id: u64, fields: &impl Serialize) -> Result<String> {
    let mut v = serde_json::to_value(fields)?;
    let obj = v.as_object_mut().ok_or_else(|| Error::BadInput("an answer's fields are an object".into()))?;
    obj.insert("id".into(), id.into());
    obj.insert("ok".into(), true.into());
    Ok(serde_json::to_string(&v)?)
}

pub fn answer_err(id: u64, code: impl std::fmt::Display, message: impl Into<String>) -> Result<String> {
    let e = AnswerError { code: code.to_string(), message: message.into() };
    Ok(serde_json::to_string(&serde_json::json!({ "id": id, "ok": false, "error": e }))?)
}

/// `status`: the balances, paused, locked. Every amount on this path is a decimal string
/// ("0.10"), as the wallet writes its `Micros`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusAnswer {
    pub balances: Vec<Balance>,
    pub paused: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub network: String,
    pub asset: String,
    pub amount: String,
}

/// `site`: the origin, its rule, its last payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteAnswer {
    pub origin: String,
    pub rule: SiteRule,
    pub payments: Vec<SitePayment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RuleMode {
    Ask,
    AutoPay,
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRule {
    pub mode: RuleMode,
    /// The auto-pay budget per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// `day`, `week` or `month`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Spent in the current period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SitePayment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Signed: a payment is negative, as in the app's history.
    pub amount: String,
    pub asset: String,
    /// RFC 3339.
    pub at: String,
    pub status: String,
}

/// `pay`'s outcome.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PayOutcome {
    /// The page asks nothing.
    Free,
    /// Paid now (automatically, or approved in the app) and delivered.
    Paid,
    /// Within the entitlement of an earlier payment: its header reads it again.
    Entitled,
    /// Paid before and not settled yet: its header, never a second payment.
    AlreadyPaid,
    /// The user declined the prompt, or let it expire.
    Declined,
    /// The user's rules refuse it (`reason` says which).
    Refused,
    /// A resource asked for without an auto-pay rule for its site: the app never prompts for one.
    NeedsRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayAnswer {
    pub outcome: PayOutcome,
    /// The `PAYMENT-SIGNATURE` header value the browser's reload carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<bool>,
    /// The wallet's reason code, for `refused`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl PayAnswer {
    pub fn bare(outcome: PayOutcome) -> Self {
        PayAnswer { outcome, header: None, payment_id: None, amount: None, asset: None, automatic: None, reason: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PauseAnswer {
    pub paused: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn messages_have_the_docs_shape() {
        let hello = Incoming::parse(br#"{"type":"hello","v":1,"caller":"moz-extension:browser@centime.org"}"#).unwrap();
        assert_eq!(
            hello,
            Incoming::Control(Control::Hello {
                v: 1,
                caller: Some("moz-extension:browser@centime.org".into()),
                session: None
            })
        );
        let paired = Control::Paired { pairing_id: "p".into(), key: "k".into() };
        assert_eq!(serde_json::to_string(&paired).unwrap(), r#"{"type":"paired","pairingId":"p","key":"k"}"#);
        let err = Control::Error { code: BridgeErrorCode::BadMac, message: None };
        assert_eq!(serde_json::to_string(&err).unwrap(), r#"{"type":"error","code":"bad_mac"}"#);
        let env = Incoming::parse(br#"{"pairingId":"p","seq":7,"body":"{}","mac":"m"}"#).unwrap();
        assert!(matches!(env, Incoming::Envelope(Envelope { seq: 7, .. })));
        assert!(Incoming::parse(b"[1]").is_err());
        assert!(Incoming::parse(br#"{"pairingId":"p","seq":-1,"body":"{}","mac":"m"}"#).is_err());
        let req: Request =
            serde_json::from_str(r#"{"id":7,"type":"pay","url":"https://a.example/x","kind":"resource"}"#).unwrap();
        assert_eq!(req.action, Action::Pay { url: "https://a.example/x".into(), kind: PayKind::Resource });
        let req: Request = serde_json::from_str(r#"{"id":8,"type":"status"}"#).unwrap();
        assert_eq!(req.action, Action::Status);
    }

    #[test]
    fn answers_carry_id_and_ok() {
        let ok = answer_ok(3, &PauseAnswer { paused: true }).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&ok).unwrap(),
            serde_json::json!({"id":3,"ok":true,"paused":true})
        );
        let err = answer_err(4, BridgeErrorCode::BadRequest, "no").unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&err).unwrap(),
            serde_json::json!({"id":4,"ok":false,"error":{"code":"bad_request","message":"no"}})
        );
        let pay = serde_json::to_value(PayAnswer::bare(PayOutcome::NeedsRule)).unwrap();
        assert_eq!(pay, serde_json::json!({"outcome":"needs_rule"}));
    }
}
