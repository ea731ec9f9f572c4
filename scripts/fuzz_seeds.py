#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ with the strings of the protocol test vectors.

Usage: fuzz_seeds.py VECTOR_DIR CORPUS_DIR. Seed files are named seed-<sha1 of content>, so
running it again adds nothing new; libFuzzer's own finds sit beside them.
"""

import hashlib
import json
import sys
from pathlib import Path

TARGETS = ["payment_required", "payment_signature", "jws", "credit_note", "deep_link", "amount", "cli_input",
           "client_answer"]
# What people type on the command line besides requests and credit notes.
CLI_EXTRA = ["pay_0123456789abcdef", "pay_x", "2026-11-24", "2026-11-24T10:00:00Z", "2026-11-24T10:00:00+01:00",
             "Accept: text/html\nX-Trace: 1", "payment-signature: x", "Cookie", "@file"]
# A refusal's 402 body as a merchant sends it with a paid request.
REFUSAL_BODIES = ['{"x402Version":2,"error":"invalid_signature"}', '{"error":"replayed_nonce"}',
                  '{"error":"\\u001b[31mred"}']
AMOUNTS = ["0.10", "0,10", ".5", "10", "0.005", "1,000", "1.000,50", "1e3", "-1", "0.0000001",
           "9223372036854.775807", "99999999999999999999", "NaN", " 3 ", "+2"]


def main() -> int:
    vectors, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    seeds: dict[str, set[bytes]] = {t: set() for t in TARGETS}
    for f in sorted(vectors.glob("*.json")):
        v = json.loads(f.read_text(encoding="utf-8"))
        for key in ("paymentRequired", "paymentRequiredJson"):
            if key in v:
                for t in ("payment_required", "cli_input", "client_answer"):
                    seeds[t].add(v[key].encode())
        if "paymentResponse" in v:
            seeds["client_answer"].add(v["paymentResponse"].encode())
        for h in [v.get("paymentSignature")] + list(v.get("prior", [])):
            if h:
                seeds["payment_signature"].add(h.encode())
        if "jws" in v:
            seeds["jws"].add(v["jws"].encode())
        if v.get("kind") == "credit_note":
            seeds["credit_note"].add(v["jws"].encode())
            seeds["cli_input"].add(v["jws"].encode())
        for key in ("payDeepLink", "topupDeepLink"):
            if key in v:
                seeds["deep_link"].add(v[key].encode())
                seeds["cli_input"].add(v[key].encode())
                seeds["credit_note"].add(v[key].encode())
        if "payDeepLink" in v:
            seeds["client_answer"].add(v["payDeepLink"].encode())
    for s in CLI_EXTRA + AMOUNTS:
        seeds["cli_input"].add(s.encode())
    for s in REFUSAL_BODIES:
        seeds["client_answer"].add(s.encode())
    for a in AMOUNTS:
        for scale in (2, 3, 6, 7):
            seeds["amount"].add(bytes([scale]) + a.encode())
    for target, items in seeds.items():
        d = corpus / target
        d.mkdir(parents=True, exist_ok=True)
        for data in items:
            (d / f"seed-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
    print("fuzz seeds: " + ", ".join(f"{t} {len(s)}" for t, s in seeds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
