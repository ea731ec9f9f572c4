//! The real host binary between a "browser" (its stdin/stdout) and a listener on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use centime_bridge::frame::{read_frame, write_frame};
use centime_bridge::messages::{Control, Incoming};
use centime_bridge::{caller, socket};

const HOST: &str = env!("CARGO_BIN_EXE_centime-browser-host");

#[test]
fn the_host_says_hello_for_its_caller_and_relays_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("centime").join("browser.sock");
    let listener = socket::listen(&path).unwrap();
    let mut host = Command::new(HOST)
        .arg(caller::chromium_caller())
        .env(socket::SOCKET_ENV, &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut app, _) = listener.accept().unwrap();
    socket::check_peer(&app).unwrap();
    let hello = Incoming::parse(&read_frame(&mut app).unwrap().unwrap()).unwrap();
    assert_eq!(
        hello,
        Incoming::Control(Control::Hello { v: 1, caller: Some(caller::chromium_caller()), session: None })
    );

    let mut to_host = host.stdin.take().unwrap();
    let mut from_host = host.stdout.take().unwrap();
    write_frame(&mut to_host, br#"{"type":"pair","nonce":"x","label":"Chromium"}"#).unwrap();
    assert_eq!(read_frame(&mut app).unwrap().unwrap(), br#"{"type":"pair","nonce":"x","label":"Chromium"}"#);
    write_frame(&mut app, br#"{"type":"error","code":"unpaired"}"#).unwrap();
    assert_eq!(read_frame(&mut from_host).unwrap().unwrap(), br#"{"type":"error","code":"unpaired"}"#);

    // A frame over 64 KiB from the browser ends the relay: the app sees the end.
    to_host.write_all(&(70_000u32).to_le_bytes()).unwrap();
    to_host.write_all(&vec![b' '; 70_000]).unwrap_or(());
    assert!(read_frame(&mut app).unwrap().is_none());
    drop(app);
    let out = host.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("over the 65536-byte limit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_host_refuses_to_run_without_a_caller_and_says_why_it_cannot_reach_the_app() {
    let out = Command::new(HOST).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without the browser's caller"));
    assert!(out.stdout.is_empty(), "nothing but frames on the browser's pipe");

    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(HOST)
        .arg(caller::chromium_caller())
        .env(socket::SOCKET_ENV, tmp.path().join("none.sock"))
        .env("CENTIME_APP", tmp.path().join("no-such-app"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot start the app") && err.contains("no-such-app"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_host_starts_the_app_when_nothing_listens() {
    // "The app": a script that listens on the socket (python's socket module) when started
    // with --background, as centime-app does.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("browser.sock");
    let app = tmp.path().join("fake-app");
    let marker = tmp.path().join("args");
    std::fs::write(
        &app,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nexec python3 -c 'import socket,sys,time\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(1)\nc,_=s.accept()\nn=int.from_bytes(c.recv(4),\"little\")\nc.sendall(len(b\"{{}}\").to_bytes(4,\"little\")+b\"{{}}\")\ntime.sleep(1)' '{}'\n",
            marker.display(),
            path.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut host = Command::new(HOST)
        .args(["/usr/lib/mozilla/native-messaging-hosts/org.centime.wallet.json", caller::FIREFOX_ADDON_ID])
        .env(socket::SOCKET_ENV, &path)
        .env("CENTIME_APP", &app)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut from_host = host.stdout.take().unwrap();
    assert_eq!(read_frame(&mut from_host).unwrap().unwrap(), b"{}");
    assert_eq!(std::fs::read_to_string(&marker).unwrap().trim(), "--background");
    drop(host.stdin.take());
    host.wait().unwrap();
}
