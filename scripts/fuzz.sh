#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ on the stable toolchain (RUSTC_BOOTSTRAP=1 lets it take
# the nightly-only sanitizer flags). See fuzz/README.md.
#
#   scripts/fuzz.sh SECONDS [TARGET...]          a campaign: SECONDS per target, growing the local
#                                                corpus fuzz/corpus/<target>/ (seeded from the
#                                                protocol test vectors first)
#   scripts/fuzz.sh --smoke SECONDS [TARGET...]  the short run of `make test`: the committed
#                                                corpus is read, never written; new finds go to a
#                                                temporary directory
#
# One build for every target. Its directory is FUZZ_TARGET_DIR (default fuzz/target; the
# Makefile puts it under its CACHE, which CI keeps between runs), never the main workspace's
# CARGO_TARGET_DIR: the sanitizer flags would rebuild everything there. Prints one table row
# per target (executions, seconds, corpus files, crashes) and stops with a non-zero status at
# the first target that crashes, its input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=0
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
fi
seconds="${1:-600}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [--smoke] SECONDS_PER_TARGET [TARGET...]" >&2; exit 2; }
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version '^0.13'
fi
export RUSTC_BOOTSTRAP=1
# anyhow would capture a backtrace for every refused input (RUST_BACKTRACE is often set): 20x slower.
export RUST_LIB_BACKTRACE=0
target_dir="${FUZZ_TARGET_DIR:-$root/fuzz/target}"
mkdir -p "$target_dir"
export CARGO_TARGET_DIR
CARGO_TARGET_DIR=$(cd "$target_dir" && pwd)

if [ "$smoke" = 0 ]; then
  python3 scripts/fuzz_seeds.py crates/protocol/tests/vectors fuzz/corpus
fi

if [ "$#" -gt 0 ]; then
  targets="$*"
else
  targets=$(cd fuzz && cargo fuzz list)
fi
# Build once for all targets, then run each binary for its share of time (directly: `cargo fuzz
# run` would check the build again for every target).
started=$(date +%s)
(cd fuzz && cargo fuzz build)
echo "fuzz build: $(($(date +%s) - started)) s"
bin_dir="$CARGO_TARGET_DIR/$(rustc -vV | sed -n 's/^host: //p')/release"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rows=()
status=0
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  if [ "$smoke" = 1 ]; then
    # libFuzzer writes its finds to the first directory and only reads the others.
    mkdir -p "$scratch/$t"
    dirs=("$scratch/$t" "fuzz/corpus/$t")
  else
    dirs=("fuzz/corpus/$t")
  fi
  echo "== $t: ${seconds}s"
  log="$scratch/$t.log"
  t0=$(date +%s)
  set +e
  "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
    -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(($(date +%s) - t0))
  grep -E '^(#[0-9]+\s+(INITED|DONE)|==[0-9]+==|SUMMARY|thread .* panicked|Test unit written|stat::number_of_executed_units)' "$log" || true
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1
    tail -40 "$log" >&2
  fi
  rows+=("| \`$t\` | ${runs:-?} | $elapsed | $files | $crashes |")
  if [ "$rc" -ne 0 ]; then
    status=$rc
    echo "fuzz target $t failed: reproducer in fuzz/artifacts/$t/" >&2
    break
  fi
done
echo
echo "| target | executions | seconds | corpus files | crashes |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo "fuzz: $(($(date +%s) - started)) s in all"
exit "$status"
