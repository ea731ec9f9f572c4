// The browser path against the real app: its socket, spoken to directly (node `net`) and
// through the real centime-browser-host, as another program or an unpaired extension would,
// then paired through the app's own dialog (its Pair button) and paying an auto-pay page.
//
//   - a caller other than Centime's extension gets `unknown_caller`;
//   - a request without pairing, under a forged pairing id, or with a wrong MAC gets `unpaired`
//     / `bad_mac`, and three refusals close the connection; nothing is paid;
//   - pairing: the code the app shows is the one the extension computes; Pair gives a key;
//   - a replayed request is refused; status and pay work; a page under auto-pay is paid once
//     (header back, one payment in the history and the merchant's ledger) and asking again is
//     answered from the entitlement; Remove in Settings unpairs.
//
// Run through tests/app/run.sh (Xvfb, D-Bus, the keyring, centime-demo, tauri-driver).
import { spawn, spawnSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import net from "node:net";

import {
  ARTICLE,
  DEMO,
  DIALOG,
  HISTORY,
  ORIGIN,
  button,
  check,
  click,
  demoJson,
  env,
  equal,
  installErrorHook,
  invoke,
  nav,
  pressPay,
  shown,
  sleep,
  startApp,
  step,
  textOf,
  xButton,
} from "./lib.mjs";

const SOCKET = join(env("XDG_RUNTIME_DIR"), "centime", "browser.sock");
const HOST = env("CENTIME_HOST_BIN");
const CHROMIUM = "chrome-extension://jihglhmnnbaegpghlkchdjclhccojjnb/";

/** Frames in (4-byte LE length + JSON) from a readable stream, as a queue of promises. */
function framesOf(readable) {
  let buf = Buffer.alloc(0);
  const ready = [];
  const waiting = [];
  let ended = false;
  const push = (v) => (waiting.length ? waiting.shift()(v) : ready.push(v));
  readable.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
      const n = buf.readUInt32LE(0);
      push(JSON.parse(buf.subarray(4, 4 + n).toString("utf8")));
      buf = buf.subarray(4 + n);
    }
  });
  const end = () => {
    ended = true;
    while (waiting.length) waiting.shift()(null);
  };
  readable.on("end", end);
  readable.on("close", end);
  return {
    /** The next frame, or null once the other side closed. */
    next(timeout = 20_000) {
      if (ready.length) return Promise.resolve(ready.shift());
      if (ended) return Promise.resolve(null);
      return new Promise((ok, ko) => {
        const t = setTimeout(() => ko(new Error("no frame within the time")), timeout);
        waiting.push((v) => {
          clearTimeout(t);
          ok(v);
        });
      });
    },
  };
}

function frame(obj) {
  const body = Buffer.from(JSON.stringify(obj), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

/** A connection straight to the app's socket. */
async function direct() {
  const sock = net.createConnection(SOCKET);
  await new Promise((ok, ko) => {
    sock.once("connect", ok);
    sock.once("error", ko);
  });
  const frames = framesOf(sock);
  return { send: (o) => sock.write(frame(o)), next: (t) => frames.next(t), close: () => sock.destroy() };
}

/** A connection through the real native messaging host, started as the browser starts it. */
function viaHost(args = [CHROMIUM]) {
  const child = spawn(HOST, args, { env: process.env, stdio: ["pipe", "pipe", "inherit"] });
  const frames = framesOf(child.stdout);
  return {
    send: (o) => child.stdin.write(frame(o)),
    next: (t) => frames.next(t),
    close: () => child.stdin.end(),
    child,
  };
}

const b64 = (b) => Buffer.from(b).toString("base64url");
const mac = (key, dir, session, seq, body) =>
  createHmac("sha256", key).update(`centime-browser-v1\n${dir}\n${session}\n${seq}\n${body}`).digest("base64url");

function seal(pairingId, key, session, seq, request) {
  const body = JSON.stringify(request);
  return { pairingId, seq, body, mac: mac(key, "req", session, seq, body) };
}

/** Opens an answer, checking the app's MAC over it. */
function opened(key, session, env_) {
  equal(env_.mac, mac(key, "res", session, env_.seq, env_.body), `the answer to #${env_.seq} carries the app's MAC`);
  return JSON.parse(env_.body);
}

async function hello(conn, caller = CHROMIUM) {
  if (caller !== null) conn.send({ type: "hello", v: 1, caller });
  const h = await conn.next();
  equal(h?.type, "hello", "the app answers the hello");
  check(Buffer.from(h.session, "base64url").length === 32, "with a 32-byte session nonce");
  return h.session;
}

async function nothingPaid(browser, what) {
  const h = await invoke(browser, "history", HISTORY);
  check(h.ok, `history: ${h.error ?? "ok"}`);
  equal(h.value.entries.filter((e) => e.kind === "payment").length, 0, `no payment in the history ${what}`);
  equal((await demoJson("/merchant/ledger")).count, ledgerBase, `nothing new in the merchant's ledger ${what}`);
}

// A fresh wallet of its own (flow.mjs ran before, on the same data directory and demo): the
// merchant's ledger is counted from where it is now.
const DATA = env("CENTIME_DATA_DIR");
if (existsSync(DATA)) renameSync(DATA, `${DATA}.before-bridge-${Date.now()}`);
const ledgerBase = (await demoJson("/merchant/ledger")).count;

const started = Date.now();
const browser = await startApp();
let failed = false;
try {
  step("a wallet in the OS keyring, topped up with €2.50");
  await shown(browser, `//h1[normalize-space(.)="Welcome to Centime"]`, 30_000);
  await installErrorHook(browser);
  await button(browser, "Create my wallet");
  await shown(browser, `//h1[normalize-space(.)="Your wallet"]`, 30_000);
  const top = await invoke(browser, "topup_demo", { amount: "2.50", asset: "EUR" });
  check(top.ok, `topped up: ${top.error ?? "ok"}`);
  await textOf(browser, `//*[@data-testid="balance-EUR"]`, /^€2\.50$/, 30_000);
  const rule = await invoke(browser, "update_site", {
    change: { origin: ORIGIN, autoPay: true, blocked: null, maxPerPayment: null, budget: "1", period: "month" },
  });
  check(rule.ok, `the demo site is under auto-pay (€1 a month): ${rule.error ?? "ok"}`);

  step("another program on the socket: refused, whatever it sends");
  let c = await direct();
  c.send({ type: "hello", v: 1, caller: "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/" });
  let r = await c.next();
  equal([r?.type, r?.code], ["error", "unknown_caller"], "a caller other than Centime's extension: unknown_caller");
  equal(await c.next(), null, "and the connection is closed");

  c = await direct();
  let session = await hello(c);
  const forgedKey = randomBytes(32);
  c.send(seal(b64(randomBytes(16)), forgedKey, session, 1, { id: 1, type: "pay", url: `${ARTICLE}/1`, kind: "page" }));
  r = await c.next();
  equal([r?.type, r?.code], ["error", "unpaired"], "a pay under a forged pairing id: unpaired");
  check(typeof r.message === "string" && r.message.includes("not paired"), `with a clear message: ${JSON.stringify(r.message)}`);
  c.send({ pairingId: "x", seq: 2, body: JSON.stringify({ id: 2, type: "status" }), mac: "" });
  r = await c.next();
  equal(r?.code, "unpaired", "a request with no key at all: unpaired");
  c.send({ type: "paired", pairingId: "x", key: b64(forgedKey) });
  r = await c.next();
  equal(r?.code, "bad_request", "a frame only the app sends: bad_request");
  equal(await c.next(), null, "three refused frames close the connection");
  await nothingPaid(browser, "after the forged requests");

  step("an unpaired extension through the real host: refused too");
  let h = viaHost();
  session = await hello(h, null);
  h.send(seal(b64(randomBytes(16)), randomBytes(32), session, 1, { id: 1, type: "pay", url: `${ARTICLE}/1`, kind: "page" }));
  r = await h.next();
  equal([r?.type, r?.code], ["error", "unpaired"], "through centime-browser-host: unpaired");
  h.close();
  await nothingPaid(browser, "after the unpaired extension");

  step("pairing: the app shows the extension's code; Pair gives the key");
  h = viaHost();
  session = await hello(h, null);
  const extNonce = randomBytes(16);
  h.send({ type: "pair", nonce: b64(extNonce), label: "Chromium" });
  const pairing = await h.next();
  equal(pairing?.type, "pairing", "the app answers the pair request at once");
  const digest = createHash("sha256")
    .update(Buffer.concat([Buffer.from("centime-pair-v1"), Buffer.from(session, "base64url"), extNonce, Buffer.from(pairing.nonce, "base64url")]))
    .digest();
  const n = (((digest[0] << 12) | (digest[1] << 4) | (digest[2] >> 4)) >>> 0) % 1_000_000;
  const code = `${String(Math.floor(n / 1000)).padStart(3, "0")} ${String(n % 1000).padStart(3, "0")}`;
  equal(pairing.code, code, "its code is the one the extension computes");
  const shownCode = await textOf(browser, `//*[@data-testid="pairing-code"]`, code, 20_000);
  check(shownCode === code, "the app's pairing dialog shows the same code");
  const dialogText = await (await shown(browser, `//*[@data-testid="pairing-dialog"]`)).getText();
  check(dialogText.includes("Chromium") && dialogText.includes(CHROMIUM), "the dialog names the label and the caller");
  await (await shown(browser, `//*[@data-testid="pairing-pair"]`)).click();
  const paired = await h.next();
  equal(paired?.type, "paired", "Pair in the app: the extension gets its pairing");
  const key = Buffer.from(paired.key, "base64url");
  check(key.length === 32 && Buffer.from(paired.pairingId, "base64url").length === 16, "a 16-byte id and a 32-byte key");

  step("authenticated requests: a wrong MAC and a replay are refused; status answers");
  h.send(seal(paired.pairingId, randomBytes(32), session, 1, { id: 1, type: "pay", url: `${ARTICLE}/1`, kind: "page" }));
  r = await h.next();
  equal([r?.type, r?.code], ["error", "bad_mac"], "the right pairing id with a wrong MAC: bad_mac");
  const status = seal(paired.pairingId, key, session, 1, { id: 1, type: "status" });
  h.send(status);
  let a = opened(key, session, await h.next());
  equal([a.id, a.ok, a.paused, a.locked], [1, true, false, false], "status: not paused, not locked");
  check(a.balances.some((b) => b.asset === "EUR" && b.amount === "2.50"), `status: the balance ${JSON.stringify(a.balances)}`);
  h.send(status);
  r = await h.next();
  equal([r?.type, r?.code], ["error", "bad_mac"], "the same request replayed: bad_mac");
  await nothingPaid(browser, "before the first real pay");

  step("pay: a page under auto-pay is paid once and its header handed over");
  h.send(seal(paired.pairingId, key, session, 2, { id: 2, type: "pay", url: `${ARTICLE}/1`, kind: "page" }));
  a = opened(key, session, await h.next(30_000));
  equal([a.id, a.ok, a.outcome, a.automatic, a.amount, a.asset], [2, true, "paid", true, "0.10", "EUR"], "paid automatically, €0.10");
  check(typeof a.header === "string" && a.header.length > 40, "with the PAYMENT-SIGNATURE header value");
  const hist = await invoke(browser, "history", HISTORY);
  const payments = hist.value.entries.filter((e) => e.kind === "payment");
  equal(payments.length, 1, "one payment in the wallet's history");
  equal(payments[0].paymentId, a.paymentId, "the answer's payment id is the wallet's");
  equal(payments[0].status, "settled", "delivered by the app: the receipt is recorded (settled)");
  const paidPage = await fetch(`${ARTICLE}/1`, { headers: { "payment-signature": a.header } });
  equal(paidPage.status, 200, "the browser's reload with the header reads the page");
  h.send(seal(paired.pairingId, key, session, 3, { id: 3, type: "pay", url: `${ARTICLE}/1`, kind: "page" }));
  a = opened(key, session, await h.next(30_000));
  check(a.ok && (a.outcome === "entitled" || a.outcome === "already_paid") && a.header, `asked again: ${a.outcome}, with the header, nothing paid`);
  equal((await demoJson("/merchant/ledger")).count, ledgerBase + 1, "the merchant's ledger holds one payment more");
  h.send(seal(paired.pairingId, key, session, 4, { id: 4, type: "site", url: `${ARTICLE}/2` }));
  a = opened(key, session, await h.next());
  equal([a.origin, a.rule.mode, a.payments.length], [ORIGIN, "auto_pay", 1], "site: the origin, its auto-pay rule, its payment");

  step("a page that needs approval: the app's prompt, answered there; a resource never prompts");
  const ask = await invoke(browser, "update_site", {
    change: { origin: ORIGIN, autoPay: false, blocked: null, maxPerPayment: null, budget: null, period: null },
  });
  check(ask.ok, `the demo site back to asking: ${ask.error ?? "ok"}`);
  h.send(seal(paired.pairingId, key, session, 5, { id: 5, type: "pay", url: `${ARTICLE}/2`, kind: "resource" }));
  a = opened(key, session, await h.next(30_000));
  equal([a.ok, a.outcome], [true, "needs_rule"], "a resource without an auto-pay rule: needs_rule, no prompt");
  equal((await browser.$$(DIALOG)).length, 0, "no prompt was raised for it");
  h.send(seal(paired.pairingId, key, session, 6, { id: 6, type: "pay", url: `${ARTICLE}/2`, kind: "page" }));
  const dialog = await shown(browser, DIALOG, 30_000);
  check((await dialog.getText()).includes(`Requested by ${ORIGIN} in your browser.`), "the prompt says the browser asked, for which site");
  await pressPay(browser, await shown(browser, `${DIALOG}//button[starts-with(normalize-space(.), "Pay")]`));
  a = opened(key, session, await h.next(30_000));
  equal([a.id, a.outcome, a.automatic], [6, "paid", false], "Pay clicked in the app: the browser gets the payment");
  check(typeof a.header === "string" && a.header.length > 40, "with its header");
  h.send(seal(paired.pairingId, key, session, 7, { id: 7, type: "pay", url: `${ARTICLE}/3`, kind: "page" }));
  await click(browser, `${DIALOG}${xButton("Decline")}`);
  a = opened(key, session, await h.next(30_000));
  equal([a.id, a.outcome, a.header], [7, "declined", undefined], "Decline in the app: declined, no header");
  h.send(seal(paired.pairingId, key, session, 8, { id: 8, type: "pause" }));
  a = opened(key, session, await h.next());
  equal([a.id, a.paused], [8, true], "pause from the browser");
  h.send(seal(paired.pairingId, key, session, 9, { id: 9, type: "pay", url: `${ARTICLE}/3`, kind: "page" }));
  a = opened(key, session, await h.next(30_000));
  equal([a.id, a.outcome, a.reason], [9, "refused", "paused"], "paused: the next page is refused");
  equal((await demoJson("/merchant/ledger")).count, ledgerBase + 2, "two payments more in the merchant's ledger");

  step("Settings lists the pairing; Remove unpairs it");
  await nav(browser, "Settings");
  const item = await textOf(browser, `//*[@data-testid="browser-pairings"]//li`, "Chromium");
  check(item.includes(CHROMIUM), "the pairing is listed with its caller");
  const remove = await shown(browser, `//*[@data-testid="browser-pairings"]//button[normalize-space(.)="Remove Chromium"]`);
  // Below the fold of Settings, under the payment's toast: scrolled to first.
  await remove.scrollIntoView({ block: "center" });
  await remove.click();
  await textOf(browser, `//*[@data-testid="browser-pairings"]`, "No browser is paired.");
  h.send(seal(paired.pairingId, key, session, 10, { id: 10, type: "status" }));
  r = await h.next();
  equal([r?.type, r?.code], ["error", "unpaired"], "a removed pairing's next request: unpaired");
  h.close();
  equal((await demoJson("/merchant/ledger")).count, ledgerBase + 2, "still two payments more");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.deleteSession().catch(() => undefined);
}

/** Whether the app still listens (a connection is accepted). */
const listening = () =>
  new Promise((ok) => {
    const s = net.createConnection(SOCKET);
    s.once("connect", () => (s.destroy(), ok(true)));
    s.once("error", () => ok(false));
  });

if (!failed) {
  let appPid = null;
  try {
    step("no app running: the host starts it in the background, without a window");
    for (let i = 0; i < 100 && (await listening()); i++) await sleep(100);
    check(!(await listening()), "the WebDriver session's app is gone");
    // The app through a wrapper that says its pid, so that this test stops the app it started.
    const work = env("CENTIME_E2E_WORK");
    const wrapper = join(work, "app-wrapper.sh");
    const pidFile = join(work, "app.pid");
    writeFileSync(wrapper, `#!/bin/sh\necho $$ > '${pidFile}'\nexec '${env("CENTIME_APP_BIN")}' "$@"\n`, { mode: 0o755 });
    const h = spawn(HOST, [CHROMIUM], { env: { ...process.env, CENTIME_APP: wrapper }, stdio: ["pipe", "pipe", "inherit"] });
    const frames = framesOf(h.stdout);
    const conn = { send: (o) => h.stdin.write(frame(o)), next: (t) => frames.next(t) };
    const session = await hello(conn, null);
    appPid = Number(readFileSync(pidFile, "utf8").trim());
    check(appPid > 0, `the host started the app (pid ${appPid}) and reached it`);
    conn.send(seal(b64(randomBytes(16)), randomBytes(32), session, 1, { id: 1, type: "status" }));
    const r = await conn.next();
    equal([r?.type, r?.code], ["error", "unpaired"], "the app it started refuses an unpaired request too");
    await sleep(1500);
    const visible = spawnSync("xdotool", ["search", "--onlyvisible", "--pid", String(appPid)], { encoding: "utf8" });
    equal(visible.stdout.trim(), "", "started with --background: no window shown");
    h.stdin.end();
  } catch (e) {
    failed = true;
    console.error(e);
  } finally {
    if (appPid) {
      try {
        process.kill(appPid, "SIGTERM");
      } catch {
        // Gone already.
      }
    }
  }
}
console.log(`bridge: ${failed ? "FAILED" : "passed"} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(failed ? 1 : 0);
