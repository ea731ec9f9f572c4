#!/usr/bin/env bash
# The UI's checks: lint, typecheck, Vitest, production build, Playwright flows (mocked IPC) in
# Debian's Chromium against the built front end. Installs node_modules with `npm ci` only when
# they are missing or package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../ui"

chromium="${CENTIME_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "ui-test: Chromium not found at $chromium (install Debian's 'chromium' package, or set CENTIME_CHROMIUM)." >&2
  exit 1
fi

stamp=node_modules/.centime-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "ui-test: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

npm test
