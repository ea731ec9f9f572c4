#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS_PER_TARGET seconds (default 600), on the
# stable toolchain (RUSTC_BOOTSTRAP=1 lets it take the nightly-only sanitizer flags), with its
# corpus in fuzz/corpus/<target>/ seeded from the protocol test vectors. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 SECONDS_PER_TARGET" >&2; exit 2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

python3 scripts/fuzz_seeds.py crates/protocol/tests/vectors fuzz/corpus

targets=$(cd fuzz && cargo fuzz list)
# Build once for all targets, then run each for its share of time.
(cd fuzz && cargo fuzz build)
summary=()
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  echo "== $t: ${seconds}s"
  log=$(mktemp)
  set +e
  (cd fuzz && cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=16384 -timeout=10 \
    -print_final_stats=1) 2>&1 | tee "$log" | grep -E '^(#[0-9]+\s+(INITED|DONE)|==|SUMMARY|stat::number_of_executed_units)' || true
  rc=${PIPESTATUS[0]}
  set -e
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  rm -f "$log"
  summary+=("$t: ${runs:-?} executions, exit $rc")
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "${summary[@]}"
    echo "fuzz target $t failed: reproducer in fuzz/artifacts/$t/" >&2
    exit "$rc"
  fi
done
printf '%s\n' "${summary[@]}"
