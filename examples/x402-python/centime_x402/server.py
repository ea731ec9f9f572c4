"""The server side: Centime's ``exact`` scheme for the x402 SDK's resource server and FastAPI
middleware, verified in process (no facilitator service: an authorization is checked offline).

- ``CentimeServerScheme`` turns a route's price (``"0.10 EUR"``) into an offer at one scale
  (6, micro-units, for every asset: x402 clients cap spending by comparing integer amounts).
- ``CentimeFacilitator`` is the SDK's ``FacilitatorClient``: ``verify`` runs the merchant checks
  of docs/protocol.md §8 with the repository's independent Python verifier
  (scripts/verify_vectors.py, written from the spec alone), and ``settle`` records the payment in
  the replay cache under a lock, so a nonce or payment id is taken once.
- ``register`` wires both into an ``x402ResourceServer`` with a before-verify hook that binds the
  payment to the page asked for: the SDK does not compare the payload's resource with the
  request, and an authorization for one page must not open another of the same price.

The SDK's ``SettleResponse`` has no place for Centime's signed receipt, so a wallet paying this
server records the payment as settled on the merchant's word.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from x402.schemas import (
    AssetAmount,
    SettleResponse,
    SupportedKind,
    SupportedResponse,
    VerifyResponse,
)
from x402.schemas.hooks import AbortResult

# The independent verifier of the test vectors; run from a checkout of the repository.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
import verify_vectors as spec  # noqa: E402

SCALE = 6
MICROS = Decimal(10) ** SCALE


def price_micros(text: str) -> tuple[int, str]:
    """``"0.10 EUR"`` (or ``"EUR 0.10"``) as exact micro-units and the asset; never rounded."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"a Centime price is an amount and a currency, like '0.10 EUR': {text!r}")
    amount, asset = (parts[0], parts[1]) if spec.ASSET_RE.fullmatch(parts[1]) else (parts[1], parts[0])
    if not spec.ASSET_RE.fullmatch(asset) or not all(c.isdigit() or c == "." for c in amount):
        raise ValueError(f"not a price like '0.10 EUR': {text!r}")
    try:
        micros = Decimal(amount) * MICROS
    except InvalidOperation as e:
        raise ValueError(f"not a decimal amount: {amount!r}") from e
    if micros != micros.to_integral_value() or micros <= 0:
        raise ValueError(f"{amount} is not a positive amount exact to 6 decimals")
    return int(micros), asset


class CentimeServerScheme:
    """The SDK's ``SchemeNetworkServer`` for Centime offers."""

    scheme = "exact"
    default_asset_transfer_method = "default"
    payment_flows = {"default": {"supported": ("authorization",), "default": "authorization"}}

    def __init__(self, merchant_name: str, entitlement_seconds: int | None = None) -> None:
        self._name = merchant_name
        self._entitlement = entitlement_seconds

    def parse_price(self, price: Any, network: str) -> AssetAmount:
        if isinstance(price, AssetAmount):
            return price
        if not isinstance(price, str):
            # A float is never money here: "0.10 EUR" is exact, 0.1 is not.
            raise ValueError(f"a Centime price is a string like '0.10 EUR', not {type(price).__name__}")
        micros, asset = price_micros(price)
        return AssetAmount(amount=str(micros), asset=asset, extra={"assetScale": SCALE})

    def enhance_payment_requirements(self, requirements: Any, supported_kind: Any, extension_keys: list[str]) -> Any:
        extra = dict(requirements.extra or {})
        extra["assetScale"] = SCALE
        extra["merchantName"] = self._name
        if self._entitlement is not None:
            extra["entitlementSeconds"] = self._entitlement
        requirements.extra = extra
        return requirements


def _b64(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")


class CentimeFacilitator:
    """Verifies and settles Centime payments in process."""

    def __init__(self, network: str, skew: int = 30) -> None:
        self._network = network
        self._skew = skew
        self._cache = spec.Cache()
        self._lock = threading.Lock()
        self._settled: dict[str, SettleResponse] = {}

    def get_supported(self) -> SupportedResponse:
        return SupportedResponse(kinds=[SupportedKind(x402_version=2, scheme="exact", network=self._network)])

    def _merchant(self, payload: Any, requirements: Any) -> tuple[spec.Merchant, str]:
        offer = requirements.model_dump(by_alias=True, exclude_none=True, mode="json")
        p = payload.model_dump(by_alias=True, exclude_none=True, mode="json")
        # The spec's merchant is built from the 402 it would have sent: this one offer, for
        # the resource the hook bound to the request's URL.
        offered = {"x402Version": 2, "resource": {"url": p["resource"]["url"]}, "accepts": [offer]}
        m = spec.Merchant(_b64(offered), self._skew)
        return m, _b64(p)

    def _check(self, payload: Any, requirements: Any, cache: spec.Cache) -> dict[str, Any]:
        m, header = self._merchant(payload, requirements)
        return m.verify(header, int(time.time()), cache)

    async def verify(self, payload: Any, requirements: Any) -> VerifyResponse:
        # Every check but the replay record, against a copy of the cache: settle records.
        with self._lock:
            probe = spec.Cache()
            probe.nonces = dict(self._cache.nonces)
            probe.payments = dict(self._cache.payments)
        try:
            result = self._check(payload, requirements, probe)
        except spec.Reject as r:
            return VerifyResponse(is_valid=False, invalid_reason=r.code, invalid_message=str(r))
        return VerifyResponse(is_valid=True, payer=result["payer"])

    async def settle(self, payload: Any, requirements: Any) -> SettleResponse:
        with self._lock:
            try:
                result = self._check(payload, requirements, self._cache)
            except spec.Reject as r:
                return SettleResponse(
                    success=False, error_reason=r.code, error_message=str(r), transaction="", network=self._network
                )
            first = self._settled.get(result["paymentId"])
            if first is not None:
                return first
            answer = SettleResponse(
                success=True,
                payer=result["payer"],
                transaction=f"tx_{uuid.uuid4().hex}",
                network=self._network,
                amount=str(result["micros"]),
            )
            self._settled[result["paymentId"]] = answer
            return answer


def register(server: Any, network: str, merchant_name: str, entitlement_seconds: int | None = None) -> None:
    """Registers Centime on an ``x402ResourceServer`` built with a ``CentimeFacilitator``."""
    server.register(network, CentimeServerScheme(merchant_name, entitlement_seconds))

    def same_page(context: Any) -> AbortResult | None:
        asked = context.transport_context.request.adapter.get_url() if context.transport_context else None
        paid_for = context.payment_payload.resource.url if context.payment_payload.resource else None
        if asked is None or paid_for != asked:
            return AbortResult(reason="resource_mismatch")
        return None

    server.on_before_verify(same_page)
