"""The memory floor of the platform Centime's window runs on: a bare WebKitGTK web view.

Run by tests/app/bench.mjs after the app's runs, in the same Xvfb and D-Bus session, so that the
two figures are taken under the same conditions (PSS depends on what else maps the same
libraries). It opens a GTK window the size of Centime's main window holding one WebKit2 4.1 web
view with the settings the app applies (hardware acceleration and WebGL off) and a one-line
page, waits IDLE seconds once it has loaded, then prints as JSON the PSS of this process and its descendants
(WebKitWebProcess, WebKitNetworkProcess) from /proc/PID/smaps_rollup. Whatever a WebKitGTK
application costs at rest is in this figure; the host here is the Python interpreter instead of
a Rust binary (its own mapping is reported apart, so it can be taken off).

    /usr/bin/python3 tests/app/webkit_floor.py [IDLE_SECONDS]
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

IDLE = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0


def kb(pid, field):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts[0] == field + ":":
                return int(parts[1])
    return 0


def interpreter_pss_kb(pid):
    """PSS of the python executable's own mappings and the C heap it starts with."""
    total, mine = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5:
                mine = len(head) >= 6 and os.path.basename(head[5]).startswith("python3")
            elif mine and head[0] == "Pss:":
                total += int(head[1])
    return total


def parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return int(s[s.rfind(")") + 2 :].split()[1])


def tree(root):
    out = [root]
    for p in out:
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if parent(int(d)) == p:
                        out.append(int(d))
                except OSError:
                    pass
    return out


def report():
    procs = []
    for pid in tree(os.getpid()):
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            procs.append({"comm": comm, "pssKiB": kb(pid, "Pss"), "rssKiB": kb(pid, "Rss")})
        except OSError:
            pass
    print(
        json.dumps(
            {
                "idleSeconds": IDLE,
                "webkit": WebKit2.get_major_version() * 10000
                + WebKit2.get_minor_version() * 100
                + WebKit2.get_micro_version(),
                "interpreterPssKiB": interpreter_pss_kb(os.getpid()),
                "processes": procs,
            }
        )
    )
    Gtk.main_quit()
    return False


window = Gtk.Window(title="floor")
window.set_default_size(1100, 760)
view = WebKit2.WebView()
settings = view.get_settings()
settings.set_hardware_acceleration_policy(WebKit2.HardwareAccelerationPolicy.NEVER)
settings.set_enable_webgl(False)
view.load_html("<!doctype html><html><body><h1>Your wallet</h1><p>€5.00</p></body></html>", "http://localhost/")
window.add(view)
window.show_all()


def loaded(_view, event):
    # Idle from the moment the page is shown, as the app's runs are idle from the balance.
    if event == WebKit2.LoadEvent.FINISHED:
        GLib.timeout_add(int(IDLE * 1000), report)


view.connect("load-changed", loaded)
Gtk.main()
