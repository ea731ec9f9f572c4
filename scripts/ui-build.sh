#!/usr/bin/env bash
# Installs the UI's node_modules when missing or stale (npm ci), then builds ui/dist, which the
# Tauri shell embeds (and needs to exist before any cargo build of src-tauri).
set -euo pipefail
cd "$(dirname "$0")/../ui"
stamp=node_modules/.centime-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "ui: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
npm run build
