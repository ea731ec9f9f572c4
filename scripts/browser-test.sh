#!/usr/bin/env bash
# The browser extension's checks: ESLint + Prettier, typecheck, Vitest (the MAC and pairing
# code against the test vectors, the envelope's checks, money strings), then the build
# (browser/dist, which the real-browser tests in tests/app load).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/browser-build.sh"
cd "$root/browser"
npm test
