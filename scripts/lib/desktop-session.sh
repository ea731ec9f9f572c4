# Sourced by the scripts that drive the real app on a private desktop (tests/app/run.sh,
# scripts/test-package.sh): an Xvfb display, then inside `dbus-run-session` a home of its own,
# the OS keyring unlocked, and the demo on an ephemeral port. The caller keeps the processes it
# starts in the array `pids` and calls `session_stop` on exit.

# Xvfb on a free display (it writes the number to fd 3); sets DISPLAY and xvfb_pid.
session_xvfb() {
  local work=$1
  exec 3>"$work/display"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  exec 3>&-
  for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.05; done
  [ -s "$work/display" ] || return 1
  export DISPLAY=":$(head -n1 "$work/display")"
}

# Stops `pids` in reverse order with SIGTERM only (tauri-driver must not be SIGKILLed: it would
# orphan WebKitWebDriver, which keeps pipes open), then the keyring daemon, which forks away
# and is stopped by the pid it announced.
session_stop() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
  if [ -n "${GNOME_KEYRING_PID:-}" ]; then kill -TERM "$GNOME_KEYRING_PID" 2>/dev/null || true; fi
}

# A home and XDG directories of the session's own under $1, and the POSIX locale whatever the
# caller's (the UI then formats in en-GB, "€2.50").
session_home() {
  local work=$1
  export LANG=C.UTF-8
  unset LC_ALL LANGUAGE
  export HOME=$work/home XDG_DATA_HOME=$work/xdg-data XDG_CONFIG_HOME=$work/xdg-config \
    XDG_CACHE_HOME=$work/xdg-cache XDG_RUNTIME_DIR=$work/xdg-run
  mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
}

# The OS keyring, unlocked: a fresh login keyring with the throwaway password $1.
session_keyring() {
  eval "$(printf '%s' "$1" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL GNOME_KEYRING_PID
}

# The demo issuer and magazine ($1, the centime-demo binary) on an ephemeral port, its data in
# $2/demo; sets demo_url (empty when it did not start).
session_demo() {
  local bin=$1 work=$2
  "$bin" serve --addr 127.0.0.1:0 --data-dir "$work/demo" >"$work/demo.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^listening on' "$work/demo.log" 2>/dev/null && break; sleep 0.05; done
  demo_url=$(grep -m1 -o 'http://[^ ]*' "$work/demo.log" || true)
}
