#!/usr/bin/env bash
# Runs every workspace test and fails when nothing ran: "no tests" is a failure, not a pass.
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
echo "cargo test: $passed tests passed"
if [ "$passed" -lt 1 ]; then
  echo "no tests ran: failing" >&2
  exit 1
fi
