#!/usr/bin/python3
"""A stand-in desktop notification server: owns org.freedesktop.Notifications on the session bus
and appends every notification it is sent to a file, one JSON object a line.

Run it with Debian's python3 (python3-dbus, python3-gi): /usr/bin/python3 notifyd.py OUT.jsonl
"""
import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Notifications(dbus.service.Object):
    def __init__(self, bus, out):
        super().__init__(bus, PATH)
        self.out = out
        self.next_id = 0

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, timeout):
        self.next_id += 1
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": self.next_id, "app": str(app_name), "summary": str(summary),
                                "body": str(body)}) + "\n")
        return dbus.UInt32(self.next_id)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("centime-test-notifyd", "centime", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        pass


def main():
    out = sys.argv[1]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    Notifications(bus, out)
    open(out, "a").close()
    print("notifyd ready", flush=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    del name


if __name__ == "__main__":
    main()
