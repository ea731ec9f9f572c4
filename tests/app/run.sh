#!/usr/bin/env bash
# The real Centime app, driven end to end over WebDriver, under Xvfb.
#
#   tests/app/run.sh                  the end-to-end flow (flow.mjs), the browser path's socket
#                                     and host (bridge.mjs), then the history on a generated
#                                     wallet (history.mjs), then the browser extension in
#                                     Chromium (browser-chromium.mjs) and Firefox ESR
#                                     (browser-firefox.mjs) when they are installed; part of
#                                     `make test`
#   tests/app/run.sh screenshots.mjs  every screen to docs/screenshots/ (`make screenshots`)
#   tests/app/run.sh bench.mjs        cold start and idle memory (scripts/bench-app-start.sh)
#
# It builds the front end and the app with the front end embedded (the `custom-protocol`
# feature), centime-demo, the native messaging host (centime-browser-host), the browser
# extension (scripts/browser-build.sh) and the CLI with its `dev` feature (`centime dev seed`),
# unless CENTIME_APP_SKIP_BUILD=1 (then CENTIME_APP_BIN, CENTIME_DEMO_BIN, CENTIME_HOST_BIN,
# or the binaries in the target dir, and browser/dist must exist). CENTIME_APP_PROFILE=release
# builds and drives the release binaries. It installs tauri-driver 2 (and geckodriver, when
# Firefox ESR is installed) into ~/.cargo/bin when missing, and the node modules of tests/app
# (npm ci) when stale.
#
# Then, on its own: Xvfb on a free display; a private D-Bus session (dbus-run-session) with
# gnome-keyring unlocked (the app keeps its wallet key in the OS keyring) and a recording
# notification server (notifyd.py); centime-demo on an ephemeral port; a fake `xdg-open` that
# records what the app opens in "the browser"; tauri-driver on free ports; fresh XDG and wallet
# directories. Everything is stopped on exit. The exit status is the script's.
#
# Needs (Debian): xvfb, dbus, gnome-keyring, webkit2gtk-driver, python3-dbus, python3-gi, node.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "${1:-}" = "--in-session" ]; then
  shift
  in_session=1
else
  in_session=0
fi

script=${1:-}
[ $# -gt 0 ] && shift

log() { printf 'app-e2e: %s\n' "$*" >&2; }
# shellcheck source=../../scripts/lib/desktop-session.sh
. "$root/scripts/lib/desktop-session.sh"

if [ "$in_session" = 0 ]; then
  target_dir=${CARGO_TARGET_DIR:-$root/target}
  profile=${CENTIME_APP_PROFILE:-debug}
  export CENTIME_APP_BIN=${CENTIME_APP_BIN:-$target_dir/$profile/centime-app}
  export CENTIME_DEMO_BIN=${CENTIME_DEMO_BIN:-$target_dir/$profile/centime-demo}
  export CENTIME_CLI_BIN=${CENTIME_CLI_BIN:-$target_dir/$profile/centime}
  export CENTIME_HOST_BIN=${CENTIME_HOST_BIN:-$target_dir/$profile/centime-browser-host}
  export CENTIME_BROWSER_DIST=${CENTIME_BROWSER_DIST:-$root/browser/dist}
  # Seeded wallets for history.mjs, kept between runs (HOME is replaced inside the session).
  export CENTIME_E2E_CACHE=${CENTIME_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/centime-e2e}

  if [ "${CENTIME_APP_SKIP_BUILD:-0}" != 1 ]; then
    log "building the front end and the app (embedded front end, $profile)"
    "$root/scripts/ui-build.sh" >/dev/null
    release=()
    [ "$profile" = release ] && release=(--release)
    # The CLI on its own: built beside the others, `--features centime-cli/dev` was not applied to
    # it (a centime without `dev seed`, hidden while a seeded wallet was cached).
    (cd "$root" && cargo build --locked "${release[@]}" -p centime-app -p centime-demo -p centime-bridge --features centime-app/custom-protocol)
    (cd "$root" && cargo build --locked "${release[@]}" -p centime-cli --features dev)
    "$root/scripts/browser-build.sh" >/dev/null
  fi
  for bin in "$CENTIME_APP_BIN" "$CENTIME_DEMO_BIN" "$CENTIME_CLI_BIN" "$CENTIME_HOST_BIN"; do
    [ -x "$bin" ] || { log "missing $bin (build it, or unset CENTIME_APP_SKIP_BUILD)"; exit 1; }
  done

  [ -f "$CENTIME_BROWSER_DIST/chromium/manifest.json" ] || { log "missing $CENTIME_BROWSER_DIST (scripts/browser-build.sh)"; exit 1; }

  export PATH="$HOME/.cargo/bin:$PATH"
  if ! command -v tauri-driver >/dev/null; then
    log "installing tauri-driver 2"
    cargo install tauri-driver --locked --version '^2'
  fi
  export CENTIME_FIREFOX=${CENTIME_FIREFOX:-/usr/lib/firefox-esr/firefox-esr}
  export CENTIME_CHROMIUM=${CENTIME_CHROMIUM:-/usr/bin/chromium}
  if [ -x "$CENTIME_FIREFOX" ] && ! command -v geckodriver >/dev/null; then
    log "installing geckodriver"
    cargo install geckodriver --locked
  fi
  for tool in Xvfb dbus-run-session gnome-keyring-daemon WebKitWebDriver node; do
    command -v "$tool" >/dev/null || { log "missing $tool (make deps)"; exit 1; }
  done
  /usr/bin/python3 -c 'import dbus, gi' 2>/dev/null \
    || { log "missing python3-dbus / python3-gi (apt-get install python3-dbus python3-gi)"; exit 1; }

  stamp=$here/node_modules/.centime-lock.sha256
  want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm ci (tests/app)"
    # --ignore-scripts: the WebDriver packages would otherwise try to download browser drivers.
    (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
    echo "$want" >"$stamp"
  fi

  work=$(mktemp -d "${TMPDIR:-/tmp}/centime-app-e2e.XXXXXX")
  export CENTIME_E2E_WORK=$work
  xvfb_pid=
  cleanup() {
    local rc=$?
    if [ -n "$xvfb_pid" ]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
    if [ "$rc" != 0 ]; then
      log "failed ($rc); logs:"
      for f in "$work"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
    fi
    [ "${CENTIME_E2E_KEEP:-0}" = 1 ] && log "kept $work" || rm -rf "$work"
    exit "$rc"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  session_xvfb "$work" || { log "Xvfb did not start"; exit 1; }
  log "Xvfb on $DISPLAY; work dir $work"

  dbus-run-session -- "$0" --in-session "$script" "$@"
  exit $?
fi

# ---- inside the private D-Bus session ---------------------------------------------------------
work=$CENTIME_E2E_WORK
pids=()
trap session_stop EXIT
session_home "$work"
session_keyring centime-e2e

# Notifications are recorded, one JSON object a line.
export CENTIME_E2E_NOTIFICATIONS=$work/notifications.jsonl
/usr/bin/python3 "$here/notifyd.py" "$CENTIME_E2E_NOTIFICATIONS" >"$work/notifyd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$work/notifyd.log" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/notifyd.log" || { echo "the notification recorder did not start" >&2; exit 1; }

# "The browser": return URLs the app opens are recorded instead.
mkdir -p "$work/bin"
export CENTIME_E2E_OPENED=$work/opened.txt
for opener in xdg-open gio gnome-open kde-open wslview; do
  printf '#!/bin/sh\n[ "$1" = open ] && shift\nprintf "%%s\\n" "$1" >> "%s"\n' "$CENTIME_E2E_OPENED" >"$work/bin/$opener"
  chmod +x "$work/bin/$opener"
done
export PATH="$work/bin:$PATH"

# The demo issuer and magazine, on an ephemeral port.
session_demo "$CENTIME_DEMO_BIN" "$work"
[ -n "$demo_url" ] || { echo "centime-demo did not start" >&2; exit 1; }
export CENTIME_DEMO_URL=$demo_url
export CENTIME_DATA_DIR=$work/wallet
# The app asks merchants about unconfirmed payments every 2 s instead of every 2 minutes.
export CENTIME_RESOLVE_EVERY_SECS=2

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export TAURI_DRIVER_PORT=$(free_port)
native_port=$(free_port)
tauri-driver --port "$TAURI_DRIVER_PORT" --native-port "$native_port" >"$work/tauri-driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null && break
  sleep 0.05
done

# Firefox's WebDriver, for browser-firefox.mjs (its own fresh profile per session).
if [ -x "$CENTIME_FIREFOX" ] && command -v geckodriver >/dev/null; then
  export GECKODRIVER_PORT=$(free_port)
  # --allow-system-access: the test opens the extension's popup from the browser's window.
  geckodriver --port "$GECKODRIVER_PORT" --allow-system-access >"$work/geckodriver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$GECKODRIVER_PORT") 2>/dev/null && break
    sleep 0.05
  done
fi

if [ -n "$script" ]; then
  node "$here/$script" "$@"
else
  node "$here/flow.mjs"
  node "$here/bridge.mjs"
  node "$here/history.mjs"
  # Each browser once. A missing browser fails the run (make deps installs both): a suite that
  # did not run has not passed.
  if [ -x "$CENTIME_CHROMIUM" ]; then
    node "$here/browser-chromium.mjs"
  else
    echo "app-e2e: browser-chromium.mjs cannot run: no Chromium at $CENTIME_CHROMIUM (make deps)" >&2
    exit 1
  fi
  if [ -n "${GECKODRIVER_PORT:-}" ]; then
    node "$here/browser-firefox.mjs"
  else
    echo "app-e2e: browser-firefox.mjs cannot run: no Firefox ESR at $CENTIME_FIREFOX or no geckodriver" >&2
    exit 1
  fi
fi

