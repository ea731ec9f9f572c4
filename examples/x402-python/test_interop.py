"""Both directions between the official x402 Python SDK and Centime, over real HTTP:

1. the SDK's httpx client, with the Centime scheme, pays an article of centime-demo: 200, and the
   merchant's receipt reaches the wallet through ``centime record`` (no ``resolve``);
2. ``centime fetch`` pays a FastAPI app priced by the SDK's middleware with the Centime server
   scheme, which declares payment-identifier: 200, settled on the merchant's word (the SDK's
   answer has no place for a receipt); the same authorization does not open another page.

    python test_interop.py CENTIME_BIN CENTIME_DEMO_BIN

Exit status 0 only if every check holds.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
from x402 import x402Client
from x402.http.clients import x402HttpxClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from centime_x402 import NETWORK_DEMO  # noqa: E402
from centime_x402.client import CentimeClientScheme, allowed_asset  # noqa: E402

PASS = "interop-test-passphrase"


def check(cond: bool, what: str) -> None:
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok   {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"FAILED: nothing answers at {url}")


class Wallet:
    def __init__(self, centime: str, data: Path) -> None:
        self.env = {**os.environ, "CENTIME_KEYSTORE": "file", "CENTIME_PASSPHRASE": PASS}
        self.env.pop("CENTIME_DATA_DIR", None)
        self.base = [centime, "--data-dir", str(data)]

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([*self.base, "--json", *args], capture_output=True, text=True, env=self.env)
        if ok and out.returncode != 0:
            raise SystemExit(f"FAILED: centime {' '.join(args)}: {out.stderr}")
        return out

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args).stdout)

    def payments(self) -> list[dict]:
        return [e for e in self.json("history")["entries"] if e["kind"] == "payment"]

    def balance(self) -> str:
        return self.json("balance")["balances"][0]["amount"]


def post_json(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


async def sdk_client_pays_the_demo(w: Wallet, scheme: CentimeClientScheme, demo: str) -> None:
    client = x402Client()
    # The SDK's own cap, in atomic units: the demo writes every offer at scale 6.
    client.set_spend_controls({"allowed_assets": [allowed_asset(NETWORK_DEMO, "EUR", "0.10")]})
    scheme.register(client, NETWORK_DEMO)
    url = f"{demo}/articles/the-page-is-the-unit/1"
    async with x402HttpxClient(client, event_hooks={"response": [scheme.httpx_hook()]}) as http:
        r = await http.get(url)
        check(r.status_code == 200, f"the SDK client paid a demo article: {r.status_code}")
        check(r.json()["title"] == "The Page Is the Unit", "and got the page")
        paid = w.payments()
        check(len(paid) == 1, "one payment in the wallet")
        check(paid[0]["status"] == "settled", f"settled without resolve: {paid[0]['status']}")
        check(paid[0]["settledWithoutReceipt"] is False, "with the merchant's receipt kept")
        balance = w.balance()
        # Read again: the wallet hands back the same authorization, the merchant its entitlement.
        r = await http.get(url)
        check(r.status_code == 200, "read again within the entitlement")
        check(len(w.payments()) == 1 and w.balance() == balance, "never paid twice")
    ledger = json.loads(urllib.request.urlopen(f"{demo}/merchant/ledger", timeout=5).read())
    check(ledger["count"] == 1, f"one entry in the merchant's ledger: {ledger['count']}")


def centime_fetch_pays_the_sdk_server(w: Wallet, python: str) -> None:
    port = free_port()
    server = subprocess.Popen(
        [python, str(HERE / "sdk_server.py"), "--port", str(port)], cwd=HERE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/notes/x")
        before = len(w.payments())
        out = w.run("fetch", f"{base}/notes/first", "--yes", "--max", "0.10", ok=False)
        check(out.returncode == 0, f"centime fetch paid the SDK server: {out.stderr.strip()[-300:]}")
        check(json.loads(out.stdout)["note"] == "first", "and got the note")
        summary = json.loads(out.stderr.strip().splitlines()[-1])
        check(summary["status"] == "settled" and summary["receipt"] is False, f"settled, no receipt: {summary}")
        paid = w.payments()
        check(len(paid) == before + 1, "one more payment")
        check(paid[0]["settledWithoutReceipt"] is True, "the history says: on the merchant's word")
        # The same PAYMENT-SIGNATURE at another page of the same price is refused.
        header = w.json("pay", json.dumps(_required(f"{base}/notes/second")), "--yes")["header"]
        with httpx.Client() as h:
            ok = h.get(f"{base}/notes/second", headers={"PAYMENT-SIGNATURE": header})
            check(ok.status_code == 200, f"its own page opens: {ok.status_code}")
            other = h.get(f"{base}/notes/third", headers={"PAYMENT-SIGNATURE": header})
            check(other.status_code == 402, f"another page does not: {other.status_code}")
            replay = h.get(f"{base}/notes/second", headers={"PAYMENT-SIGNATURE": header})
            check(replay.status_code == 200, "its own page opens again (the same payment, idempotent)")
    finally:
        server.terminate()
        server.wait(10)


def _required(url: str) -> dict:
    with httpx.Client() as h:
        r = h.get(url)
    return json.loads(base64.b64decode(r.headers["PAYMENT-REQUIRED"]))


def main() -> int:
    centime, demo_bin = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        demo = subprocess.Popen(
            [demo_bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", f"{tmp}/demo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            line = demo.stdout.readline().strip()
            check(line.startswith("listening on http://"), f"centime-demo started: {line}")
            base = line.removeprefix("listening on ")
            issuer = json.loads(urllib.request.urlopen(f"{base}/issuer", timeout=5).read())
            w = Wallet(centime, Path(tmp) / "wallet")
            w.run("init", "--issuer", f"{NETWORK_DEMO}={issuer['publicKey']}")
            wallet_id = w.json("id")["wallet"]
            credit = post_json(f"{base}/issuer/topups", {"wallet": wallet_id, "amount": "5.00", "asset": "EUR"})
            w.run("topup", credit["credit"])
            scheme = CentimeClientScheme([*w.base], approve=True, max_price="0.10", env=w.env)
            asyncio.run(sdk_client_pays_the_demo(w, scheme, base))
            centime_fetch_pays_the_sdk_server(w, sys.executable)
        finally:
            demo.terminate()
            demo.wait(10)
    print("x402 interop: all checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
