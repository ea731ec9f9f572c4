// Shared helpers for driving the real Centime app over tauri-driver (see run.sh for the set-up).
import { spawn } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { remote } from "webdriverio";

export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through tests/app/run.sh`);
  return v;
};

export const APP = env("CENTIME_APP_BIN");
export const DEMO = env("CENTIME_DEMO_URL");
// The demo's first article, and the site it is on.
export const ARTICLE_ID = "the-page-is-the-unit";
export const ARTICLE = `${DEMO}/articles/${ARTICLE_ID}`;
export const ORIGIN = new URL(DEMO).origin;
// The open dialog: the approval prompt, or the pairing dialog.
export const DIALOG = "//dialog[@open]";
// The `history` command's arguments for everything, newest first.
export const HISTORY = {
  filter: { since: null, until: null, site: null, kind: null, status: null, search: null },
  cursor: null,
  limit: 100,
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`  ok - ${what}`);
}

/** Failures that do not stop the run (reported at the end, and the run fails). */
export const softFailures = [];
export function soft(cond, what) {
  if (cond) console.log(`  ok - ${what}`);
  else {
    console.log(`  NOT OK - ${what}`);
    softFailures.push(what);
  }
  return cond;
}

export function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`check failed: ${what}\n    expected ${e}\n    got      ${a}`);
  console.log(`  ok - ${what}`);
}

export function step(name) {
  console.log(`# ${name}`);
}

/** A WebDriver session: tauri-driver starts a fresh app process for it. */
export async function startApp({ args = [] } = {}) {
  return remote({
    hostname: "127.0.0.1",
    port: Number(env("TAURI_DRIVER_PORT")),
    logLevel: "silent",
    connectionRetryTimeout: 120_000,
    connectionRetryCount: 0,
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: APP, args },
    },
  });
}

/** XPath string literal for any text. */
export function lit(s) {
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return `concat(${s
    .split('"')
    .map((p) => `"${p}"`)
    .join(`, '"', `)})`;
}

export const xButton = (name) => `//button[normalize-space(.)=${lit(name)}]`;

/** Waits for the first displayed element matching `sel` and returns it. */
export async function shown(browser, sel, timeout = 15_000) {
  let found = null;
  await browser.waitUntil(
    async () => {
      for (const el of await browser.$$(sel)) {
        if (await el.isDisplayed()) {
          found = el;
          return true;
        }
      }
      return false;
    },
    { timeout, interval: 100, timeoutMsg: `nothing shown for ${sel}` },
  );
  return found;
}

export async function gone(browser, sel, timeout = 15_000) {
  await browser.waitUntil(
    async () => {
      for (const el of await browser.$$(sel)) if (await el.isDisplayed()) return false;
      return true;
    },
    { timeout, interval: 100, timeoutMsg: `still shown: ${sel}` },
  );
}

export async function click(browser, sel, timeout) {
  const el = await shown(browser, sel, timeout);
  await el.waitForEnabled({ timeout: timeout ?? 15_000 });
  await el.click();
  return el;
}

export const button = (browser, name, timeout) => click(browser, xButton(name), timeout);

/** A navigation entry in the sidebar. */
export const nav = (browser, name) => click(browser, `//nav//button[normalize-space(.)=${lit(name)}]`);

/** The input or select labelled `label` (a <label for=…>), within `scope` (an XPath prefix). */
export async function field(browser, label, scope = "") {
  const lab = await shown(browser, `${scope}//label[normalize-space(.)=${lit(label)}]`);
  const id = await lab.getAttribute("for");
  return shown(browser, `//*[@id=${lit(id)}]`);
}

export async function fill(browser, label, value, scope = "") {
  const el = await field(browser, label, scope);
  await el.clearValue();
  await el.setValue(value);
  return el;
}

/** Waits until the text of `sel` satisfies `pred` (a string to contain, or a RegExp). */
export async function textOf(browser, sel, pred, timeout = 15_000) {
  let last = "";
  await browser.waitUntil(
    async () => {
      const els = await browser.$$(sel);
      for (const el of els) {
        last = await el.getText();
        if (typeof pred === "string" ? last.includes(pred) : pred.test(last)) return true;
      }
      return false;
    },
    { timeout, interval: 100, timeoutMsg: `no text ${pred} in ${sel} (last: ${JSON.stringify(last)})` },
  );
  return last;
}

/** Calls a Tauri command from the current window; resolves to {ok, value} or {ok:false, error}. */
export async function invoke(browser, cmd, args = {}) {
  // A rejection can also come back as a WebDriver "javascript error" (it does in the reader
  // window): both count as a refusal.
  return browser
    .executeAsync(
    (c, a, done) => {
      const internals = window.__TAURI_INTERNALS__;
      if (!internals) return done({ ok: false, error: "no __TAURI_INTERNALS__ in this window" });
      internals.invoke(c, a).then(
        (value) => done({ ok: true, value }),
        (error) => done({ ok: false, error: typeof error === "string" ? error : JSON.stringify(error) }),
      );
    },
    cmd,
    args,
  )
    .catch((e) => ({ ok: false, error: String(e.message ?? e) }));
}

/** Switches to the window whose URL matches `re`, waiting for it to appear. */
export async function switchToWindow(browser, re, timeout = 15_000) {
  let handle = null;
  await browser.waitUntil(
    async () => {
      for (const h of await browser.getWindowHandles()) {
        await browser.switchToWindow(h);
        if (re.test(await browser.getUrl())) {
          handle = h;
          return true;
        }
      }
      return false;
    },
    { timeout, interval: 200, timeoutMsg: `no window at ${re}` },
  );
  return handle;
}

// ---- the demo server ---------------------------------------------------------------------------

export async function demoJson(path, init) {
  const r = await fetch(`${DEMO}${path}`, init);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

/** The `centime://pay` link the demo's HTML paywall offers for a page. */
export async function payLinkFor(url) {
  const r = await fetch(url, { headers: { accept: "text/html" } });
  if (r.status !== 402) throw new Error(`${url}: expected 402, got ${r.status}`);
  const html = await r.text();
  const m = html.match(/centime:\/\/pay\?[^"'<\s]+/);
  if (!m) throw new Error(`${url}: no centime://pay link in the paywall`);
  return m[0].replaceAll("&amp;", "&");
}

/** Starts a second app instance with `args` (same display, D-Bus and data dir); it should hand
 * its arguments to the running instance (single-instance) and exit. */
export function secondInstance(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(APP, args, { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`the second instance did not exit within 30 s:\n${out}`));
    }, 30_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
    child.on("error", reject);
  });
}

export function notifications() {
  const f = env("CENTIME_E2E_NOTIFICATIONS");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export function opened() {
  const f = env("CENTIME_E2E_OPENED");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8").split("\n").filter(Boolean);
}

/** Collects uncaught page errors / CSP reports the page logged (WebKit exposes the console only
 * partially over WebDriver, so the page records them itself via this hook). */
export async function installErrorHook(browser) {
  await browser.execute(() => {
    if (window.__centimeE2eErrors) return;
    window.__centimeE2eErrors = [];
    window.addEventListener("error", (e) => window.__centimeE2eErrors.push(`error: ${e.message}`));
    window.addEventListener("unhandledrejection", (e) =>
      window.__centimeE2eErrors.push(`unhandled rejection: ${e.reason}`),
    );
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__centimeE2eErrors.push(`CSP: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

export async function pageErrors(browser) {
  return browser.execute(() => window.__centimeE2eErrors ?? []);
}

/** Presses "Pay" as a person does: the pointer on it first, then a click once it is armed. The
 * prompt re-arms its delay when the pointer enters it (a click lured onto it must not pay). */
export async function pressPay(browser, pay) {
  await pay.moveTo();
  await new Promise((r) => setTimeout(r, 300));
  await browser.waitUntil(async () => pay.isEnabled(), { timeout: 5000, timeoutMsg: "Pay never became active" });
  await pay.click();
}
