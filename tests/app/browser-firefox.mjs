// Firefox ESR (geckodriver, the extension installed as a temporary add-on, the host manifest in
// ~/.mozilla/native-messaging-hosts), against the real app, host and demo: pair (the code
// confirmed in the app) → an unpaid article → the app's prompt "in your browser" → Pay → the tab
// shows the article's HTML heading and text, and the payment is in the app's History.
//
// Run through tests/app/run.sh (it starts geckodriver and exports GECKODRIVER_PORT).
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

import { remote } from "webdriverio";

import {
  ARTICLE,
  EXT_DIST,
  FIREFOX_ID,
  HISTORY,
  HOST_NAME,
  appWithFreshWallet,
  articleTitle,
  confirmPairing,
  hostManifest,
  ledger,
  payInApp,
} from "./browser-lib.mjs";
import { check, env, equal, invoke, softFailures, step } from "./lib.mjs";

const FIREFOX = process.env.CENTIME_FIREFOX ?? "/usr/lib/firefox-esr/firefox-esr";
// A fixed internal UUID, so that the popup's moz-extension:// address is known.
const UUID = "6a1f0c3e-5b2d-4c8e-9f7a-3d2b1c0e9a84";
const POPUP = `moz-extension://${UUID}/popup.html`;
const gecko = `http://127.0.0.1:${env("GECKODRIVER_PORT")}`;

const started = Date.now();
let app = null;
let ff = null;
let failed = false;
try {
  app = await appWithFreshWallet();
  step("Firefox ESR with the extension as a temporary add-on, the host manifest in ~/.mozilla");
  const hosts = join(homedir(), ".mozilla", "native-messaging-hosts");
  mkdirSync(hosts, { recursive: true });
  writeFileSync(join(hosts, `${HOST_NAME}.json`), hostManifest({ allowed_extensions: [FIREFOX_ID] }));
  ff = await remote({
    hostname: "127.0.0.1",
    port: Number(env("GECKODRIVER_PORT")),
    logLevel: "silent",
    connectionRetryCount: 0,
    capabilities: {
      // Classic, not BiDi: the chrome context below is a geckodriver command of its own.
      "wdio:enforceWebDriverClassic": true,
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: FIREFOX,
        args: ["-headless"],
        prefs: { "extensions.webextensions.uuids": JSON.stringify({ [FIREFOX_ID]: UUID }) },
      },
    },
  });
  const r = await fetch(`${gecko}/session/${ff.sessionId}/moz/addon/install`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: join(EXT_DIST, "firefox"), temporary: true }),
  });
  const installed = await r.json();
  equal(installed.value, FIREFOX_ID, "Firefox installs the add-on under its id");

  step("pairing: the extension and the app show the same code; Pair is clicked in the app");
  // A web page may not navigate to an extension's page, nor may WebDriver: the popup is opened
  // from the browser's own window (chrome context; run.sh starts geckodriver with
  // --allow-system-access for it).
  await context("chrome");
  await ff.execute((url) => window.openTrustedLinkIn(url, "current"), POPUP);
  await context("content");
  const pair = await ff.$("#pair");
  await pair.waitForDisplayed({ timeout: 30_000 });
  await pair.click();
  const codeEl = await ff.$("#code");
  await codeEl.waitForDisplayed({ timeout: 30_000 });
  const code = (await codeEl.getText()).trim();
  check(/^\d{3} \d{3}$/.test(code), `the popup shows a 6-digit code (${code})`);
  await confirmPairing(app, code, "Firefox");
  await ff.$('#root[data-state="paired"]').waitForExist({ timeout: 15_000 });
  check(true, "the popup says the browser is paired");

  step("an unpaid article: the app's prompt, Pay, the tab shows the article");
  const title = await articleTitle();
  await ff.url(`${ARTICLE}/1`);
  await payInApp(app, { alwaysAllow: false });
  const h2 = await ff.$("article.page h2");
  await h2.waitForExist({ timeout: 30_000 });
  equal((await (await ff.$("article.page h1")).getText()).trim(), title, "the article's <h1>");
  check((await h2.getText()).trim().length > 0, `its heading <h2> (${JSON.stringify(await h2.getText())})`);
  const paras = await ff.$$("article.page > p:not(.kicker):not(.next)");
  check(paras.length > 0, `its ${paras.length} paragraphs of text`);
  equal((await ff.$$("#paywall")).length, 0, "no paywall");
  equal(await ff.getUrl(), `${ARTICLE}/1`, "the tab is at the page's URL");

  step("the payment is in the app's History, with its receipt");
  const paid = await ledger();
  equal(paid.length, 1, "the merchant was paid once");
  const hist = await invoke(app, "history", HISTORY);
  check(hist.ok, `history from the main window: ${hist.error ?? "ok"}`);
  const payments = hist.value.entries.filter((e) => e.kind === "payment");
  equal(payments.map((p) => p.paymentId), paid.map((e) => e.paymentId), "the same payment id as the merchant's");
  equal(payments[0]?.status, "settled", "settled: the merchant's receipt is recorded");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  if (ff) await ff.deleteSession().catch(() => {});
  if (app) await app.deleteSession().catch(() => {});
}
/** geckodriver's own command: run scripts in the content (pages) or chrome (browser) context. */
async function context(which) {
  const r = await fetch(`${gecko}/session/${ff.sessionId}/moz/context`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ context: which }),
  });
  if (!r.ok) throw new Error(`moz/context ${which}: HTTP ${r.status} ${await r.text()}`);
}
console.log(`# browser-firefox: ${Math.round((Date.now() - started) / 1000)} s`);
if (failed || softFailures.length) {
  if (softFailures.length) console.error(`soft failures:\n  ${softFailures.join("\n  ")}`);
  process.exit(1);
}
