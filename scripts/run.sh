#!/usr/bin/env bash
# `make run`: grows with the project; see README.md.
set -euo pipefail
cargo build --workspace --locked
echo "Centime is being built up crate by crate. What exists today:"
echo "  crates/protocol  centime-protocol: money, wire format, JWS, merchant verification"
echo "See README.md and docs/protocol.md."
