#!/usr/bin/env bash
# Cold start to a shown balance and idle memory (all processes) of the desktop app, under Xvfb,
# with the memory of a bare WebKitGTK view measured in the same session (ADR 13).
#
#   scripts/bench-app-start.sh [RUNS]            (default 5 runs; figures are medians)
#   CENTIME_APP_PROFILE=release scripts/bench-app-start.sh
#
# Builds the app with its embedded front end (debug by default; release with the variable
# above), then runs tests/app/bench.mjs in the end-to-end harness (tests/app/run.sh): Xvfb, a
# private D-Bus session with gnome-keyring unlocked, centime-demo, tauri-driver. The method is
# described at the top of tests/app/bench.mjs; the results go to BENCHMARKS.md by hand.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
exec "$root/tests/app/run.sh" bench.mjs "$runs" "${CENTIME_BENCH_OUT:-}"
