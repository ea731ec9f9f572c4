//! The x402 v2-shaped messages and their HTTP header encoding (base64 of JSON).
//!
//! Requirements are read loosely (a 402 may offer schemes and networks Centime does not
//! know) and checked strictly when the wallet or merchant turns one into [`Terms`].
//! Unknown fields are kept in `other` so that what the wallet echoes back is what it got.
//! Text meant for people (a description, a merchant's name, a refusal's sentence) is made
//! inert as it is read ([`crate::text`]); what is signed or compared is kept byte for byte.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ids::{Network, PaymentId};
use crate::money::{Amount, Asset, Micros};
use crate::text;

/// The x402 version Centime speaks.
pub const X402_VERSION: u64 = 2;
/// Header sent by the merchant with a 402.
pub const PAYMENT_REQUIRED: &str = "PAYMENT-REQUIRED";
/// Header sent by the wallet when it retries with a payment.
pub const PAYMENT_SIGNATURE: &str = "PAYMENT-SIGNATURE";
/// Header sent by the merchant with the paid response.
pub const PAYMENT_RESPONSE: &str = "PAYMENT-RESPONSE";
/// The only scheme Centime pays with.
pub const SCHEME_EXACT: &str = "exact";
/// Name of x402's payment-identifier extension.
pub const PAYMENT_IDENTIFIER: &str = "payment-identifier";
/// A header value longer than this is refused before it is decoded.
pub const MAX_HEADER_LEN: usize = 16 * 1024;
/// Same bound for a JSON body carrying the requirements.
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// More offers than this in one 402 is refused.
pub const MAX_ACCEPTS: usize = 32;
const MAX_PAY_TO: usize = 128;

/// Base64 that writes padding and reads it either way (some x402 servers omit it).
const B64_READ: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a merchant's 402 says: the resource and the ways it may be paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequired {
    /// Always 2.
    pub x402_version: u64,
    /// A refusal's code or sentence: cleaned as it is read, at most [`text::MAX_REASON`].
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "text::de::reason")]
    pub error: Option<String>,
    /// What is paid for.
    pub resource: ResourceInfo,
    /// The ways it may be paid.
    pub accepts: Vec<PaymentRequirements>,
    /// x402 extensions (`payment-identifier`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extensions: Map<String, Value>,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The resource a 402 prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceInfo {
    /// Signed (`resource`) and compared: never changed.
    pub url: String,
    /// For people only: cleaned as it is read, at most [`text::MAX_DESCRIPTION`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "text::de::description")]
    pub description: Option<String>,
    /// Cleaned as it is read, at most [`text::MAX_MIME_TYPE`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "text::de::mime_type")]
    pub mime_type: Option<String>,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One way to pay, as offered. Fields are kept as received; see [`PaymentRequirements::terms`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequirements {
    /// `exact` for Centime.
    pub scheme: String,
    /// The network, as received (`centime:<issuer>`).
    pub network: String,
    /// The price in minor units, as received.
    pub amount: String,
    /// The ISO 4217 code, as received.
    pub asset: String,
    /// The merchant's account at the issuer.
    pub pay_to: String,
    /// The longest validity window accepted.
    pub max_timeout_seconds: u64,
    /// `assetScale`, `merchantName`, `entitlementSeconds`.
    #[serde(default)]
    pub extra: Map<String, Value>,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A requirement Centime can pay, with every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The issuer's network.
    pub network: Network,
    /// The price.
    pub price: Amount,
    /// The decimals of the wire amount.
    pub asset_scale: u8,
    /// The merchant's account at the issuer.
    pub pay_to: String,
    /// The longest validity window accepted.
    pub max_timeout_seconds: u64,
    /// `extra.merchantName` as it may be shown ([`text::clean`]); the offer keeps the original,
    /// which the payment echoes and hashes.
    pub merchant_name: Option<String>,
    /// How long a paid page stays free to the same wallet.
    pub entitlement_seconds: Option<u64>,
}

impl PaymentRequirements {
    /// A Centime offer: `exact` scheme, amount written at the smallest exact scale.
    pub fn centime(
        network: &Network,
        pay_to: &str,
        price: Amount,
        max_timeout_seconds: u64,
        merchant_name: &str,
        entitlement_seconds: Option<u64>,
    ) -> Result<Self> {
        let scale = price.micros.natural_scale();
        let mut extra = Map::new();
        extra.insert("assetScale".into(), Value::from(scale));
        extra.insert("merchantName".into(), Value::from(merchant_name));
        if let Some(s) = entitlement_seconds {
            extra.insert("entitlementSeconds".into(), Value::from(s));
        }
        let req = PaymentRequirements {
            scheme: SCHEME_EXACT.into(),
            network: network.to_string(),
            amount: price.micros.to_wire(scale)?,
            asset: price.asset.to_string(),
            pay_to: pay_to.into(),
            max_timeout_seconds,
            extra,
            other: Map::new(),
        };
        req.terms()?;
        Ok(req)
    }

    /// This offer with its amount written at `scale`: a merchant gives all its offers of one
    /// asset one scale, because x402 clients cap spending by comparing the integer `amount`s,
    /// and `"5"` at scale 2 is ten times `"50"` at scale 4 (docs/protocol.md §3). Refuses a
    /// price that is not exact at `scale`.
    pub fn with_scale(mut self, scale: u8) -> Result<Self> {
        let price = self.terms()?.price;
        self.amount = price.micros.to_wire(scale)?;
        self.extra.insert("assetScale".into(), Value::from(scale));
        self.terms()?;
        Ok(self)
    }

    /// Checks this offer as a Centime payment and returns its typed terms.
    pub fn terms(&self) -> Result<Terms> {
        if self.scheme != SCHEME_EXACT {
            return Err(Error::reject(
                crate::verify::Rejection::UnsupportedScheme,
                format!("scheme {:?} is not \"exact\"", clip(&self.scheme)),
            ));
        }
        let network: Network = self.network.parse()?;
        let asset: Asset = self.asset.parse()?;
        let scale = self.extra.get("assetScale").and_then(Value::as_i64).ok_or(Error::Json {
            what: "payment requirements",
            detail: "extra.assetScale must be an integer 0..=6".into(),
        })?;
        let micros = Micros::from_wire(&self.amount, scale)?;
        if !micros.is_positive() {
            return Err(Error::InvalidWireAmount { value: self.amount.clone() });
        }
        check_pay_to(&self.pay_to)?;
        let merchant_name = match self.extra.get("merchantName") {
            None => None,
            Some(Value::String(s))
                if s.chars().count() <= text::MAX_MERCHANT_NAME && !s.chars().any(char::is_control) =>
            {
                text::clean_opt(Some(s), text::MAX_MERCHANT_NAME)
            }
            Some(_) => {
                return Err(Error::Json {
                    what: "payment requirements",
                    detail: "extra.merchantName must be a string of at most 128 printable characters".into(),
                });
            }
        };
        let entitlement_seconds = match self.extra.get("entitlementSeconds") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or(Error::Json {
                what: "payment requirements",
                detail: "extra.entitlementSeconds must be a non-negative integer".into(),
            })?),
        };
        Ok(Terms {
            network,
            price: Amount::new(micros, asset),
            asset_scale: u8::try_from(scale).map_err(|_| Error::InvalidScale(scale))?,
            pay_to: self.pay_to.clone(),
            max_timeout_seconds: self.max_timeout_seconds,
            merchant_name,
            entitlement_seconds,
        })
    }

    /// The JSON value of this offer, as it is echoed in `accepted` and hashed.
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|e| Error::json("payment requirements", e))
    }
}

/// payTo is signed (`to`), so it cannot be cleaned: one that hides characters is refused.
fn check_pay_to(s: &str) -> Result<()> {
    if s.is_empty() || s.len() > MAX_PAY_TO || s.chars().any(text::is_hidden) {
        return Err(Error::Json {
            what: "payment requirements",
            detail: "payTo must be 1-128 printable characters".into(),
        });
    }
    Ok(())
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

impl PaymentRequired {
    /// Decodes a `PAYMENT-REQUIRED` header value.
    pub fn from_header(value: &str) -> Result<Self> {
        let pr: PaymentRequired = decode_header("PAYMENT-REQUIRED", value)?;
        pr.check()
    }

    /// Reads the requirements from a 402's JSON body, in the v2 shape or x402 v1's
    /// (`maxAmountRequired` and the resource inside each offer).
    pub fn from_json_body(body: &[u8]) -> Result<Self> {
        if body.len() > MAX_BODY_LEN {
            return Err(Error::TooLarge { what: "402 body", len: body.len(), limit: MAX_BODY_LEN });
        }
        let v: Value = serde_json::from_slice(body).map_err(|e| Error::json("402 body", e))?;
        let version = v.get("x402Version").and_then(Value::as_u64).unwrap_or(0);
        let required = match version {
            1 => Self::from_v1(v)?,
            X402_VERSION => serde_json::from_value::<PaymentRequired>(v)
                .map_err(|e| Error::json("402 body", e))
                .and_then(Self::check)?,
            other => return Err(Error::UnsupportedVersion(other)),
        };
        // A body may be four times the size of a header: a request is accepted only if it fits
        // in a PAYMENT-REQUIRED header, like one that came as a header, so that its payment
        // fits in a PAYMENT-SIGNATURE the merchant reads.
        let len = required.to_header()?.len();
        if len > MAX_HEADER_LEN {
            return Err(Error::TooLarge { what: "PAYMENT-REQUIRED", len, limit: MAX_HEADER_LEN });
        }
        Ok(required)
    }

    fn from_v1(mut v: Value) -> Result<Self> {
        let accepts = v
            .get_mut("accepts")
            .and_then(Value::as_array_mut)
            .ok_or(Error::Json { what: "402 body", detail: "x402 v1 body without an accepts array".into() })?;
        let mut resource = None;
        let mut out = Vec::new();
        for a in accepts.iter_mut() {
            let Some(obj) = a.as_object_mut() else {
                return Err(Error::Json { what: "402 body", detail: "an offer is not an object".into() });
            };
            let url = obj.remove("resource");
            let description = obj.remove("description");
            let mime = obj.remove("mimeType");
            if let Some(amount) = obj.remove("maxAmountRequired") {
                obj.insert("amount".into(), amount);
            }
            if resource.is_none() {
                let url = url
                    .and_then(|u| u.as_str().map(str::to_owned))
                    .ok_or(Error::Json { what: "402 body", detail: "x402 v1 offer without a resource URL".into() })?;
                resource = Some(ResourceInfo {
                    url,
                    description: text::clean_opt(description.as_ref().and_then(Value::as_str), text::MAX_DESCRIPTION),
                    mime_type: text::clean_opt(mime.as_ref().and_then(Value::as_str), text::MAX_MIME_TYPE),
                    other: Map::new(),
                });
            }
            out.push(serde_json::from_value(Value::Object(obj.clone())).map_err(|e| Error::json("402 body", e))?);
        }
        let resource = resource.ok_or(Error::Json { what: "402 body", detail: "no offers".into() })?;
        let error = text::clean_opt(v.get("error").and_then(Value::as_str), text::MAX_REASON);
        PaymentRequired { x402_version: 1, error, resource, accepts: out, extensions: Map::new(), other: Map::new() }
            .check()
    }

    fn check(self) -> Result<Self> {
        if self.x402_version != X402_VERSION && self.x402_version != 1 {
            return Err(Error::UnsupportedVersion(self.x402_version));
        }
        if self.accepts.len() > MAX_ACCEPTS {
            return Err(Error::Json { what: "402", detail: format!("more than {MAX_ACCEPTS} offers") });
        }
        // Signed and compared, so it cannot be cleaned: a URL is percent-encoded, and one
        // that carries raw controls or invisible characters is refused.
        if self.resource.url.chars().any(text::is_hidden) {
            return Err(Error::Json {
                what: "402",
                detail: "resource.url contains control, bidi or invisible characters".into(),
            });
        }
        Ok(self)
    }

    /// Encodes as a `PAYMENT-REQUIRED` header value.
    pub fn to_header(&self) -> Result<String> {
        encode_header(self)
    }

    /// The x402 declaration that this merchant reads the payment-identifier extension.
    pub fn declare_payment_identifier(&mut self) {
        let mut info = Map::new();
        info.insert("required".into(), Value::Bool(false));
        let mut ext = Map::new();
        ext.insert("info".into(), Value::Object(info));
        self.extensions.insert(PAYMENT_IDENTIFIER.into(), Value::Object(ext));
    }
}

/// What the wallet sends back in `PAYMENT-SIGNATURE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPayload {
    /// Always 2.
    pub x402_version: u64,
    /// What is paid for.
    pub resource: ResourceInfo,
    /// The chosen requirement, verbatim as offered.
    pub accepted: Value,
    /// The signed authorization.
    pub payload: AuthorizationEnvelope,
    /// x402 extensions (`payment-identifier`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extensions: Map<String, Value>,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The `payload` of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationEnvelope {
    /// The JWS compact authorization.
    pub authorization: String,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl PaymentPayload {
    /// Decodes a `PAYMENT-SIGNATURE` header value.
    pub fn from_header(value: &str) -> Result<Self> {
        let p: PaymentPayload = decode_header("PAYMENT-SIGNATURE", value)?;
        if p.x402_version != X402_VERSION {
            return Err(Error::UnsupportedVersion(p.x402_version));
        }
        Ok(p)
    }

    /// Encodes as a `PAYMENT-SIGNATURE` header value, at most [`MAX_HEADER_LEN`] bytes: a
    /// payment the merchant would refuse unread is never made.
    pub fn to_header(&self) -> Result<String> {
        encode_bounded("PAYMENT-SIGNATURE", self)
    }

    /// The payment id carried by the payment-identifier extension, if any.
    ///
    /// An extension without `info.id` is absent: x402 clients echo the merchant's declaration
    /// (`{"info": {"required": false}}`) into every payload, whether or not they set an id.
    /// An `info.id` that is there but not a payment id is malformed.
    pub fn extension_payment_id(&self) -> Result<Option<PaymentId>> {
        let Some(ext) = self.extensions.get(PAYMENT_IDENTIFIER) else { return Ok(None) };
        let malformed = |detail: &str| Error::Json { what: "payment-identifier extension", detail: detail.into() };
        let info = match ext {
            Value::Object(ext) => match ext.get("info") {
                None | Some(Value::Null) => return Ok(None),
                Some(Value::Object(info)) => info,
                Some(_) => return Err(malformed("info must be an object")),
            },
            _ => return Err(malformed("the extension must be an object")),
        };
        match info.get("id") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => s.parse().map(Some),
            Some(_) => Err(malformed("info.id must be a string")),
        }
    }

    /// Echoes what the merchant declared for the extensions Centime speaks (its 402's
    /// `extensions`), as x402 clients do: an x402 server refuses an echo that drops a declared
    /// field (`required`, `schema`, …). Call before [`Self::set_extension_payment_id`].
    pub fn echo_declared(&mut self, declared: &Map<String, Value>) {
        if let Some(d @ Value::Object(_)) = declared.get(PAYMENT_IDENTIFIER) {
            self.extensions.insert(PAYMENT_IDENTIFIER.into(), d.clone());
        }
    }

    /// Sets the payment-identifier extension's `info.id`, keeping every other field the
    /// extension holds (what [`Self::echo_declared`] copied from the merchant's declaration).
    pub fn set_extension_payment_id(&mut self, id: &PaymentId) {
        let mut ext = match self.extensions.remove(PAYMENT_IDENTIFIER) {
            Some(Value::Object(e)) => e,
            _ => Map::new(),
        };
        let mut info = match ext.remove("info") {
            Some(Value::Object(i)) => i,
            _ => Map::new(),
        };
        info.insert("id".into(), Value::from(id.as_str()));
        ext.insert("info".into(), Value::Object(info));
        self.extensions.insert(PAYMENT_IDENTIFIER.into(), Value::Object(ext));
    }
}

/// What the merchant answers in `PAYMENT-RESPONSE` (x402's SettleResponse fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettlementResponse {
    /// Whether the merchant took the payment.
    pub success: bool,
    /// Cleaned as it is read, at most [`text::MAX_REASON`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "text::de::reason")]
    pub error_reason: Option<String>,
    /// The merchant's name for the settlement, for people: cleaned as it is read, at most
    /// [`text::MAX_IDENTIFIER`] characters. (The receipt's own `transaction` is signed.)
    #[serde(deserialize_with = "text::de::identifier")]
    pub transaction: String,
    /// The network, as the merchant wrote it.
    pub network: String,
    /// The paying wallet, as the merchant wrote it.
    pub payer: String,
    /// The amount settled, as the merchant wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The merchant-signed receipt JWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// Fields Centime does not read, kept as received.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The refusal code a wallet records for a settlement answered `success: false` without an
/// `errorReason`, so that every refusal has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum SettlementCode {
    /// The merchant did not take the payment and did not say why.
    SettlementFailed,
}

impl SettlementResponse {
    /// Decodes a `PAYMENT-RESPONSE` header value.
    pub fn from_header(value: &str) -> Result<Self> {
        decode_header("PAYMENT-RESPONSE", value)
    }

    /// Encodes as a `PAYMENT-RESPONSE` header value.
    pub fn to_header(&self) -> Result<String> {
        encode_header(self)
    }
}

/// [`encode_header`], refusing what [`decode_header`] would refuse as too large.
fn encode_bounded<T: Serialize>(what: &'static str, v: &T) -> Result<String> {
    let h = encode_header(v)?;
    if h.len() > MAX_HEADER_LEN {
        return Err(Error::TooLarge { what, len: h.len(), limit: MAX_HEADER_LEN });
    }
    Ok(h)
}

/// Base64 (standard alphabet, padded) of the JSON of `v`.
pub fn encode_header<T: Serialize>(v: &T) -> Result<String> {
    let json = serde_json::to_vec(v).map_err(|e| Error::json("header", e))?;
    Ok(STANDARD.encode(json))
}

/// Decodes a base64 JSON header, refusing oversized values before any decoding.
pub fn decode_header<T: DeserializeOwned>(what: &'static str, value: &str) -> Result<T> {
    if value.len() > MAX_HEADER_LEN {
        return Err(Error::TooLarge { what, len: value.len(), limit: MAX_HEADER_LEN });
    }
    let bytes = B64_READ.decode(value.trim()).map_err(|e| Error::Base64 { what, detail: e.to_string() })?;
    serde_json::from_slice(&bytes).map_err(|e| Error::json(what, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_at_a_fixed_scale_keeps_its_price_and_refuses_an_inexact_one() {
        let network: Network = "centime:demo".parse().unwrap();
        let price = Amount::new(Micros::from_micros(5_000), Asset::EUR);
        let natural = PaymentRequirements::centime(&network, "m", price, 60, "M", None).unwrap();
        assert_eq!((natural.amount.as_str(), natural.terms().unwrap().asset_scale), ("5", 3));
        let six = natural.clone().with_scale(6).unwrap();
        assert_eq!((six.amount.as_str(), six.extra["assetScale"].as_u64()), ("5000", Some(6)));
        assert_eq!(six.terms().unwrap().price, price);
        assert!(natural.with_scale(2).is_err(), "0.005 EUR is not exact in cents");
    }

    fn offer() -> PaymentRequired {
        let network: Network = "centime:demo".parse().unwrap();
        let price = Amount::new(Micros::from_micros(5_000), Asset::EUR);
        let req = PaymentRequirements::centime(&network, "merchant-1", price, 60, "The Magazine", Some(3600)).unwrap();
        PaymentRequired {
            x402_version: 2,
            error: None,
            resource: ResourceInfo {
                url: "http://127.0.0.1:8402/a/1".into(),
                description: Some("page 1".into()),
                mime_type: None,
                other: Map::new(),
            },
            accepts: vec![req],
            extensions: Map::new(),
            other: Map::new(),
        }
    }

    #[test]
    fn header_round_trip_keeps_unknown_fields() {
        let mut pr = offer();
        pr.other.insert("futureField".into(), Value::from(42));
        let h = pr.to_header().unwrap();
        let back = PaymentRequired::from_header(&h).unwrap();
        assert_eq!(back, pr);
        let t = back.accepts[0].terms().unwrap();
        assert_eq!(t.price.micros.get(), 5_000);
        assert_eq!(t.asset_scale, 3);
        assert_eq!(back.accepts[0].amount, "5");
    }

    #[test]
    fn oversized_header_is_refused_before_decoding() {
        let h = "A".repeat(MAX_HEADER_LEN + 1);
        assert!(matches!(PaymentRequired::from_header(&h), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn reads_the_v1_body_form() {
        let body = br#"{"x402Version":1,"error":"pay","accepts":[{"scheme":"exact","network":"centime:demo",
            "maxAmountRequired":"10","resource":"http://x.test/p","description":"d","payTo":"m",
            "maxTimeoutSeconds":60,"asset":"EUR","extra":{"assetScale":2}}]}"#;
        let pr = PaymentRequired::from_json_body(body).unwrap();
        assert_eq!(pr.resource.url, "http://x.test/p");
        assert_eq!(pr.accepts[0].terms().unwrap().price.micros.get(), 100_000);
    }

    /// What a hostile 402 may put in its text: terminal escapes that move the
    /// cursor and erase a line, a new line, a bidi override, zero-width characters.
    const HOSTILE: &str =
        "Article\u{1b}[2K\u{1b}[1A\rPrice 0.01 EUR\n\u{202E}RUE 00.5\u{202C}\u{200B}\u{2066}\u{feff}\u{9b}31m";

    /// C0/C1 controls, bidi embeddings, overrides, isolates and marks, zero-width characters.
    fn hidden(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}')
            || matches!(c, '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
    }

    fn inert(s: &str) -> bool {
        !s.chars().any(hidden)
    }

    #[test]
    fn text_from_a_hostile_402_is_inert_however_it_is_read() {
        let mut pr = offer();
        pr.resource.description = Some(HOSTILE.into());
        pr.resource.mime_type = Some(format!("text/html\u{1b}[8m{}", "x".repeat(500)));
        pr.error = Some(format!("{HOSTILE}{}", "y".repeat(1000)));
        pr.accepts[0].extra.insert("merchantName".into(), Value::from("Le Monde\u{202E}\u{2067}\u{200D}"));
        let offered = pr.accepts[0].to_value().unwrap();
        let body = serde_json::to_vec(&pr).unwrap();
        let link =
            crate::deeplink::DeepLink::Pay { required: Box::new(pr.clone()), return_url: None }.to_link().unwrap();
        let crate::deeplink::DeepLink::Pay { required: linked, .. } = crate::deeplink::DeepLink::parse(&link).unwrap()
        else {
            panic!("not a pay link")
        };
        for (how, got) in [
            ("header", PaymentRequired::from_header(&pr.to_header().unwrap()).unwrap()),
            ("body", PaymentRequired::from_json_body(&body).unwrap()),
            ("link", *linked),
        ] {
            let description = got.resource.description.as_deref().unwrap();
            assert!(inert(description), "{how}: description {description:?}");
            assert!(description.starts_with("Article[2K[1A Price 0.01 EUR RUE 00.5"), "{how}: {description:?}");
            let mime = got.resource.mime_type.as_deref().unwrap();
            assert!(inert(mime) && mime.chars().count() <= 100, "{how}: mimeType {mime:?}");
            let error = got.error.as_deref().unwrap();
            assert!(inert(error) && error.chars().count() <= 200, "{how}: error {error:?}");
            let name = got.accepts[0].terms().unwrap().merchant_name.unwrap();
            assert_eq!(name, "Le Monde", "{how}");
            // The offer itself is what the wallet echoes and signs the hash of: verbatim.
            assert_eq!(got.accepts[0].to_value().unwrap(), offered, "{how}");
        }
    }

    #[test]
    fn a_long_description_is_cut_to_200_characters() {
        let mut pr = offer();
        pr.resource.description = Some("é".repeat(5000));
        let got = PaymentRequired::from_header(&pr.to_header().unwrap()).unwrap();
        assert_eq!(got.resource.description.unwrap().chars().count(), 200);
        pr.resource.description = Some("\u{202E}\n".into());
        let got = PaymentRequired::from_header(&pr.to_header().unwrap()).unwrap();
        assert_eq!(got.resource.description, None, "nothing visible is no description");
    }

    #[test]
    fn text_in_a_settlement_response_is_inert() {
        let resp = SettlementResponse {
            success: false,
            error_reason: Some(HOSTILE.into()),
            transaction: format!("tx\u{1b}[2J{HOSTILE}"),
            network: "centime:demo".into(),
            payer: "p".into(),
            amount: None,
            receipt: None,
            other: Map::new(),
        };
        let got = SettlementResponse::from_header(&resp.to_header().unwrap()).unwrap();
        assert!(inert(got.error_reason.as_deref().unwrap()), "{:?}", got.error_reason);
        assert!(inert(&got.transaction), "{:?}", got.transaction);
    }

    #[test]
    fn a_pay_to_with_invisible_characters_is_refused() {
        // payTo is signed (`to`): it cannot be cleaned, so an offer hiding text in it is refused.
        for bad in ["shop\u{202E}", "sh\u{200B}op", "\u{FEFF}shop"] {
            let mut pr = offer();
            pr.accepts[0].pay_to = bad.into();
            assert!(pr.accepts[0].terms().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_resource_url_with_hidden_characters_is_refused() {
        // The URL is signed (`resource`) and compared: it cannot be cleaned either.
        for bad in ["http://127.0.0.1:8402/a\u{1b}[2K", "http://127.0.0.1:8402/\u{202E}lmth.a", "http://x/\u{200B}"] {
            let mut pr = offer();
            pr.resource.url = bad.into();
            let h = pr.to_header().unwrap();
            assert!(PaymentRequired::from_header(&h).is_err(), "{bad:?}");
            assert!(PaymentRequired::from_json_body(&serde_json::to_vec(&pr).unwrap()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn other_schemes_parse_but_do_not_give_terms() {
        let mut pr = offer();
        pr.accepts[0].scheme = "upto".into();
        let back = PaymentRequired::from_header(&pr.to_header().unwrap()).unwrap();
        assert!(back.accepts[0].terms().is_err());
    }
}
