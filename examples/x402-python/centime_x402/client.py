"""The client side: an x402 ``SchemeNetworkClient`` for Centime's ``exact`` scheme.

The wallet decides and signs: this plugin hands the 402 to ``centime --json pay`` (the user's
rules, limits and keystore apply; nothing here holds a key) and returns the authorization it
signed. The SDK wraps it and echoes the merchant's declared extensions, with the payment id the
wallet chose merged in. The SDK's ``SettleResponse`` drops the signed receipt, so ``record``
hands the raw ``PAYMENT-RESPONSE`` back to the wallet (``centime record``): without it the
payment would wait for ``centime resolve``.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Sequence
from typing import Any

PAYMENT_IDENTIFIER = "payment-identifier"


def allowed_asset(network: str, asset: str, max_price: str) -> dict[str, str]:
    """An entry for the SDK's ``spend_controls["allowed_assets"]``: ``asset`` on ``network``,
    capped at ``max_price`` (a decimal string) in atomic units at scale 6.

    The SDK compares integer amounts, so this cap holds for merchants that write their offers
    at scale 6 (micro-units), as docs/protocol.md §3 asks; an offer at another scale would be
    compared wrongly. The wallet's own cap (``max_price`` of the scheme, ``--max``) compares
    money exactly whatever the scale: keep it set as well.
    """
    whole, _, frac = max_price.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 6:
        raise ValueError(f"not a price with at most 6 decimals: {max_price!r}")
    return {"network": network, "asset": asset, "max_amount_per_payment": str(int(whole + frac.ljust(6, "0")))}


class CentimeError(Exception):
    """The wallet refused or failed; its message says why."""


class CentimeClientScheme:
    """Pays Centime offers through the ``centime`` CLI.

    ``approve`` passes ``--yes`` (pay what the rules would ask about; a refusal stays a
    refusal); ``max_price`` (a decimal string, e.g. ``"0.10"``) refuses anything dearer.
    """

    scheme = "exact"

    def __init__(
        self,
        centime: Sequence[str] = ("centime",),
        *,
        approve: bool = False,
        max_price: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self._centime = list(centime)
        self._approve = approve
        self._max_price = max_price
        self._env = env
        self._required: Any = None
        # The payment id the wallet chose for each resource URL, for `record`.
        self._paid: dict[str, str] = {}

    def register(self, client: Any, network: str) -> CentimeClientScheme:
        """Registers the scheme on an ``x402Client`` for ``network`` (``centime:demo``)."""
        client.register(network, self)
        # The scheme sees only the chosen requirement; the wallet signs for the resource too.
        client.on_before_payment_creation(self._remember)
        return self

    def _remember(self, context: Any) -> None:
        self._required = context.payment_required

    def create_payment_payload(self, requirements: Any, context: Any = None) -> dict[str, Any]:
        if self._required is None:
            raise CentimeError("no 402 seen: register the scheme with CentimeClientScheme.register")
        required = self._required.model_dump(by_alias=True, exclude_none=True, mode="json")
        required["accepts"] = [requirements.model_dump(by_alias=True, exclude_none=True, mode="json")]
        args = [*self._centime, "--json", "pay", json.dumps(required)]
        if self._approve:
            args.append("--yes")
        if self._max_price is not None:
            args += ["--max", self._max_price]
        out = subprocess.run(args, capture_output=True, text=True, env=self._env, check=False)
        if out.returncode != 0:
            raise CentimeError(_wallet_message(out))
        paid = json.loads(out.stdout)
        signature = json.loads(base64.b64decode(paid["header"]))
        self._paid[required["resource"]["url"]] = paid["paymentId"]
        return {
            "authorization": signature["payload"]["authorization"],
            # Merged by the SDK into the merchant's declaration, keeping its fields.
            "__extensions": {PAYMENT_IDENTIFIER: {"info": {"id": paid["paymentId"]}}},
        }

    def payment_id_for(self, url: str) -> str | None:
        """The payment id of the last payment made for ``url``."""
        return self._paid.get(url)

    def record(self, response: Any) -> dict[str, Any] | None:
        """Hands a paid response's ``PAYMENT-RESPONSE`` to the wallet; ``None`` if it has none.

        ``response`` is an ``httpx.Response`` (or anything with ``.headers`` and ``.url``).
        """
        header = response.headers.get("PAYMENT-RESPONSE")
        payment_id = self.payment_id_for(str(response.url))
        if header is None or payment_id is None:
            return None
        args = [*self._centime, "--json", "record", payment_id, header]
        out = subprocess.run(args, capture_output=True, text=True, env=self._env, check=False)
        if out.returncode != 0:
            raise CentimeError(_wallet_message(out))
        return json.loads(out.stdout)

    def httpx_hook(self):
        """An httpx ``event_hooks["response"]`` function that records every paid answer."""

        async def hook(response: Any) -> None:
            self.record(response)

        return hook


def _wallet_message(out: subprocess.CompletedProcess[str]) -> str:
    try:
        return json.loads(out.stderr.strip().splitlines()[-1])["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return out.stderr.strip() or f"centime exited with {out.returncode}"
