#!/usr/bin/env bash
# `make run`: builds Centime, starts the demo issuer and magazine on 127.0.0.1:8402, and
# shows how to use the wallet against it. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ui-build.sh >/dev/null
cargo build --locked -p centime-cli -p centime-demo
cargo build --locked -p centime-app --features custom-protocol
target_dir=${CARGO_TARGET_DIR:-target}
bin="$(realpath "$target_dir")/debug"
addr=${CENTIME_DEMO_ADDR:-127.0.0.1:8402}
demo_data=${CENTIME_DEMO_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/centime-demo}
mkdir -p "$demo_data"

log="$demo_data/server.log"
"$bin/centime-demo" serve --addr "$addr" --data-dir "$demo_data" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; echo; echo "demo server stopped"' EXIT INT TERM
for _ in $(seq 50); do
  grep -q '^listening on' "$log" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; echo "the demo server did not start (is $addr in use?)" >&2; exit 1; }
  sleep 0.1
done
base=$(grep -m1 -o 'http://[^ ]*' "$log")
key=$(curl -fsS "$base/issuer" | sed -E 's/.*"publicKey":"([^"]+)".*/\1/')

cat <<TXT

  Centime demo running at $base (issuer network centime:demo, key $key)
  Magazine: $base/        Top-up page: $base/topup        Merchant ledger: $base/merchant/ledger

  Try the wallet (in another terminal; add --keystore file where no OS keyring is running):

    export PATH="$bin:\$PATH"
    centime init --issuer centime:demo=$key
    centime issuer url centime:demo $base                           # where to ask for statements
    centime topup "\$(curl -fsS -X POST $base/issuer/topups -H 'content-type: application/json' \\
        -d "{\\"wallet\\":\\"\$(centime id)\\",\\"amount\\":\\"5.00\\",\\"asset\\":\\"EUR\\"}" \\
        | sed -E 's/.*"credit":"([^"]+)".*/\\1/')"
    centime fetch $base/articles/the-page-is-the-unit/1          # asks; --yes to approve
    centime allow $base --budget 1.00 --per day --auto              # then pages pay themselves
    centime history
    centime-demo settle --data-dir "$demo_data"                     # the magazine settles with the issuer
    curl -fsS $base/merchant/ledger                                 # ...each entry settled, totals per state
    centime sync                                                    # the issuer's signed statement: settled, balance

  Ctrl-C stops the demo server.
TXT
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "  Starting the Centime app (wallet in its default data directory; the demo issuer is offered at onboarding)."
  CENTIME_DEMO_URL="$base" "$bin/centime-app" || true
else
  echo "  No display: the desktop app is not started (run under a desktop session, or use the CLI above)."
  wait $server
fi
