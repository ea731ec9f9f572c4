#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ with the strings of the protocol test vectors.

Usage: fuzz_seeds.py VECTOR_DIR CORPUS_DIR. Seed files are named seed-<sha1 of content>, so
running it again adds nothing new; libFuzzer's own finds sit beside them.
"""

import hashlib
import json
import sys
from pathlib import Path

AMOUNTS = ["0.10", "0,10", ".5", "10", "0.005", "1,000", "1.000,50", "1e3", "-1", "0.0000001",
           "9223372036854.775807", "99999999999999999999", "NaN", " 3 ", "+2"]


def main() -> int:
    vectors, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    seeds: dict[str, set[bytes]] = {t: set() for t in
                                    ["payment_required", "payment_signature", "jws", "credit_note", "deep_link", "amount"]}
    for f in sorted(vectors.glob("*.json")):
        v = json.loads(f.read_text(encoding="utf-8"))
        for key in ("paymentRequired",):
            if key in v:
                seeds["payment_required"].add(v[key].encode())
        if "paymentRequiredJson" in v:
            seeds["payment_required"].add(v["paymentRequiredJson"].encode())
        for h in [v.get("paymentSignature")] + list(v.get("prior", [])):
            if h:
                seeds["payment_signature"].add(h.encode())
        if "jws" in v:
            seeds["jws"].add(v["jws"].encode())
        if v.get("kind") == "credit_note":
            seeds["credit_note"].add(v["jws"].encode())
        for key in ("payDeepLink", "topupDeepLink"):
            if key in v:
                seeds["deep_link"].add(v[key].encode())
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
