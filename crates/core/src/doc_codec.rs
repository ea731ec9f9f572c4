//! How a payment's documents are kept on disk: each once, compressed against what the row
//! already holds (ADR 0010).
//!
//! A payment used to keep four overlapping copies of its payload (the request, the accepted
//! offer, the authorization and the whole `PAYMENT-SIGNATURE` header). Now the request JSON and
//! the two JWS (authorization, receipt) are stored once each; the offer and the header are
//! derived on read. Each is LZ4-compressed with a dictionary made of a fixed prefix (the JSON
//! skeletons Centime reads and writes) and of what the same payment already holds: the wallet's
//! key and the payment id appear in both JWS, the request's URL and terms in the authorization,
//! the authorization's claims in the receipt. A JWS is stored as its decoded parts (header JSON,
//! claims JSON, raw signature), which base64url re-encodes to exactly the compact form, because
//! `jws::Compact::parse` admits only canonical base64url without padding.
//!
//! What is hashed never changes: `journal.doc_hash` seals the compact authorization and the
//! request JSON (`journal::payment_docs_hash`; SHA-256 of the authorization alone in rows
//! written before that), rebuilt from this storage by `verify`. Any edit to a stored blob (or
//! to the request it is compressed against) decodes to other bytes or fails to decode, and is
//! reported.
//!
//! A value stored as TEXT is taken as is (what migration 0002 copies from older wallets when
//! nothing better is known, and what a blob that would not round-trip falls back to).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use crate::error::Error;

/// First byte of a blob: how the rest is encoded (TEXT values are documents kept as is). A new dictionary is a new tag; old tags stay
/// readable forever.
const TAG_LZ4_V1: u8 = 1;
/// Largest document accepted when decoding (a JWS is at most 8 KiB, a request at most 64 KiB).
const MAX_DECODED: usize = 128 * 1024;

/// Version 1 of the fixed part of every dictionary. Never edit: add `TAG_LZ4_V2` instead.
const DICT_V1: &[u8] = br#"{"x402Version":2,"resource":{"url":"https://","description":"","mimeType":"text/html"},"accepts":[{"scheme":"exact","network":"centime:","amount":"","asset":"EUR","payTo":"","maxTimeoutSeconds":60,"extra":{"assetScale":2,"entitlementSeconds":86400,"merchantName":""}}],"extensions":{"payment-identifier":{"info":{"required":false}}}}{"alg":"Ed25519","typ":"centime-receipt+jws"}{"iss":"","resourceUrl":"https://","payer":"","paymentId":"pay_","value":"","asset":"EUR","assetScale":2,"issuedAt":17,"transaction":"tx_"}{"alg":"Ed25519","typ":"centime-authorization+jws"}{"from":"","to":"","value":"","asset":"EUR","assetScale":2,"network":"centime:","resource":"https://","validAfter":17,"validBefore":17,"nonce":"","acceptedHash":"","paymentId":"pay_"}"#;

/// What a payment row is compressed against, besides the fixed prefix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The wallet's public key (base64url): `from` of every authorization, `payer` of receipts.
    pub wallet_id: &'a str,
    pub payment_id: &'a str,
}

impl Context<'_> {
    fn dict(&self, extra: &[&[u8]]) -> Vec<u8> {
        let mut d = Vec::with_capacity(DICT_V1.len() + 128 + extra.iter().map(|e| e.len()).sum::<usize>());
        d.extend_from_slice(DICT_V1);
        // Closest to the end, so that the most likely matches have the shortest offsets.
        for e in extra {
            d.extend_from_slice(e);
        }
        d.extend_from_slice(self.wallet_id.as_bytes());
        d.extend_from_slice(self.payment_id.as_bytes());
        d
    }
}

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let low = u8::try_from(n & 0x7f).unwrap_or(0);
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn read_varint(b: &[u8]) -> Option<(usize, &[u8])> {
    let mut n = 0usize;
    for (i, &byte) in b.iter().enumerate().take(4) {
        n |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((n, &b[i + 1..]));
        }
    }
    None
}

fn compress(raw: &[u8], dict: &[u8]) -> Vec<u8> {
    let mut out = vec![TAG_LZ4_V1];
    push_varint(&mut out, raw.len());
    out.extend_from_slice(&lz4_flex::block::compress_with_dict(raw, dict));
    out
}

fn decompress(blob: &[u8], dict: &[u8]) -> Option<Vec<u8>> {
    let (&tag, rest) = blob.split_first()?;
    if tag != TAG_LZ4_V1 {
        return None;
    }
    let (len, body) = read_varint(rest)?;
    if len > MAX_DECODED {
        return None;
    }
    let raw = lz4_flex::block::decompress_with_dict(body, len, dict).ok()?;
    (raw.len() == len).then_some(raw)
}

/// A stored document: compressed bytes, or text kept as is.
pub(crate) enum Stored {
    Packed(Vec<u8>),
    Text(String),
}

impl rusqlite::ToSql for Stored {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Stored::Packed(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Stored::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl rusqlite::types::FromSql for Stored {
    fn column_result(v: ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match v {
            ValueRef::Blob(b) => Ok(Stored::Packed(b.to_vec())),
            ValueRef::Text(t) => Ok(Stored::Text(String::from_utf8_lossy(t).into_owned())),
            _ => Err(rusqlite::types::FromSqlError::InvalidType),
        }
    }
}

impl From<Stored> for Value {
    fn from(s: Stored) -> Value {
        match s {
            Stored::Packed(b) => Value::Blob(b),
            Stored::Text(t) => Value::Text(t),
        }
    }
}

/// The request as stored: its JSON, compressed against the fixed prefix and the payment.
pub(crate) fn pack_request(json: &str, ctx: Context<'_>) -> Stored {
    let dict = ctx.dict(&[]);
    let packed = compress(json.as_bytes(), &dict);
    match decompress(&packed, &dict) {
        Some(back) if back == json.as_bytes() => Stored::Packed(packed),
        _ => Stored::Text(json.to_owned()),
    }
}

pub(crate) fn unpack_request(s: &Stored, ctx: Context<'_>) -> Option<String> {
    match s {
        Stored::Text(t) => Some(t.clone()),
        Stored::Packed(b) => {
            let raw = decompress(b, &ctx.dict(&[]))?;
            String::from_utf8(raw).ok()
        }
    }
}

/// A compact JWS as stored, compressed against `related` (documents of the same payment).
pub(crate) fn pack_jws(compact: &str, ctx: Context<'_>, related: &[&[u8]]) -> Stored {
    let dict = ctx.dict(related);
    let packed = jws_parts(compact).map(|raw| compress(&raw, &dict));
    match packed {
        Some(p) if unpack_jws(&Stored::Packed(p.clone()), ctx, related).as_deref() == Some(compact) => {
            Stored::Packed(p)
        }
        _ => Stored::Text(compact.to_owned()),
    }
}

/// The compact JWS back, or `None` when the stored bytes do not decode (they were changed).
pub(crate) fn unpack_jws(s: &Stored, ctx: Context<'_>, related: &[&[u8]]) -> Option<String> {
    match s {
        Stored::Text(t) => Some(t.clone()),
        Stored::Packed(b) => {
            let raw = decompress(b, &ctx.dict(related))?;
            let (hlen, rest) = read_varint(&raw)?;
            let header = rest.get(..hlen)?;
            let (plen, rest) = read_varint(rest.get(hlen..)?)?;
            let payload = rest.get(..plen)?;
            let sig = rest.get(plen..)?;
            let mut out = URL_SAFE_NO_PAD.encode(header);
            out.push('.');
            out.push_str(&URL_SAFE_NO_PAD.encode(payload));
            out.push('.');
            out.push_str(&URL_SAFE_NO_PAD.encode(sig));
            Some(out)
        }
    }
}

/// The claims JSON of a compact JWS (not verified): what later documents are compressed against.
pub(crate) fn jws_claims(compact: &str) -> Vec<u8> {
    compact.split('.').nth(1).and_then(|p| URL_SAFE_NO_PAD.decode(p).ok()).unwrap_or_default()
}

fn jws_parts(compact: &str) -> Option<Vec<u8>> {
    let mut parts = compact.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let (h, p, s) = (URL_SAFE_NO_PAD.decode(h).ok()?, URL_SAFE_NO_PAD.decode(p).ok()?, URL_SAFE_NO_PAD.decode(s).ok()?);
    let mut out = Vec::with_capacity(h.len() + p.len() + s.len() + 6);
    push_varint(&mut out, h.len());
    out.extend_from_slice(&h);
    push_varint(&mut out, p.len());
    out.extend_from_slice(&p);
    out.extend_from_slice(&s);
    Some(out)
}

/// An error for a stored document that does not decode.
pub(crate) fn damaged(what: &str, payment_id: &str) -> Error {
    Error::Integrity(format!("the stored {what} of payment {payment_id} was changed: it no longer decodes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: Context<'static> =
        Context { wallet_id: "Gx3rjB4xWPGZ2ZqjG7XNlZAGzY1uYaFzvS0d-4U2aQ4", payment_id: "pay_abcdefghijklmnopqrstuv" };

    fn jws() -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"Ed25519","typ":"centime-authorization+jws"}"#);
        let claims = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"from":"{}","to":"merchant-news","value":"10","asset":"EUR","assetScale":2,"network":"centime:demo","resource":"https://news.example/a","validAfter":1795608000,"validBefore":1795608060,"nonce":"n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n0n","acceptedHash":"h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h4h","paymentId":"{}"}}"#,
            CTX.wallet_id, CTX.payment_id
        ));
        // Random-looking, as a signature is (a fixed sequence, so that the test is repeatable).
        let sig: Vec<u8> = (0u32..64).map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap()).collect();
        let sig = URL_SAFE_NO_PAD.encode(sig);
        format!("{header}.{claims}.{sig}")
    }

    #[test]
    fn documents_round_trip_and_shrink() {
        let request = r#"{"x402Version":2,"resource":{"url":"https://news.example/a","description":"A"},"accepts":[]}"#;
        let r = pack_request(request, CTX);
        assert!(matches!(&r, Stored::Packed(b) if b.len() < request.len() / 2));
        assert_eq!(unpack_request(&r, CTX).as_deref(), Some(request));

        let j = jws();
        let s = pack_jws(&j, CTX, &[request.as_bytes()]);
        let Stored::Packed(b) = &s else { panic!("not packed") };
        assert!(b.len() * 2 < j.len(), "{} bytes for a {}-byte JWS", b.len(), j.len());
        assert_eq!(unpack_jws(&s, CTX, &[request.as_bytes()]).as_deref(), Some(j.as_str()));
        // Another context (another payment, another request) does not give the same JWS back.
        let other = Context { payment_id: "pay_zzzzzzzzzzzzzzzzzzzzzz", ..CTX };
        assert_ne!(unpack_jws(&s, other, &[request.as_bytes()]).as_deref(), Some(j.as_str()));
    }

    #[test]
    fn what_would_not_round_trip_is_kept_as_text() {
        // Padding, or trailing bits that base64url would not write again.
        for odd in ["a.b.c", "YQ==.YQ.YQ", "not a jws"] {
            assert!(matches!(pack_jws(odd, CTX, &[]), Stored::Text(ref t) if t == odd), "{odd}");
        }
        assert_eq!(unpack_jws(&Stored::Text("x.y.z".into()), CTX, &[]).as_deref(), Some("x.y.z"));
    }

    #[test]
    fn edited_blobs_do_not_decode_to_the_original() {
        let j = jws();
        let Stored::Packed(b) = pack_jws(&j, CTX, &[]) else { panic!("not packed") };
        // The signature is random, so it is stored as literals at the end: any change shows.
        // (A changed match offset may point at equal bytes elsewhere: the document is then
        // unchanged, which is all that matters.)
        for i in b.len() - 60..b.len() {
            let mut e = b.clone();
            e[i] ^= 0x01;
            assert_ne!(unpack_jws(&Stored::Packed(e), CTX, &[]).as_deref(), Some(j.as_str()), "byte {i}");
        }
        for i in 0..b.len() {
            let mut e = b.clone();
            e[i] ^= 0x55;
            let back = unpack_jws(&Stored::Packed(e), CTX, &[]);
            assert!(back.is_none() || back.as_deref() != Some(j.as_str()) || i > 2, "byte {i}");
        }
        assert!(unpack_jws(&Stored::Packed(vec![TAG_LZ4_V1, 0xff, 0xff, 0xff, 0xff, 0x7f]), CTX, &[]).is_none());
        assert!(unpack_jws(&Stored::Packed(vec![9, 1, 2]), CTX, &[]).is_none());
    }

    #[test]
    fn varints() {
        for n in [0usize, 1, 127, 128, 300, 16_383, 16_384, 100_000] {
            let mut v = Vec::new();
            push_varint(&mut v, n);
            assert_eq!(read_varint(&v), Some((n, &[][..])));
        }
    }
}
