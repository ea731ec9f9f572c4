#!/usr/bin/env bash
# `make screenshots`: every screen of the real app, English and French, light and dark, under
# Xvfb, into docs/screenshots/ (WebDriver screenshots of each window's web view). Uses the
# end-to-end harness (tests/app/run.sh: builds the app with its front end embedded, starts
# Xvfb, a private D-Bus session with gnome-keyring, centime-demo and tauri-driver).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/screenshots}
mkdir -p "$out"
rm -f "$out"/*.png
exec "$root/tests/app/run.sh" screenshots.mjs "$out"
