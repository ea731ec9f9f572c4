#!/usr/bin/env bash
# Builds the browser extension (browser/): TypeScript → browser/dist/js, then one unpacked
# directory per browser with its manifest (browser/dist/chromium/, browser/dist/firefox/) and
# the Firefox developer-install zip (browser/dist/centime-firefox.zip). Installs browser/'s
# node_modules with `npm ci` only when missing or stale (package-lock.json changed).
set -euo pipefail
cd "$(dirname "$0")/../browser"

stamp=node_modules/.centime-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "browser: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

rm -rf dist
npx tsc -p tsconfig.json
for b in chromium firefox; do
  out=dist/$b
  mkdir -p "$out"
  cp manifest.$b.json "$out/manifest.json"
  cp -r static/. "$out/"
  cp -r dist/js "$out/js"
done

# The zip Firefox installs from (about:debugging, or about:addons with signing off): the
# manifest at its root, entries in a fixed order and without timestamps' noise.
(cd dist/firefox && find . -type f | LC_ALL=C sort | sed 's|^\./||' | TZ=UTC zip -q -X -D ../centime-firefox.zip -@)
echo "browser: built dist/chromium, dist/firefox, dist/centime-firefox.zip"
