#!/usr/bin/env python3
"""Independent check of Centime's protocol test vectors.

Written from docs/protocol.md alone (no code shared with the Rust crate): its own strict
base64, strict JSON, RFC 8785 canonical JSON, and the merchant verification steps in the
order of §8 of the spec, with joserfc (which knows alg "Ed25519", RFC 9864) verifying every JWS
and `cryptography` verifying it a second time and re-deriving keys and signatures from the
fixed seeds (Ed25519 signatures are deterministic).

Usage: verify_vectors.py DIR        (exit status 0 only if every vector in DIR checks out)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import sys
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws as jose_jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

# --- constants of the spec ------------------------------------------------------------------

X402_VERSION = 2
MAX_HEADER_LEN = 16 * 1024
MAX_JWS_LEN = 8 * 1024
ALG = "Ed25519"
TYP_AUTHORIZATION = "centime-authorization+jws"
TYP_CREDIT = "centime-credit+jws"
TYP_RECEIPT = "centime-receipt+jws"
# §6.4-§6.9: the issuer's documents, their signer claim and their size bound.
ISSUER_DOCUMENTS = {
    "merchant_certificate": ("centime-merchant-certificate+jws", "iss", 8 * 1024),
    "settlement_request": ("centime-settlement-request+jws", "iss", 12 * 1024 * 1024),
    "settlement_answer": ("centime-settlement+jws", "iss", 1024 * 1024),
    "revocation_list": ("centime-revocations+jws", "iss", 8 * 1024 * 1024),
    "statement_request": ("centime-statement-request+jws", "from", 8 * 1024),
    "statement": ("centime-statement+jws", "iss", 64 * 1024 * 1024),
    # §14: payments between wallets.
    "payment_request": ("centime-payment-request+jws", "from", 8 * 1024),
    "transfer": ("centime-transfer+jws", "from", 16 * 1024),
    "redemption_request": ("centime-redemption-request+jws", "from", 24 * 1024),
    "inbox_request": ("centime-inbox-request+jws", "from", 8 * 1024),
}
U64_MAX = 2**64 - 1
I64_MAX = 2**63 - 1
CODES = [
    "malformed",
    "unsupported_version",
    "unsupported_scheme",
    "invalid_signature",
    "terms_mismatch",
    "recipient_mismatch",
    "asset_mismatch",
    "network_mismatch",
    "resource_mismatch",
    "amount_too_low",
    "not_yet_valid",
    "expired",
    "window_too_long",
    "replayed_nonce",
    "payment_id_conflict",
    "revoked_payer",
]

NETWORK_RE = re.compile(r"centime:[A-Za-z0-9_-]{1,32}")
PAYMENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
ASSET_RE = re.compile(r"[A-Z]{3}")
B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
B64STD_RE = re.compile(r"[A-Za-z0-9+/]*")
WIRE_AMOUNT_RE = re.compile(r"0|[1-9][0-9]{0,18}")


class Reject(Exception):
    """A verification refusal carrying its wire code."""

    def __init__(self, code: str, why: str):
        super().__init__(f"{code}: {why}")
        assert code in CODES, code
        self.code = code


class Bad(Exception):
    """A decoding failure (maps to `malformed` in verification)."""


# --- encodings ------------------------------------------------------------------------------


def b64url_decode(s: str) -> bytes:
    """base64url without padding, canonical (unused low bits zero)."""
    if not isinstance(s, str) or not B64URL_RE.fullmatch(s) or len(s) % 4 == 1:
        raise Bad("not base64url without padding")
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    if b64url_encode(raw) != s:
        raise Bad("non-canonical base64url")
    return raw


def b64url_encode(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def b64_header_decode(s: str) -> bytes:
    """Standard base64; padding optional on read but exact when present; canonical bits."""
    body = s.rstrip("=")
    pad = len(s) - len(body)
    if not B64STD_RE.fullmatch(body) or len(body) % 4 == 1:
        raise Bad("not base64")
    if pad and (pad != -len(body) % 4):
        raise Bad("wrong base64 padding")
    raw = base64.b64decode(body + "=" * (-len(body) % 4))
    if base64.b64encode(raw).decode("ascii").rstrip("=") != body:
        raise Bad("non-canonical base64")
    return raw


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise Bad(f"duplicate member {k!r}")
        out[k] = v
    return out


def _refuse_constant(name):
    raise Bad(f"{name} is not JSON")


def _check_strings(v, depth=0):
    if depth > 128:
        raise Bad("JSON nested too deeply")
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as e:
            raise Bad("lone surrogate in a JSON string") from e
    elif isinstance(v, list):
        for x in v:
            _check_strings(x, depth + 1)
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_strings(k, depth + 1)
            _check_strings(x, depth + 1)


def strict_json(raw: bytes):
    """RFC 8259 JSON in UTF-8: no BOM, no NaN/Infinity, no duplicate member names."""
    try:
        text = raw.decode("utf-8")
        v = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise Bad(f"not JSON: {e}") from e
    _check_strings(v)
    return v


def json_object(raw: bytes) -> dict:
    v = strict_json(raw)
    if not isinstance(v, dict):
        raise Bad("not a JSON object")
    return v


# --- RFC 8785 (JCS) -------------------------------------------------------------------------


def jcs_number(x) -> str:
    """ECMAScript Number.prototype.toString of the IEEE-754 double nearest to x (RFC 8785 §3.2.2.3)."""
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        raise Bad("number out of range")
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    mantissa, _, exp = repr(abs(f)).partition("e")
    exp = int(exp) if exp else 0
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    stripped = all_digits.lstrip("0")
    n = len(int_part) + exp - (len(all_digits) - len(stripped))
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        e_str = ("+" if e >= 0 else "-") + str(abs(e))
        out = (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + e_str
    return sign + out


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def jcs_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def jcs(v) -> bytes:
    def ser(v) -> str:
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, (int, float)):
            return jcs_number(v)
        if isinstance(v, str):
            return jcs_string(v)
        if isinstance(v, list):
            return "[" + ",".join(ser(x) for x in v) + "]"
        if isinstance(v, dict):
            keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
            return "{" + ",".join(jcs_string(k) + ":" + ser(v[k]) for k in keys) + "}"
        raise Bad(f"not a JSON value: {type(v)}")

    return ser(v).encode("utf-8")


def accepted_hash(accepted) -> str:
    return b64url_encode(hashlib.sha256(jcs(accepted)).digest())


def self_test_jcs() -> None:
    """RFC 8785's own examples (§3.2.2, §3.2.3, appendix B)."""
    v = strict_json(
        rb'{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        rb""" "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"""
    )
    want = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert jcs(v).decode() == want, jcs(v)
    sorted_keys = strict_json(
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",'
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}'.encode()
    )
    order = [k for k in json.loads(jcs(sorted_keys).decode())]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"], order
    for bits, want in [
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xC340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44B52D02C7E14AF5, "9.999999999999997e+22"),
        (0x44B52D02C7E14AF6, "1e+23"),
        (0x44B52D02C7E14AF7, "1.0000000000000001e+23"),
        (0x444B1AE4D6E2EF4E, "999999999999999700000"),
        (0x444B1AE4D6E2EF50, "1e+21"),
        (0x3EB0C6F7A0B5ED8C, "9.999999999999997e-7"),
        (0x3EB0C6F7A0B5ED8D, "0.000001"),
    ]:
        import struct

        f = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
        assert jcs_number(f) == want, (hex(bits), jcs_number(f), want)


# --- typed fields ---------------------------------------------------------------------------


def is_uint(v, limit=U64_MAX) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= limit


def public_key(s) -> bytes:
    if not isinstance(s, str) or len(s) != 43:
        raise Bad("a public key is 43 base64url characters")
    raw = b64url_decode(s)
    if len(raw) != 32:
        raise Bad("a public key is 32 bytes")
    return raw


def wire_micros(value, scale) -> int:
    """§3: an integer string of minor units at assetScale 0..=6 → micro-units (fits i64)."""
    if not is_uint(scale, 6):
        raise Bad(f"assetScale {scale!r} outside 0..=6")
    if not isinstance(value, str) or not WIRE_AMOUNT_RE.fullmatch(value):
        raise Bad(f"{value!r} is not a wire amount")
    minor = int(value)
    if minor > I64_MAX:
        raise Bad("wire amount too large")
    micros = minor * 10 ** (6 - scale)
    if micros > I64_MAX:
        raise Bad("wire amount too large")
    return micros


def check_claims_authorization(c: dict) -> None:
    """§6.1: the claim set's members and their types."""
    public_key(c.get("from"))
    for name in ("to", "value", "resource", "nonce", "acceptedHash"):
        if not isinstance(c.get(name), str):
            raise Bad(f"claim {name} must be a string")
    if not isinstance(c.get("asset"), str) or not ASSET_RE.fullmatch(c["asset"]):
        raise Bad("asset must be three capital letters")
    if not is_uint(c.get("assetScale"), 255):
        raise Bad("assetScale must be an integer 0..=255")
    if not isinstance(c.get("network"), str) or not NETWORK_RE.fullmatch(c["network"]):
        raise Bad("network must be centime:<1-32 of [A-Za-z0-9_-]>")
    for name in ("validAfter", "validBefore", "seq"):
        if not is_uint(c.get(name)):
            raise Bad(f"{name} must be an unsigned integer")
    if not isinstance(c.get("paymentId"), str) or not PAYMENT_ID_RE.fullmatch(c["paymentId"]):
        raise Bad("paymentId must be 16-128 of [A-Za-z0-9_-]")


def check_nonce(s: str) -> bool:
    try:
        return len(s) == 43 and len(b64url_decode(s)) == 32
    except Bad:
        return False


# --- JWS --------------------------------------------------------------------------------------


def parse_jws(token, typ: str, max_len: int = MAX_JWS_LEN):
    """§5: strict compact JWS. Returns (header, payload bytes, signing input, signature)."""
    if not isinstance(token, str):
        raise Bad("the JWS is not a string")
    if len(token.encode("utf-8")) > max_len:
        raise Bad("JWS too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise Bad("a compact JWS has three parts")
    header = json_object(b64url_decode(parts[0]))
    if "alg" not in header or not isinstance(header["alg"], str):
        raise Bad("no alg string")
    if header["alg"] != ALG:
        raise Bad(f"alg {header['alg']!r} refused")
    if "crit" in header:
        raise Bad("crit refused")
    if header.get("typ") != typ:
        raise Bad(f"typ {header.get('typ')!r} is not {typ}")
    payload = b64url_decode(parts[1])
    signature = b64url_decode(parts[2])
    if len(signature) != 64:
        raise Bad("an Ed25519 signature is 64 bytes")
    return header, payload, (parts[0] + "." + parts[1]).encode("ascii"), signature


def signature_ok(token: str, key: bytes, signing_input: bytes, signature: bytes) -> bool:
    """Verified twice, by joserfc and by cryptography; they must agree."""
    jwk = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(key)})
    try:
        jose_jws.deserialize_compact(token, jwk, algorithms=[ALG])
        by_jose = True
    except JoseError:
        by_jose = False
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, signing_input)
        by_crypto = True
    except InvalidSignature:
        by_crypto = False
    if by_jose != by_crypto:
        raise AssertionError(f"joserfc says {by_jose}, cryptography says {by_crypto}")
    return by_jose


def open_document(token: str, typ: str, key_claim: str, max_len: int = MAX_JWS_LEN) -> dict:
    _, payload, signing_input, signature = parse_jws(token, typ, max_len)
    claims = json_object(payload)
    key = public_key(claims.get(key_claim))
    if not signature_ok(token, key, signing_input, signature):
        raise Bad("signature does not verify")
    return claims


# --- merchant verification (§8) ---------------------------------------------------------------


def decode_header(value: str):
    if len(value.encode("utf-8")) > MAX_HEADER_LEN:
        raise Bad("header too long")
    return strict_json(b64_header_decode(value.strip()))


def offer_terms(req: dict) -> dict:
    """§4: the merchant's own offer, as typed terms."""
    scale = req["extra"]["assetScale"]
    return {
        "payTo": req["payTo"],
        "asset": req["asset"],
        "network": req["network"],
        "micros": wire_micros(req["amount"], scale),
        "maxTimeoutSeconds": req["maxTimeoutSeconds"],
    }


class Cache:
    """The replay cache of §9: (from, nonce) and paymentId, forgotten after validBefore + skew."""

    def __init__(self):
        self.nonces: dict[tuple[str, str], int] = {}
        self.payments: dict[str, tuple[bytes, dict, int]] = {}

    def previous(self, payment_id: str, digest: bytes):
        hit = self.payments.get(payment_id)
        return hit[1] if hit and hit[0] == digest else None

    def record(self, result: dict, digest: bytes, forget_after: int, now: int) -> None:
        self.nonces = {k: v for k, v in self.nonces.items() if v >= now}
        self.payments = {k: v for k, v in self.payments.items() if v[2] >= now}
        key = (result["payer"], result["nonce"])
        if key in self.nonces:
            raise Reject("replayed_nonce", "nonce already used by this key")
        if result["paymentId"] in self.payments:
            raise Reject("payment_id_conflict", "paymentId already used for another payload")
        self.nonces[key] = forget_after
        self.payments[result["paymentId"]] = (digest, result, forget_after)


class Merchant:
    def __init__(self, payment_required_header: str, skew: int, revoked=None):
        # revoked: (network, set of wallet keys) of a revocation list the merchant applies.
        self.revoked = revoked
        offered = decode_header(payment_required_header)
        self.resource_url = offered["resource"]["url"]
        self.offers = offered["accepts"]
        self.offers_jcs = [jcs(o) for o in self.offers]
        self.skew = skew

    def verify(self, header: str, now: int, cache: Cache) -> dict:
        # Step 1: decode the header and check the payload's shape.
        try:
            p = decode_header(header)
            if not isinstance(p, dict):
                raise Bad("not an object")
            if not is_uint(p.get("x402Version")):
                raise Bad("x402Version must be an unsigned integer")
            res = p.get("resource")
            if not isinstance(res, dict) or not isinstance(res.get("url"), str):
                raise Bad("resource.url must be a string")
            for opt in ("description", "mimeType"):
                if res.get(opt) is not None and not isinstance(res[opt], str):
                    raise Bad(f"resource.{opt} must be a string")
            if "accepted" not in p:
                raise Bad("no accepted")
            env = p.get("payload")
            if not isinstance(env, dict) or not isinstance(env.get("authorization"), str):
                raise Bad("payload.authorization must be a string")
            if "extensions" in p and not isinstance(p["extensions"], dict):
                raise Bad("extensions must be an object")
        except Bad as e:
            raise Reject("malformed", str(e)) from e
        # Step 2: version.
        if p["x402Version"] != X402_VERSION:
            raise Reject("unsupported_version", f"x402Version {p['x402Version']}")
        # Steps 3-4: the JWS structure and header, then the claims.
        token = p["payload"]["authorization"]
        try:
            _, payload, signing_input, signature = parse_jws(token, TYP_AUTHORIZATION)
            claims = json_object(payload)
            check_claims_authorization(claims)
        except Bad as e:
            raise Reject("malformed", str(e)) from e
        # Step 5: idempotency. The same authorization JWS as a payment the cache accepted: its
        # signature was verified then, and it is not recorded again; every other step still runs
        # against this merchant's offer (the cache may be another page's, the wrapper is unsigned).
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        first = cache.previous(claims["paymentId"], digest)
        if first is not None:
            terms = self.check_wrapper(p, claims)
            self.check_claims(claims, terms, now)
            return first
        # Step 6: signature under `from`.
        if not signature_ok(token, public_key(claims["from"]), signing_input, signature):
            raise Reject("invalid_signature", "signature does not verify under from")
        # Step 6a: the revocation list, stale or not.
        if self.revoked is not None and claims["network"] == self.revoked[0] and claims["from"] in self.revoked[1]:
            raise Reject("revoked_payer", "the issuer revoked this key")
        terms = self.check_wrapper(p, claims)
        micros = self.check_claims(claims, terms, now)
        # Step 21: replay and conflict.
        result = {
            "payer": claims["from"],
            "paymentId": claims["paymentId"],
            "micros": str(micros),
            "asset": claims["asset"],
            "nonce": claims["nonce"],
            "validBefore": claims["validBefore"],
        }
        cache.record(result, digest, claims["validBefore"] + self.skew, now)
        return result

    def check_wrapper(self, p: dict, claims: dict) -> dict:
        """Steps 7-14: the extension, `accepted` against the offers, the claims against the offer."""
        # Step 7: the payment-identifier extension, when present, carries the signed id.
        # An extension without info.id (an x402 client's echo of the declaration) is absent.
        ext = p.get("extensions", {}).get("payment-identifier")
        if ext is not None:
            if not isinstance(ext, dict):
                raise Reject("malformed", "payment-identifier extension is not an object")
            info = ext.get("info")
            if info is not None and not isinstance(info, dict):
                raise Reject("malformed", "payment-identifier info is not an object")
            ext_id = info.get("id") if info is not None else None
            if ext_id is not None:
                if not isinstance(ext_id, str) or not PAYMENT_ID_RE.fullmatch(ext_id):
                    raise Reject("malformed", "payment-identifier info.id is not a paymentId")
                if ext_id != claims["paymentId"]:
                    raise Reject("malformed", "extension id differs from the signed paymentId")
        # Step 8: scheme.
        accepted = p["accepted"]
        if not isinstance(accepted, dict) or accepted.get("scheme") != "exact":
            raise Reject("unsupported_scheme", "only exact")
        # Steps 9-10: accepted is one of the offers, byte for byte in canonical form.
        accepted_jcs = jcs(accepted)
        if accepted_jcs not in self.offers_jcs:
            raise Reject("terms_mismatch", "accepted is not an offered requirement")
        if b64url_encode(hashlib.sha256(accepted_jcs).digest()) != claims["acceptedHash"]:
            raise Reject("terms_mismatch", "acceptedHash")
        terms = offer_terms(self.offers[self.offers_jcs.index(accepted_jcs)])
        # Steps 11-14: the signed claims against the offer and the resource.
        if claims["to"] != terms["payTo"]:
            raise Reject("recipient_mismatch", claims["to"])
        if claims["asset"] != terms["asset"]:
            raise Reject("asset_mismatch", claims["asset"])
        if claims["network"] != terms["network"]:
            raise Reject("network_mismatch", claims["network"])
        if claims["resource"] != self.resource_url or p["resource"]["url"] != self.resource_url:
            raise Reject("resource_mismatch", claims["resource"])
        return terms

    def check_claims(self, claims: dict, terms: dict, now: int) -> int:
        """Steps 15-20: the amount, the time and the nonce. Returns the signed micros."""
        # Steps 15-16: the amount.
        try:
            micros = wire_micros(claims["value"], claims["assetScale"])
        except Bad as e:
            raise Reject("malformed", str(e)) from e
        if micros < terms["micros"]:
            raise Reject("amount_too_low", f"{micros} < {terms['micros']}")
        # Steps 17-19: time.
        va, vb = claims["validAfter"], claims["validBefore"]
        if va > now + self.skew:
            raise Reject("not_yet_valid", "validAfter in the future")
        if now >= vb + self.skew:
            raise Reject("expired", "validBefore passed")
        if vb < va or vb - va > terms["maxTimeoutSeconds"]:
            raise Reject("window_too_long", "window")
        # Step 20: nonce shape.
        if not check_nonce(claims["nonce"]):
            raise Reject("malformed", "nonce is not 32 bytes of base64url")
        if claims["seq"] < 1:
            raise Reject("malformed", "seq starts at 1")
        return micros


# --- the issuer's documents (§6.4-§6.9, §13) ---------------------------------------------------

DOCUMENT_MEMBERS = {
    "merchant_certificate": ["iss", "network", "payTo", "origins", "receiptKey", "name", "issuedAt", "notAfter"],
    "settlement_request": ["iss", "network", "payTo", "requestId", "issuedAt", "authorizations"],
    "settlement_answer": ["iss", "network", "payTo", "requestId", "issuedAt", "results"],
    "revocation_list": ["iss", "network", "issuedAt", "nextUpdate", "revoked"],
    "statement_request": ["from", "network", "issuedAt", "nonce"],
    "statement": [
        "iss", "network", "wallet", "issuedAt", "requestNonce", "highestSeq", "totals", "credits", "settled",
    ],
}
DOCUMENT_MEMBERS.update({
    "payment_request": [
        "from", "network", "value", "asset", "assetScale", "purpose", "requestId", "issuedAt", "expiresAt",
    ],
    "transfer": ["from", "to", "network", "authorization", "note", "requestId", "issuedAt"],
    "redemption_request": ["from", "network", "issuedAt", "nonce", "transfer", "code"],
    "inbox_request": ["from", "network", "issuedAt", "nonce"],
})
# Members a document may leave out (the order of the others stays).
OPTIONAL_MEMBERS = {"transfer": {"note", "requestId"}, "redemption_request": {"transfer", "code"}}
OUTCOMES = {"settled", "already_settled", "refused"}
REFUSAL_CODES = {
    "malformed", "invalid_signature", "network_mismatch", "not_this_merchant", "unsupported_asset",
    "not_yet_valid", "past_deadline", "nonce_conflict", "payment_id_conflict", "revoked_payer", "overdrawn",
}
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")


def check_certificate(name, c, expect):
    public_key(c["receiptKey"])
    expect(1 <= len(c["origins"]) <= 16 and all(isinstance(o, str) for o in c["origins"]), f"{name}: origins")
    expect(isinstance(c["name"], str) and c["name"].strip() != "", f"{name}: name")
    expect(is_uint(c["issuedAt"]) and is_uint(c["notAfter"]) and c["notAfter"] > c["issuedAt"], f"{name}: times")


def check_settlement_request(name, c, expect):
    expect(ID_RE.fullmatch(c["requestId"]) is not None and c["payTo"] != "", f"{name}: requestId, payTo")
    auths = c["authorizations"]
    expect(1 <= len(auths) <= 1000, f"{name}: 1-1000 authorizations")
    for token in auths:
        a = open_document(token, TYP_AUTHORIZATION, "from")
        check_claims_authorization(a)
        expect(a["to"] == c["payTo"] and a["network"] == c["network"] and a["seq"] >= 1, f"{name}: an item")


def check_settlement_answer(name, c, expect):
    for i, r in enumerate(c["results"]):
        expect(r["index"] == i and r["outcome"] in OUTCOMES, f"{name}: result {i}")
        if "paymentId" in r:
            expect(PAYMENT_ID_RE.fullmatch(r["paymentId"]) is not None, f"{name}: result {i} paymentId")
        if r["outcome"] == "refused":
            expect(r.get("code") in REFUSAL_CODES and "settledAt" not in r, f"{name}: result {i} refusal")
        else:
            expect("code" not in r and is_uint(r.get("settledAt")), f"{name}: result {i} settledAt")


def check_revoked_entry(name, r, expect):
    public_key(r["wallet"])
    expect(list(r.keys()) == ["wallet", "reason", "revokedAt"], f"{name}: revoked entry members")
    expect(r["reason"] in ("fork", "overdrawn") and is_uint(r["revokedAt"]), f"{name}: revoked entry")


def check_revocation_list(name, c, expect):
    expect(is_uint(c["nextUpdate"]) and c["nextUpdate"] >= c["issuedAt"], f"{name}: nextUpdate")
    wallets = [r["wallet"] for r in c["revoked"]]
    expect(len(set(wallets)) == len(wallets), f"{name}: each key once")
    for r in c["revoked"]:
        check_revoked_entry(name, r, expect)


def check_statement_request(name, c, expect):
    expect(check_nonce(c["nonce"]) and is_uint(c["issuedAt"]), f"{name}: nonce, issuedAt")


def check_statement(name, c, expect):
    public_key(c["wallet"])
    expect(check_nonce(c["requestNonce"]) and is_uint(c["highestSeq"]), f"{name}: requestNonce, highestSeq")
    credited, spent = {}, {}
    for cr in c["credits"]:
        credited[cr["asset"]] = credited.get(cr["asset"], 0) + wire_micros(cr["value"], cr["assetScale"])
    highest = 0
    for p in c["settled"]:
        a = open_document(p["authorization"], TYP_AUTHORIZATION, "from")
        check_claims_authorization(a)
        expect(a["from"] == c["wallet"], f"{name}: a settled authorization of another key")
        for k_entry, k_claim in (("paymentId", "paymentId"), ("seq", "seq"), ("payTo", "to"), ("value", "value"),
                                 ("asset", "asset"), ("assetScale", "assetScale"), ("resource", "resource")):
            expect(p[k_entry] == a[k_claim], f"{name}: settled {k_entry} is the signed {k_claim}")
        spent[p["asset"]] = spent.get(p["asset"], 0) + wire_micros(p["value"], p["assetScale"])
        highest = max(highest, a["seq"])
    expect(c["highestSeq"] == highest, f"{name}: highestSeq")
    assets = [t["asset"] for t in c["totals"]]
    expect(assets == sorted(set(credited) | set(spent)), f"{name}: one total per asset, in order")
    for t in c["totals"]:
        expect(wire_micros(t["credited"], t["assetScale"]) == credited.get(t["asset"], 0), f"{name}: credited")
        expect(wire_micros(t["spent"], t["assetScale"]) == spent.get(t["asset"], 0), f"{name}: spent")
    if "revoked" in c:
        check_revoked_entry(name, c["revoked"], expect)
        expect(c["revoked"]["wallet"] == c["wallet"], f"{name}: revoked names the wallet")


def request_id_bytes(s) -> bytes:
    b = b64url_decode(s)
    if len(s) != 22 or len(b) != 16 or b64url_encode(b) != s:
        raise Bad(f"{s!r} is not a requestId")
    return b


def words_ok(s, low, high) -> bool:
    return isinstance(s, str) and low <= len(s) <= high and not any(unicodedata.category(ch) == "Cc" for ch in s)


def check_payment_request(name, c, expect):
    public_key(c["from"])
    expect(wire_micros(c["value"], c["assetScale"]) > 0, f"{name}: a positive amount")
    expect(words_ok(c["purpose"], 1, 140) and c["purpose"].strip() != "", f"{name}: purpose")
    request_id_bytes(c["requestId"])
    expect(is_uint(c["issuedAt"]) and c["issuedAt"] < c["expiresAt"] <= c["issuedAt"] + 366 * 86400, f"{name}: expiry")


def check_transfer(name, c, expect):
    """§14.1: the authorization says what the transfer says."""
    to = public_key(c["to"])
    expect(c["from"] != c["to"], f"{name}: not to itself")
    a = open_document(c["authorization"], TYP_AUTHORIZATION, "from")
    check_claims_authorization(a)
    expect(a["from"] == c["from"] and a["network"] == c["network"], f"{name}: payer and network")
    expect(a["to"] == "wallet:" + c["to"], f"{name}: pays wallet:<to>")
    expect(len(a["paymentId"]) <= 126 and wire_micros(a["value"], a["assetScale"]) > 0, f"{name}: id, amount")
    expect(a["validBefore"] - a["validAfter"] == 604800, f"{name}: the 7-day window")
    if "note" in c:
        expect(words_ok(c["note"], 0, 140), f"{name}: note")
    terms = {"asset": a["asset"], "assetScale": a["assetScale"], "network": c["network"]}
    if "note" in c:
        terms["note"] = c["note"]
    if "requestId" in c:
        rid = request_id_bytes(c["requestId"])
        terms["requestId"] = c["requestId"]
        derived = "rq_" + b64url_encode(hashlib.sha256(to + rid).digest())[:32]
        expect(a["paymentId"] == derived, f"{name}: a request's paymentId is derived")
        expect(a["resource"] == "centime:request:" + c["requestId"], f"{name}: resource")
    else:
        expect(a["resource"] == "centime:transfer:" + a["paymentId"], f"{name}: resource")
    terms["to"] = a["to"]
    terms["value"] = a["value"]
    expect(a["acceptedHash"] == accepted_hash(terms), f"{name}: acceptedHash is the terms'")


def check_redemption_request(name, c, expect):
    expect(check_nonce(c["nonce"]) and is_uint(c["issuedAt"]), f"{name}: nonce, issuedAt")
    expect(("transfer" in c) != ("code" in c), f"{name}: exactly one of transfer and code")
    if "transfer" in c:
        t = open_document(c["transfer"], ISSUER_DOCUMENTS["transfer"][0], "from", ISSUER_DOCUMENTS["transfer"][2])
        check_transfer(name, t, expect)
        expect(t["to"] == c["from"], f"{name}: redeemed by its recipient")
    else:
        expect(re.fullmatch(r"[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{16}", c["code"]) is not None, f"{name}: code")


CHECK_DOCUMENT = {
    "merchant_certificate": check_certificate,
    "settlement_request": check_settlement_request,
    "settlement_answer": check_settlement_answer,
    "revocation_list": check_revocation_list,
    "statement_request": check_statement_request,
    "statement": check_statement,
    "payment_request": check_payment_request,
    "transfer": check_transfer,
    "redemption_request": check_redemption_request,
    "inbox_request": check_statement_request,
}


def open_revocation_list(token: str, issuer: str) -> dict:
    """§13.4: signed by the trusted issuer key; a stale list still applies."""
    c = open_document(token, ISSUER_DOCUMENTS["revocation_list"][0], "iss", ISSUER_DOCUMENTS["revocation_list"][2])
    if c["iss"] != issuer:
        raise Bad("the revocation list is not signed by the trusted issuer")
    failures = []
    check_revocation_list("revocations", c, lambda ok, what: ok or failures.append(what))
    if failures:
        raise Bad(", ".join(failures))
    return c


# --- the vectors ------------------------------------------------------------------------------


class Checker:
    def __init__(self):
        self.failures: list[str] = []
        self.checked = 0

    def expect(self, cond: bool, what: str) -> None:
        if not cond:
            self.failures.append(what)

    def seed_key(self, seed_hex: str, public: str, name: str) -> Ed25519PrivateKey:
        sk = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
        self.expect(b64url_encode(sk.public_key().public_bytes_raw()) == public, f"{name}: public key from seed")
        return sk

    def resign(self, name: str, sk: Ed25519PrivateKey, v: dict, typ: str) -> None:
        """The JWS is exactly b64url(header) . b64url(claims) . b64url(Ed25519(seed, signing input))."""
        header_json = json.dumps({"alg": ALG, "typ": typ}, separators=(",", ":"))
        self.expect(v["jwsHeaderJson"] == header_json, f"{name}: JWS header bytes")
        signing_input = b64url_encode(header_json.encode()) + "." + b64url_encode(v["claimsJson"].encode())
        sig = sk.sign(signing_input.encode("ascii"))
        self.expect(v["jws"] == signing_input + "." + b64url_encode(sig), f"{name}: JWS re-signed from the seed")
        # And joserfc, signing the same bytes, produces the same token.
        d = b64url_encode(sk.private_bytes_raw())
        x = b64url_encode(sk.public_key().public_bytes_raw())
        jwk = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x, "d": d})
        token = jose_jws.serialize_compact({"alg": ALG, "typ": typ}, v["claimsJson"].encode(), jwk, algorithms=[ALG])
        self.expect(token == v["jws"], f"{name}: joserfc serialize_compact gives the same JWS")

    def header_of(self, name: str, json_text: str, header: str) -> None:
        self.expect(
            base64.b64encode(json_text.encode("utf-8")).decode("ascii") == header,
            f"{name}: header is base64 (standard, padded) of the JSON",
        )

    def authorization(self, name: str, v: dict) -> None:
        sk = self.seed_key(v["walletSeedHex"], v["walletPublicKey"], name)
        self.resign(name, sk, v, TYP_AUTHORIZATION)
        claims = open_document(v["jws"], TYP_AUTHORIZATION, "from")
        check_claims_authorization(claims)
        self.expect(claims == json.loads(v["claimsJson"]), f"{name}: claims")
        self.expect(claims["from"] == v["walletPublicKey"], f"{name}: from")
        self.expect(v["signingInput"] + "." + b64url_encode(bytes.fromhex(v["signatureHex"])) == v["jws"], name)
        self.header_of(name, v["paymentRequiredJson"], v["paymentRequired"])
        self.header_of(name, v["paymentSignatureJson"], v["paymentSignature"])
        p = json.loads(v["paymentSignatureJson"])
        self.expect(jcs(p["accepted"]).decode() == v["acceptedJcs"], f"{name}: JCS of accepted")
        self.expect(accepted_hash(p["accepted"]) == v["acceptedHash"], f"{name}: acceptedHash")
        self.expect(claims["acceptedHash"] == v["acceptedHash"], f"{name}: signed acceptedHash")
        self.expect(p["payload"]["authorization"] == v["jws"], f"{name}: payload.authorization")
        offered = json.loads(v["paymentRequiredJson"])
        self.expect(jcs(offered["accepts"][0]) == jcs(p["accepted"]), f"{name}: accepted is the offer")
        result = Merchant(v["paymentRequired"], 30).verify(v["paymentSignature"], v["now"], Cache())
        self.expect(result["payer"] == v["walletPublicKey"], f"{name}: verifies")
        # The pay deep link: centime://pay?req=<base64url JSON>&return=<url>.
        link = urlsplit(v["payDeepLink"])
        self.expect(link.scheme == "centime" and link.netloc == "pay" and link.path == "", f"{name}: link")
        q = parse_qsl(link.query, strict_parsing=True)
        self.expect([k for k, _ in q] == ["req", "return"], f"{name}: link parameters")
        self.expect(strict_json(b64url_decode(q[0][1])) == json.loads(v["payDeepLinkReqJson"]), f"{name}: req")
        self.expect(urlsplit(q[1][1]).scheme in ("http", "https"), f"{name}: return is http(s)")

    def credit_note(self, name: str, v: dict) -> None:
        sk = self.seed_key(v["issuerSeedHex"], v["issuerPublicKey"], name)
        self.resign(name, sk, v, TYP_CREDIT)
        c = open_document(v["jws"], TYP_CREDIT, "iss")
        self.expect(c == json.loads(v["claimsJson"]), f"{name}: claims")
        public_key(c["sub"])
        self.expect(NETWORK_RE.fullmatch(c["network"]) is not None, f"{name}: network")
        self.expect(re.fullmatch(r"[A-Za-z0-9_-]{1,128}", c["creditId"]) is not None, f"{name}: creditId")
        self.expect(ASSET_RE.fullmatch(c["asset"]) is not None and is_uint(c["issuedAt"]), f"{name}: types")
        self.expect(str(wire_micros(c["value"], c["assetScale"])) == v["micros"], f"{name}: value")
        link = urlsplit(v["topupDeepLink"])
        q = parse_qsl(link.query, strict_parsing=True)
        self.expect((link.scheme, link.netloc) == ("centime", "topup") and q == [("credit", v["jws"])], name)

    def receipt(self, name: str, v: dict) -> None:
        sk = self.seed_key(v["merchantSeedHex"], v["merchantPublicKey"], name)
        self.resign(name, sk, v, TYP_RECEIPT)
        c = open_document(v["jws"], TYP_RECEIPT, "iss")
        self.expect(c == json.loads(v["claimsJson"]), f"{name}: claims")
        public_key(c["payer"])
        self.expect(PAYMENT_ID_RE.fullmatch(c["paymentId"]) is not None, f"{name}: paymentId")
        wire_micros(c["value"], c["assetScale"])
        self.header_of(name, v["paymentResponseJson"], v["paymentResponse"])
        r = strict_json(b64_header_decode(v["paymentResponse"]))
        self.expect(r["success"] is True and r["receipt"] == v["jws"], f"{name}: PAYMENT-RESPONSE")
        self.expect(r["payer"] == c["payer"] and r["transaction"] == c["transaction"], f"{name}: response fields")

    def verification(self, name: str, v: dict) -> None:
        revoked = None
        if "revocations" in v:
            lst = open_revocation_list(v["revocations"], v["issuerPublicKey"])
            revoked = (lst["network"], {r["wallet"] for r in lst["revoked"]})
        merchant = Merchant(v["paymentRequired"], v["skewSeconds"], revoked)
        # The prior headers may have been verified by another page's merchant sharing the cache.
        prior_merchant = merchant
        if "priorPaymentRequired" in v:
            prior_merchant = Merchant(v["priorPaymentRequired"], v["skewSeconds"])
        cache = Cache()
        for prior in v["prior"]:
            prior_merchant.verify(prior, v["priorNow"], cache)
        want = v["expected"]
        try:
            got = merchant.verify(v["paymentSignature"], v["now"], cache)
        except Reject as r:
            self.expect(want["result"] == "rejected", f"{name}: rejected ({r}) but expected {want}")
            self.expect(want.get("code") == r.code, f"{name}: rejected with {r.code}, expected {want.get('code')}")
            return
        self.expect(want["result"] == "accepted", f"{name}: accepted but expected {want}")
        for k in ("payer", "paymentId", "micros", "asset"):
            self.expect(got[k] == want.get(k), f"{name}: {k} is {got[k]!r}, expected {want.get(k)!r}")

    def issuer_document(self, kind: str, name: str, v: dict) -> None:
        """§6.4-§6.9: re-signed from the seed, opened under its signer claim, claims checked."""
        typ, key_claim, max_len = ISSUER_DOCUMENTS[kind]
        self.expect(v["typ"] == typ, f"{name}: typ")
        sk = self.seed_key(v["signerSeedHex"], v["signerPublicKey"], name)
        self.resign(name, sk, v, typ)
        c = open_document(v["jws"], typ, key_claim, max_len)
        self.expect(c == json.loads(v["claimsJson"]), f"{name}: claims")
        self.expect(c[key_claim] == v["signerPublicKey"], f"{name}: signer")
        optional = OPTIONAL_MEMBERS.get(kind, set())
        order = [k for k in DOCUMENT_MEMBERS[kind] if k in c or k not in optional]
        self.expect(list(c.keys()) == order, f"{name}: members in the order of §6")
        self.expect(NETWORK_RE.fullmatch(c["network"]) is not None, f"{name}: network")
        CHECK_DOCUMENT[kind](name, c, self.expect)

    def fork_proof(self, name: str, v: dict) -> None:
        """§13.1: both verify under one from, one seq, different claims."""
        proof = strict_json(v["proofJson"].encode())
        a = open_document(proof["first"], TYP_AUTHORIZATION, "from")
        b = open_document(proof["second"], TYP_AUTHORIZATION, "from")
        check_claims_authorization(a)
        check_claims_authorization(b)
        self.expect(a["from"] == b["from"] == v["walletPublicKey"], f"{name}: one key")
        self.expect(a["seq"] == b["seq"] == v["seq"] and a["seq"] >= 1, f"{name}: one seq")
        self.expect(a != b, f"{name}: different claims")

    def run(self, directory: Path) -> int:
        files = sorted(directory.glob("*.json"))
        covered = set()
        kinds = {}
        for f in files:
            v = json.loads(f.read_text(encoding="utf-8"))
            kind = v.get("kind")
            handler = {
                "authorization": self.authorization,
                "credit_note": self.credit_note,
                "receipt": self.receipt,
                "verification": self.verification,
                "fork_proof": self.fork_proof,
                **{k: (lambda n, v, k=k: self.issuer_document(k, n, v)) for k in ISSUER_DOCUMENTS},
            }.get(kind)
            if handler is None:
                self.failures.append(f"{f.name}: unknown kind {kind!r}")
                continue
            before = len(self.failures)
            try:
                handler(f.name, v)
            except Exception as e:  # noqa: BLE001 - any crash is a failed vector
                self.failures.append(f"{f.name}: {type(e).__name__}: {e}")
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == "verification" and v["expected"]["result"] == "rejected":
                covered.add(v["expected"]["code"])
            self.checked += 1
            print(f"{'ok  ' if len(self.failures) == before else 'FAIL'} {f.name}")
        if self.checked == 0:
            self.failures.append(f"no vectors found in {directory}")
        for k in ("authorization", "credit_note", "receipt", "verification", "fork_proof", *ISSUER_DOCUMENTS):
            if kinds.get(k, 0) == 0:
                self.failures.append(f"no {k} vector")
        missing = [c for c in CODES if c not in covered]
        if missing:
            self.failures.append(f"no negative vector for {', '.join(missing)}")
        for failure in self.failures:
            print(f"FAIL: {failure}", file=sys.stderr)
        print(f"{self.checked} vectors, {len(self.failures)} failures, {len(covered)}/{len(CODES)} rejection codes covered")
        return 1 if self.failures else 0


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(sys.argv[1])
    if not directory.is_dir():
        print(f"{directory}: not a directory", file=sys.stderr)
        return 1
    self_test_jcs()
    return Checker().run(directory)


if __name__ == "__main__":
    sys.exit(main())
