#!/usr/bin/env bash
# Builds Centime's .deb with Tauri's deb bundler and prints its path.
#
#   scripts/package.sh            release binaries (`make package`)
#   scripts/package.sh debug      the debug binaries `make test` already built (`make package-test`):
#                                 the same cargo commands as tests/app/run.sh, so nothing is rebuilt
#                                 after app-e2e; its CLI has the `dev` feature (so `centime dev` has
#                                 a man page in that package, not in the release one)
#
# CENTIME_PACKAGE_SKIP_BUILD=1 bundles what is in the target dir without running cargo, the UI or
# the extension build. The package (docs/browser.md fixes the browser paths):
#   /usr/bin/centime-app, its desktop entry (x-scheme-handler/centime) and icons   Tauri itself,
#     with packaging/deb/centime.desktop as the entry's template (Tauri's own has no %u: xdg-open
#     would start the app without the link)
#   /usr/bin/centime, its man pages and bash/zsh/fish completions                 generated here
#     from the CLI being packaged (centime-manpages DIR, `centime completions SHELL`)
#   /usr/lib/centime/centime-browser-host and the host manifests for Chromium, Google Chrome and
#     Firefox; the extension: /usr/share/centime/browser/{chromium/,centime-firefox.zip}
#   /usr/share/doc/centime/{copyright,changelog.gz}, the lintian overrides (packaging/deb/)
# The programs are stripped copies (see below). Depends is what dpkg-shlibdeps finds the three programs link; Tauri adds its own (WebKitGTK,
# GTK, and the tray's libayatana-appindicator, loaded at run time so that no linker sees it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-release}
case "$profile" in
  release | debug) ;;
  *) echo "usage: scripts/package.sh [release|debug]" >&2; exit 2 ;;
esac
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin=$target_dir/$profile
log() { printf 'package: %s\n' "$*" >&2; }

if [ "${CENTIME_PACKAGE_SKIP_BUILD:-0}" != 1 ]; then
  # ui/dist and browser/dist are `make ui`'s and `make browser`'s (prerequisites of both targets):
  # rebuilding ui/dist here would make cargo rebuild the app that embeds it.
  [ -f "$root/ui/dist/index.html" ] || "$root/scripts/ui-build.sh" >/dev/null
  [ -f "$root/browser/dist/centime-firefox.zip" ] || "$root/scripts/browser-build.sh" >/dev/null
  cd "$root"
  if [ "$profile" = release ]; then
    log "building the release binaries"
    cargo build --locked --release -p centime-app -p centime-cli -p centime-bridge --features centime-app/custom-protocol
  else
    # tests/app/run.sh's two commands, feature sets included: after app-e2e, nothing to build.
    cargo build --locked -p centime-app -p centime-demo -p centime-bridge --features centime-app/custom-protocol
    cargo build --locked -p centime-cli --features dev
  fi
fi
tauri=$root/ui/node_modules/.bin/tauri
for f in "$bin/centime-app" "$bin/centime" "$bin/centime-manpages" "$bin/centime-browser-host" "$tauri"; do
  [ -x "$f" ] || { log "missing $f (build it, or unset CENTIME_PACKAGE_SKIP_BUILD)"; exit 1; }
done
ext=$root/browser/dist
for f in "$ext/chromium/manifest.json" "$ext/centime-firefox.zip"; do
  [ -f "$f" ] || { log "missing $f (scripts/browser-build.sh)"; exit 1; }
done

out_dir=$target_dir/package/$profile
stage=$out_dir/stage
rm -rf "$out_dir"
mkdir -p "$stage/man" "$stage/completions" "$stage/doc"
# Stripped copies (Debian ships no debug symbols in the package; lintian counts them an error),
# in a target dir of their own that the bundler is pointed at: the shared builds stay as they are.
bundle_target=$out_dir/target
mkdir -p "$bundle_target/$profile"
for b in centime-app centime centime-browser-host; do
  strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$bundle_target/$profile/$b" "$bin/$b"
done
"$bin/centime-manpages" "$stage/man"
gzip -9n "$stage"/man/*.1
"$bin/centime" completions bash >"$stage/completions/centime"
"$bin/centime" completions zsh >"$stage/completions/_centime"
"$bin/centime" completions fish >"$stage/completions/centime.fish"
gzip -9nc "$root/packaging/deb/changelog" >"$stage/doc/changelog.gz"

# dpkg-shlibdeps reads debian/control; a minimal one in a scratch directory will do.
mkdir -p "$stage/shlibs/debian"
printf 'Source: centime\n\nPackage: centime\nArchitecture: any\n' >"$stage/shlibs/debian/control"
staged=$bundle_target/$profile
shlibs=$(cd "$stage/shlibs" && dpkg-shlibdeps -O -e"$staged/centime-app" -e"$staged/centime" -e"$staged/centime-browser-host" 2>/dev/null)
shlibs=${shlibs#shlibs:Depends=}
[ -n "$shlibs" ] || { log "dpkg-shlibdeps found no libraries"; exit 1; }

deb=$root/packaging/deb
man_files=$(cd "$stage/man" && for f in *.1.gz; do printf '"/usr/share/man/man1/%s": "%s",\n' "$f" "$stage/man/$f"; done)
cat >"$stage/tauri.package.json" <<EOF
{
  "bundle": {
    "linux": {
      "deb": {
        "depends": $(jq -cn --arg s "$shlibs" '$s | split(", ")'),
        "desktopTemplate": "$deb/centime.desktop",
        "files": {
          $man_files
          "/usr/bin/centime": "$staged/centime",
          "/usr/lib/centime/centime-browser-host": "$staged/centime-browser-host",
          "/usr/share/bash-completion/completions/centime": "$stage/completions/centime",
          "/usr/share/zsh/vendor-completions/_centime": "$stage/completions/_centime",
          "/usr/share/fish/vendor_completions.d/centime.fish": "$stage/completions/centime.fish",
          "/etc/chromium/native-messaging-hosts/org.centime.wallet.json": "$deb/org.centime.wallet.chromium.json",
          "/etc/opt/chrome/native-messaging-hosts/org.centime.wallet.json": "$deb/org.centime.wallet.chromium.json",
          "/usr/lib/mozilla/native-messaging-hosts/org.centime.wallet.json": "$deb/org.centime.wallet.firefox.json",
          "/usr/share/centime/browser/chromium": "$ext/chromium",
          "/usr/share/centime/browser/centime-firefox.zip": "$ext/centime-firefox.zip",
          "/usr/share/doc/centime/copyright": "$deb/copyright",
          "/usr/share/doc/centime/changelog.gz": "$stage/doc/changelog.gz",
          "/usr/share/lintian/overrides/centime": "$deb/lintian-overrides"
        }
      }
    }
  }
}
EOF
jq . "$stage/tauri.package.json" >/dev/null

debug=()
[ "$profile" = debug ] && debug=(--debug)
log "bundling ($profile)"
(cd "$root/src-tauri" && CARGO_TARGET_DIR=$bundle_target "$tauri" bundle --ci --bundles deb "${debug[@]}" --config "$stage/tauri.package.json" >&2)

version=$(jq -r .version "$root/src-tauri/tauri.conf.json")
built=$staged/bundle/deb/Centime_${version}_amd64.deb
[ -f "$built" ] || { log "Tauri made no $built"; exit 1; }
# Debian's name for the file (the package is `centime`; Tauri names the file after the product).
out=$out_dir/centime_${version}_amd64.deb
cp "$built" "$out"
echo "$out"
