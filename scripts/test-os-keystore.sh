#!/usr/bin/env bash
# The OS keystore, for real: a Secret Service (gnome-keyring) on a private D-Bus session.
#  1. a wallet created by one process is opened by other processes (same key, same id);
#  2. with no Secret Service on the bus, the CLI exits 6 and says what is missing;
#  3. with no D-Bus at all, the CLI exits 6 and says so;
#  4. with the key deleted from the keyring, the CLI exits 6 and creates no new identity;
#  5. restoring the backup brings the same wallet back (its id, its balance, a ledger that
#     verifies under the restored keys) and puts the key back in the keyring;
#  6. with the keyring locked under an existing wallet, the CLI exits 6 saying so, creates
#     nothing, and once unlocked the same wallet opens.
set -euo pipefail
bin=${1:?usage: test-os-keystore.sh PATH/TO/centime}
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
ok() { echo "  ok  $*"; pass=$((pass + 1)); }
die() { echo "  FAIL $*" >&2; exit 1; }

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stderr matches PATTERN.
expect() {
  local code=$1 pattern=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq "$code" ] || die "expected exit $code, got $rc from: $* :: $out"
  grep -qiE "$pattern" <<<"$out" || die "stderr of '$*' does not mention /$pattern/: $out"
}

export CENTIME_KEYSTORE=os
unset CENTIME_PASSPHRASE DBUS_SESSION_BUS_ADDRESS

echo "OS keystore (Secret Service via gnome-keyring):"
export XDG_DATA_HOME="$work/xdg-data" XDG_RUNTIME_DIR="$work/xdg-run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "keyring-test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # An issuer of our own (openssl signs Ed25519), so that the wallet holds money to bring back.
  b64url() { base64 -w0 | tr "+/" "-_" | tr -d "="; }
  # The whole listing first: under pipefail, `secret-tool search | grep -q` fails whenever grep
  # stops reading before secret-tool is done writing (SIGPIPE), which CI hit.
  in_keyring() {
    local items
    items=$(secret-tool search --all service org.centime.wallet 2>/dev/null | tr -d "\\000" || true)
    grep -q "org.centime.wallet" <<<"$items"
  }
  openssl genpkey -algorithm ed25519 -out "$1/issuer.pem" 2>/dev/null
  issuer=$(openssl pkey -in "$1/issuer.pem" -pubout -outform DER | tail -c 32 | b64url)
  "$0" --data-dir "$1/w" init --issuer "centime:demo=$issuer" >/dev/null
  first=$("$0" --data-dir "$1/w" id)
  second=$("$0" --data-dir "$1/w" id)
  [ -n "$first" ] && [ "$first" = "$second" ] || { echo "ids differ: $first / $second" >&2; exit 1; }
  "$0" --data-dir "$1/w" verify >/dev/null
  echo "$first" > "$1/id"
  # A credit note for this wallet: the JWS of docs, signed by the issuer key above.
  header=$(printf "%s" "{\"alg\":\"Ed25519\",\"typ\":\"centime-credit+jws\"}" | b64url)
  claims=$(printf "{\"iss\":\"%s\",\"network\":\"centime:demo\",\"sub\":\"%s\",\"creditId\":\"os-1\",\"value\":\"125\",\"asset\":\"EUR\",\"assetScale\":2,\"issuedAt\":%s}" "$issuer" "$first" "$(date +%s)" | b64url)
  printf "%s.%s" "$header" "$claims" > "$1/signing-input"
  sig=$(openssl pkeyutl -sign -inkey "$1/issuer.pem" -rawin -in "$1/signing-input" | b64url)
  "$0" --data-dir "$1/w" topup "$header.$claims.$sig" >/dev/null
  "$0" --data-dir "$1/w" limits --daily-cap 7 >/dev/null
  balance=$("$0" --data-dir "$1/w" balance)
  grep -q "^1.25 EUR" <<<"$balance" || { echo "top-up: $balance" >&2; exit 1; }
  CENTIME_BACKUP_PASSPHRASE="backup horse battery staple" "$0" --data-dir "$1/w" backup --out "$1/w.backup" >/dev/null
  # The secret is in the keyring, not in the data directory.
  in_keyring || { echo "no keyring item" >&2; exit 1; }
  ! ls "$1/w" | grep -q keys.centime || { echo "a key file was written" >&2; exit 1; }
  # Delete the key from the keyring: the wallet must stop, not make a new identity.
  secret-tool clear service org.centime.wallet
  rc=0; msg=$("$0" --data-dir "$1/w" id 2>&1) || rc=$?
  [ "$rc" -eq 6 ] || { echo "missing key: exit $rc: $msg" >&2; exit 1; }
  grep -qi "missing from the os keystore" <<<"$msg" || { echo "missing key message: $msg" >&2; exit 1; }
  rc=0; msg=$("$0" --data-dir "$1/w" balance 2>&1) || rc=$?
  [ "$rc" -eq 6 ] || { echo "missing key, balance: exit $rc: $msg" >&2; exit 1; }
  ! in_keyring \
    || { echo "a key was put back in the keyring without a restore" >&2; exit 1; }
  ! ls "$1/w" | grep -q keys.centime || { echo "a key file was written" >&2; exit 1; }
  # Restore the backup: the same wallet, its money, its key back in the keyring.
  CENTIME_BACKUP_PASSPHRASE="backup horse battery staple" "$0" --data-dir "$1/w" restore --from "$1/w.backup" >/dev/null
  again=$("$0" --data-dir "$1/w" id)
  [ "$again" = "$first" ] || { echo "restored id $again, expected $first" >&2; exit 1; }
  [ "$("$0" --data-dir "$1/w" balance)" = "$balance" ] || { echo "restored balance differs" >&2; exit 1; }
  "$0" --data-dir "$1/w" verify >/dev/null
  in_keyring \
    || { echo "the restored key is not in the keyring" >&2; exit 1; }
  # Lock the collection under the wallet (headless, no prompter can unlock it).
  dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
  rc=0; msg=$("$0" --data-dir "$1/w" balance 2>&1) || rc=$?
  [ "$rc" -eq 6 ] || { echo "locked keyring: exit $rc: $msg" >&2; exit 1; }
  grep -qi "locked" <<<"$msg" || { echo "locked keyring message: $msg" >&2; exit 1; }
  ! ls "$1/w" | grep -q keys.centime || { echo "a key file was written" >&2; exit 1; }
  printf "keyring-test-password" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null 2>&1
  for _ in $(seq 50); do again=$("$0" --data-dir "$1/w" id 2>/dev/null) && break; sleep 0.1; done
  [ "$again" = "$first" ] || { echo "unlocked: id $again, expected $first" >&2; exit 1; }
  [ "$("$0" --data-dir "$1/w" balance)" = "$balance" ] || { echo "unlocked: balance differs" >&2; exit 1; }
' "$bin" "$work"
ok "a key stored by one process is read by others (wallet $(cat "$work/id"))"
ok "the key lives in the keyring, not in the data directory"
ok "a key deleted from the keyring stops the wallet with exit 6; no new identity"
ok "restoring the backup brings the same wallet back (id, 1.25 EUR, a ledger that verifies) into the keyring"
ok "a keyring locked under the wallet: exit 6, says it is locked, creates nothing; unlocked, the same wallet"

# A session bus that can start gnome-keyring, but whose keyring nobody unlocked (and no
# prompter can ask, headless): a locked collection.
expect 6 "locked" dbus-run-session -- "$bin" --data-dir "$work/locked" init
[ ! -e "$work/locked/wallet.sqlite3" ] || die "a wallet was created in a locked keyring"
ok "locked keyring: exit 6, says it is locked, creates nothing"

# A session bus with no services to activate: no Secret Service at all.
cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$work</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
expect 6 "secret service" dbus-run-session --config-file="$work/bus.conf" -- "$bin" --data-dir "$work/none" init
[ ! -e "$work/none/wallet.sqlite3" ] || die "a wallet was created without a keyring"
ok "no Secret Service: exit 6, says what is missing, creates nothing"

# No D-Bus at all.
expect 6 "d-bus|dbus" env -u DBUS_SESSION_BUS_ADDRESS DISPLAY= "$bin" --data-dir "$work/nobus" init
ok "no D-Bus session: exit 6, says so"

echo "os keystore: $pass checks passed"
