#!/usr/bin/env bash
# The .deb, for real (part of `make test`, as `make package-test`):
#  1. built by scripts/package.sh from the debug binaries the rest of `make test` built
#     (CENTIME_PACKAGE_PROFILE=release: the release ones, built when missing);
#  2. inspected: every path the package promises is in `dpkg-deb --contents`, the desktop entry
#     opens centime:// links, the host manifests name the host and only the extension's ids;
#  3. lintian: no error (the overrides in packaging/deb/lintian-overrides say why each is there);
#  4. installed with `apt-get install ./centime_*.deb` (reinstalled when it is there: a re-run works);
#  5. used: `centime --version`, `man centime`, the bash completion, `xdg-mime query default
#     x-scheme-handler/centime`, then under Xvfb (private D-Bus session, gnome-keyring unlocked,
#     centime-demo on an ephemeral port, a wallet made and topped up by the installed CLI)
#     `xdg-open 'centime://pay?…'` starts the INSTALLED app (/usr/bin/centime-app), which raises
#     its payment prompt for the demo page (its log says so);
#  6. removed with `apt-get remove`: none of the package's files is left.
# Needs root (apt-get, dpkg). Everything it starts is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf 'package-test: %s\n' "$*" >&2; }
pass=0
ok() { echo "  ok  $*"; pass=$((pass + 1)); }
die() { echo "  FAIL $*" >&2; exit 1; }
# shellcheck source=lib/desktop-session.sh
. "$root/scripts/lib/desktop-session.sh"

if [ "${1:-}" = --in-session ]; then
  in_session=1
else
  in_session=0
fi

if [ "$in_session" = 0 ]; then
  [ "$(id -u)" -eq 0 ] || { log "needs root (apt-get install, dpkg)"; exit 1; }
  for tool in dpkg-deb lintian apt-get man xdg-mime xdg-open jq curl Xvfb dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { log "missing $tool (make deps)"; exit 1; }
  done
  target_dir=${CARGO_TARGET_DIR:-$root/target}
  profile=${CENTIME_PACKAGE_PROFILE:-debug}
  started=$(date +%s)
  deb=$("$here/package.sh" "$profile")
  log "built $deb in $(($(date +%s) - started)) s ($profile)"
  demo_bin=$target_dir/$profile/centime-demo
  if [ ! -x "$demo_bin" ]; then
    release=()
    [ "$profile" = release ] && release=(--release)
    (cd "$root" && cargo build --locked "${release[@]}" -p centime-demo) >&2
  fi
  [ -x "$demo_bin" ] || { log "missing $demo_bin"; exit 1; }
  version=$(jq -r .version "$root/src-tauri/tauri.conf.json")

  echo "The .deb ($deb):"
  contents=$(dpkg-deb --contents "$deb")
  # Tauri writes the paths without a leading "./", the owner as 0/0.
  listed() { awk '{print $NF}' <<<"$contents" | sed 's|^\./||; s|^|/|'; }
  # What is not a directory (dpkg-deb's first column), for what `apt-get remove` must take away.
  listed_files() { awk '$1 !~ /^d/ {print $NF}' <<<"$contents" | sed 's|^\./||; s|^|/|'; }
  # The list is read once into a string: `listed | grep -q` would fail now and then under
  # pipefail, when grep's early exit on a match kills the writer with SIGPIPE.
  paths=$(listed)
  for path in \
    /usr/bin/centime-app /usr/bin/centime /usr/lib/centime/centime-browser-host \
    /usr/share/applications/Centime.desktop /usr/share/icons/hicolor/128x128/apps/centime-app.png \
    /etc/chromium/native-messaging-hosts/org.centime.wallet.json \
    /etc/opt/chrome/native-messaging-hosts/org.centime.wallet.json \
    /usr/lib/mozilla/native-messaging-hosts/org.centime.wallet.json \
    /usr/share/centime/browser/chromium/manifest.json /usr/share/centime/browser/centime-firefox.zip \
    /usr/share/man/man1/centime.1.gz /usr/share/man/man1/centime-pay.1.gz /usr/share/man/man1/centime-issuer-add.1.gz \
    /usr/share/bash-completion/completions/centime /usr/share/zsh/vendor-completions/_centime \
    /usr/share/fish/vendor_completions.d/centime.fish \
    /usr/share/doc/centime/copyright /usr/share/doc/centime/changelog.gz; do
    grep -qxF "$path" <<<"$paths" || die "$path is not in the package"
  done
  ok "every promised path is in dpkg-deb --contents ($(listed_files | wc -l) files)"
  for exe in /usr/bin/centime-app /usr/bin/centime /usr/lib/centime/centime-browser-host; do
    grep -qE "^-rwxr-xr-x (root/root|0/0) .* (\./)?${exe#/}\$" <<<"$contents" || die "$exe is not root-owned 0755: $(grep -F "${exe#/}" <<<"$contents")"
  done
  ok "the three programs are root:root 0755"
  [ "$(dpkg-deb -f "$deb" Package)" = centime ] && [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] \
    || die "control: $(dpkg-deb -f "$deb" Package Version)"
  grep -q 'libc6' <<<"$(dpkg-deb -f "$deb" Depends)" || die "Depends names no libc6: $(dpkg-deb -f "$deb" Depends)"
  ok "control: centime $version, Depends from dpkg-shlibdeps ($(dpkg-deb -f "$deb" Depends | tr ',' '\n' | wc -l) packages)"

  x=$(mktemp -d)
  trap 'rm -rf "$x"' EXIT
  dpkg-deb -x "$deb" "$x"
  desktop=$x/usr/share/applications/Centime.desktop
  grep -qx 'MimeType=x-scheme-handler/centime;' "$desktop" || die "the desktop entry registers no centime scheme: $(cat "$desktop")"
  grep -qx 'Exec=centime-app %u' "$desktop" || die "the desktop entry does not pass the link: $(grep Exec "$desktop")"
  ! command -v desktop-file-validate >/dev/null || desktop-file-validate "$desktop" || die "desktop-file-validate"
  ok "the desktop entry opens x-scheme-handler/centime with the link (Exec=centime-app %u)"
  for m in etc/chromium etc/opt/chrome; do
    jq -e '.name == "org.centime.wallet" and .type == "stdio" and .path == "/usr/lib/centime/centime-browser-host"
      and .allowed_origins == ["chrome-extension://jihglhmnnbaegpghlkchdjclhccojjnb/"] and (has("allowed_extensions") | not)' \
      "$x/$m/native-messaging-hosts/org.centime.wallet.json" >/dev/null || die "$m manifest: $(cat "$x/$m/native-messaging-hosts/org.centime.wallet.json")"
  done
  jq -e '.name == "org.centime.wallet" and .type == "stdio" and .path == "/usr/lib/centime/centime-browser-host"
    and .allowed_extensions == ["browser@centime.org"] and (has("allowed_origins") | not)' \
    "$x/usr/lib/mozilla/native-messaging-hosts/org.centime.wallet.json" >/dev/null || die "the Firefox manifest"
  ok "the host manifests (Chromium, Google Chrome, Firefox) name the host and only the extension's id"
  jq -e '.manifest_version == 3' "$x/usr/share/centime/browser/chromium/manifest.json" >/dev/null || die "the Chromium extension's manifest"
  unzip -p "$x/usr/share/centime/browser/centime-firefox.zip" manifest.json | jq -e '.manifest_version == 3' >/dev/null \
    || die "the Firefox zip has no MV3 manifest.json at its root"
  ok "the extension: Chromium unpacked, Firefox zip (manifest.json at its root)"
  rm -rf "$x"
  trap - EXIT

  started=$(date +%s)
  lint=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1) || { echo "$lint" >&2; die "lintian reports errors"; }
  [ -z "$lint" ] || printf '%s\n' "$lint" | sed 's/^/    /'
  ok "lintian: no error ($(grep -c '^W:' <<<"$lint" || true) warnings, $(($(date +%s) - started)) s)"

  reinstall=()
  dpkg-query -W -f='${db:Status-Status}' centime 2>/dev/null | grep -qx installed && reinstall=(--reinstall)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${reinstall[@]}" "$deb" >/dev/null
  [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' centime)" = "installed $version" ] || die "centime is not installed"
  ok "apt-get install ${reinstall[*]:+--reinstall }./$(basename "$deb")"

  [ "$(command -v centime)" = /usr/bin/centime ] || die "centime on PATH is $(command -v centime)"
  [ "$(/usr/bin/centime --version)" = "centime $version" ] || die "centime --version: $(/usr/bin/centime --version)"
  ok "centime --version: $(/usr/bin/centime --version)"
  page=$(MANPAGER=cat MANWIDTH=100 man centime 2>/dev/null)
  grep -q 'Centime: a wallet for micropayments' <<<"$page" && grep -q 'centime-pay(1)' <<<"$page" \
    || die "man centime: $(head -20 <<<"$page")"
  MANPAGER=cat man centime-fetch 2>/dev/null | grep -q -- '--max' || die "man centime-fetch shows no --max"
  ok "man centime (and its sub-command pages: man centime-fetch)"
  # The completion as bash loads it: the functions it defines complete centime's subcommands.
  words=$(bash -c 'source /usr/share/bash-completion/completions/centime
    COMP_WORDS=(centime pa); COMP_CWORD=1; COMP_LINE="centime pa"; COMP_POINT=${#COMP_LINE}
    _centime centime pa centime; printf "%s\n" "${COMPREPLY[@]}"')
  grep -qx pay <<<"$words" && grep -qx pause <<<"$words" || die "bash completion of 'centime pa': $words"
  ok "bash completes 'centime pa' to: $(tr '\n' ' ' <<<"$words")"
  for m in /etc/chromium /etc/opt/chrome /usr/lib/mozilla; do
    [ -x "$(jq -r .path "$m/native-messaging-hosts/org.centime.wallet.json")" ] || die "$m: the host is not installed where its manifest says"
  done
  ok "the installed manifests point to the installed host"

  work=$(mktemp -d "${TMPDIR:-/tmp}/centime-package-test.XXXXXX")
  export CENTIME_PT_WORK=$work CENTIME_PT_DEMO_BIN=$demo_bin
  xvfb_pid=
  cleanup() {
    local rc=$?
    if [ -n "$xvfb_pid" ]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
    if [ "$rc" != 0 ]; then
      for f in "$work"/*.log "$work"/wallet/logs/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
    fi
    rm -rf "$work"
    exit "$rc"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  session_xvfb "$work" || die "Xvfb did not start"
  # The session bus's own chatter (activations of the accessibility bus) is left out.
  session_out=$(dbus-run-session -- "$0" --in-session 2> >(grep -vE '^(dbus-daemon|SpiRegistry)' >&2)) \
    || { echo "$session_out"; exit 1; }
  echo "$session_out"
  pass=$((pass + $(grep -c '^  ok ' <<<"$session_out")))

  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq centime >/dev/null
  status=$(dpkg-query -W -f='${db:Status-Status}' centime 2>/dev/null || true)
  [ -z "$status" ] || [ "$status" = not-installed ] || die "after apt-get remove, centime is '$status'"
  left=()
  while read -r path; do
    if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
  done < <(listed_files)
  ((${#left[@]} == 0)) || die "apt-get remove left: ${left[*]}"
  for d in /usr/lib/centime /usr/share/centime /usr/share/doc/centime /etc/chromium/native-messaging-hosts; do
    [ ! -e "$d" ] || [ -n "$(ls -A "$d")" ] || die "apt-get remove left the empty $d"
  done
  [ "$(xdg-mime query default x-scheme-handler/centime)" = "" ] || die "centime:// is still handled after the removal"
  ok "apt-get remove centime: none of its files is left, centime:// is handled by nothing"
  echo "package-test: $pass passed, 0 failed"
  exit 0
fi

# ---- inside the private D-Bus session, on the Xvfb display -------------------------------------
work=$CENTIME_PT_WORK
pids=()
app_pid=
stop_all() {
  [ -z "$app_pid" ] || { kill -TERM "$app_pid" 2>/dev/null || true; for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done; }
  session_stop
}
trap stop_all EXIT
session_home "$work"
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION

handler=$(xdg-mime query default x-scheme-handler/centime)
[ "$handler" = Centime.desktop ] || die "xdg-mime query default x-scheme-handler/centime: '$handler'"
ok "xdg-mime query default x-scheme-handler/centime: $handler"

session_keyring centime-package-test

session_demo "$CENTIME_PT_DEMO_BIN" "$work"
demo=$demo_url
[ -n "$demo" ] || die "centime-demo did not start"

# The wallet, made by the installed CLI in the OS keyring (where the app looks for its key).
export CENTIME_DATA_DIR=$work/wallet CENTIME_KEYSTORE=os CENTIME_DEMO_URL=$demo
issuer=$(curl -fsS "$demo/issuer")
/usr/bin/centime init --issuer "$(jq -r .network <<<"$issuer")=$(jq -r .publicKey <<<"$issuer")" >/dev/null
wallet=$(/usr/bin/centime id)
credit=$(curl -fsS -X POST -H 'content-type: application/json' \
  -d "$(jq -cn --arg w "$wallet" '{wallet: $w, amount: "2.00", asset: "EUR"}')" "$demo/issuer/topups")
/usr/bin/centime topup "$(jq -r .credit <<<"$credit")" >/dev/null
/usr/bin/centime --json balance | jq -e '[.balances[] | select(.asset == "EUR" and .amount == "2.00")] | length == 1' >/dev/null || die "the top-up: $(/usr/bin/centime balance)"
ok "a wallet in the OS keyring, made and topped up by the installed CLI ($(/usr/bin/centime balance | tr '\n' ' '))"

page=$demo/articles/the-page-is-the-unit/1
link=$(curl -sS -H 'accept: text/html' "$page" | grep -o 'centime://pay?[^"'"'"'< ]*' | head -n1 | sed 's/&amp;/\&/g')
[ -n "$link" ] || die "no centime://pay link on $page"
# xdg-open resolves the handler as a desktop would (no desktop environment here: its generic
# path, through the desktop entry's Exec) and starts it with the link.
xdg-open "$link" >"$work/xdg-open.log" 2>&1 &
pids+=($!)
applog=$CENTIME_DATA_DIR/logs/centime.log
for _ in $(seq 600); do
  grep -q 'payment prompt raised' "$applog" 2>/dev/null && break
  sleep 0.1
done
grep -q 'payment prompt raised' "$applog" 2>/dev/null || die "no prompt in 60 s; the app's log: $(tail -5 "$applog" 2>/dev/null)"
prompt=$(grep -m1 'payment prompt raised' "$applog")
grep -qF "origin=${demo%/}" <<<"$prompt" && grep -qF "resource=$page" <<<"$prompt" || die "the prompt is not for $page: $prompt"
# The app that raised it: the installed binary, started for this session (its environment
# names this work dir), stopped by its pid on exit.
for p in /proc/[0-9]*; do
  [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/centime-app ] || continue
  tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "CENTIME_DATA_DIR=$CENTIME_DATA_DIR" || continue
  app_pid=${p#/proc/}
done
[ -n "$app_pid" ] || die "no /usr/bin/centime-app process of this session"
ok "xdg-open '${link:0:40}…' started /usr/bin/centime-app (pid $app_pid), which raised its prompt:${prompt#*payment prompt raised}"
