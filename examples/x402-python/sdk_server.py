"""A FastAPI app priced with the x402 SDK's middleware, paid in Centime.

    python sdk_server.py --port 8410

Every page under /notes/ costs 0.10 EUR, paid to the account ``sdk-notes`` at the demo issuer
(``centime:demo``); the payment-identifier extension is declared, as x402 servers do.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from x402 import x402ResourceServer
from x402.extensions.payment_identifier import PAYMENT_IDENTIFIER, declare_payment_identifier_extension
from x402.http.middleware.fastapi import payment_middleware

from centime_x402 import NETWORK_DEMO
from centime_x402.server import CentimeFacilitator, register

PAY_TO = "sdk-notes"
PRICE = "0.10 EUR"


def app() -> FastAPI:
    server = x402ResourceServer(CentimeFacilitator(NETWORK_DEMO))
    register(server, NETWORK_DEMO, merchant_name="SDK Notes", entitlement_seconds=3600)
    routes = {
        "GET /notes/*": {
            "accepts": {"scheme": "exact", "payTo": PAY_TO, "price": PRICE, "network": NETWORK_DEMO},
            "description": "A note, 0.10 EUR",
            "mimeType": "application/json",
            "extensions": {PAYMENT_IDENTIFIER: declare_payment_identifier_extension()},
        }
    }
    api = FastAPI()
    api.middleware("http")(payment_middleware(routes, server))

    @api.get("/notes/{name}")
    async def note(name: str) -> dict[str, str]:
        return {"note": name, "text": f"The paid text of note {name}."}

    return api


if __name__ == "__main__":
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, default=8410)
    args = a.parse_args()
    uvicorn.run(app(), host="127.0.0.1", port=args.port, log_level="warning")
