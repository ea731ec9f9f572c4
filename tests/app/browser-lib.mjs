// Shared by the real-browser tests (browser-chromium.mjs, browser-firefox.mjs): a fresh wallet
// in the real app, the built extension and native host, the app's pairing dialog and prompt.
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";

import {
  ARTICLE,
  ARTICLE_ID,
  DIALOG,
  HISTORY,
  ORIGIN,
  button,
  check,
  click,
  demoJson,
  env,
  equal,
  field,
  fill,
  gone,
  installErrorHook,
  nav,
  pressPay,
  shown,
  startApp,
  step,
  textOf,
} from "./lib.mjs";

// Re-exported for the browser tests, which import from here.
export { ARTICLE, ARTICLE_ID, DIALOG, HISTORY, ORIGIN };
export const HOST_NAME = "org.centime.wallet";
export const CHROMIUM_ID = "jihglhmnnbaegpghlkchdjclhccojjnb";
export const FIREFOX_ID = "browser@centime.org";
export const HOST_BIN = env("CENTIME_HOST_BIN");
export const EXT_DIST = env("CENTIME_BROWSER_DIST");

/** The host manifest the browser reads to start the host; `allowed` is Chromium's
 * `allowed_origins` or Firefox's `allowed_extensions`. */
export function hostManifest(allowed) {
  return JSON.stringify(
    {
      name: HOST_NAME,
      description: "Centime wallet (end-to-end test)",
      path: HOST_BIN,
      type: "stdio",
      ...allowed,
    },
    null,
    2,
  );
}

/** The article's title, from the demo's catalogue (what the paid page's <h1> must say). */
export async function articleTitle() {
  const cat = await demoJson("/articles");
  const a = cat.articles.find((x) => x.id === ARTICLE_ID);
  if (!a) throw new Error(`no article ${ARTICLE_ID} in the catalogue`);
  return a.title;
}

/** The app on a wallet of its own (the one before is moved aside), onboarded and topped up
 * with €2.50 from the demo issuer's test card; waits until the app's browser socket listens. */
export async function appWithFreshWallet() {
  const data = env("CENTIME_DATA_DIR");
  if (existsSync(data)) renameSync(data, `${data}.before-browser-${Date.now()}`);
  await ledgerMark();
  const app = await startApp();
  step("a fresh wallet in the app, topped up with €2.50");
  await shown(app, `//h1[normalize-space(.)="Welcome to Centime"]`, 60_000);
  await installErrorHook(app);
  await button(app, "Create my wallet");
  await shown(app, `//h1[normalize-space(.)="Your wallet"]`, 30_000);
  await nav(app, "Top up");
  await shown(app, `//h1[normalize-space(.)="Top up"]`);
  await fill(app, "Amount", "2,50");
  await click(app, `//main//form//button[normalize-space(.)="Top up"]`);
  await textOf(app, `//main//*[@role="status"]`, "€2.50 added.", 30_000);
  await nav(app, "Wallet");
  await textOf(app, `//*[@data-testid="balance-EUR"]`, /^€2\.50$/);
  check(true, "the wallet holds €2.50");
  const sock = join(env("XDG_RUNTIME_DIR"), "centime", "browser.sock");
  await app.waitUntil(async () => existsSync(sock), {
    timeout: 30_000,
    interval: 100,
    timeoutMsg: `the app's browser socket ${sock} never appeared`,
  });
  check(true, `the app listens for the browser at ${sock}`);
  return app;
}

/** The app's pairing dialog shows `code`, the caller and the label; Pair is clicked in it. */
export async function confirmPairing(app, code, label) {
  const shownCode = await textOf(app, `//*[@data-testid="pairing-code"]`, code, 30_000);
  equal(shownCode.trim(), code, `the app's pairing dialog shows the code the extension shows (${code})`);
  const text = await (await shown(app, `//*[@data-testid="pairing-dialog"]`)).getText();
  check(text.includes(label), `the app's pairing dialog names the browser (${label})`);
  await click(app, `//*[@data-testid="pairing-pair"]`);
  await gone(app, `//*[@data-testid="pairing-dialog"]`, 15_000);
}

/** The app's prompt for a page asked for by the browser; Pay is pressed there, optionally with
 * "always allow" (auto-pay up to €1.00 a day). */
export async function payInApp(app, { alwaysAllow }) {
  const text = await textOf(app, DIALOG, "in your browser", 30_000);
  check(text.includes(ORIGIN), `the prompt names the site and says "in your browser": ${JSON.stringify(text.slice(0, 160))}`);
  if (alwaysAllow) {
    await click(app, `${DIALOG}//label[contains(., "Always allow this site up to")]//input[@type="checkbox"]`);
    await fill(app, "Allowance", "1,00", DIALOG);
    await (await field(app, "Period", DIALOG)).selectByAttribute("value", "day");
  }
  const pay = await shown(app, `${DIALOG}//button[starts-with(normalize-space(.), "Pay")]`);
  await app.waitUntil(async () => pay.isEnabled(), { timeout: 5000, timeoutMsg: "Pay never became active" });
  equal(await pay.getText(), "Pay €0.10", "the prompt asks €0.10");
  await pressPay(app, pay);
  await gone(app, DIALOG, 30_000);
}

/** The merchant's ledger entries since `ledgerMark()` (the demo serves every script of the run:
 * the pages paid before by another wallet are in its ledger too). */
let before = new Set();
export async function ledgerMark() {
  before = new Set((await demoJson("/merchant/ledger")).entries.map((e) => e.paymentId));
}
export async function ledger() {
  return (await demoJson("/merchant/ledger")).entries.filter((e) => !before.has(e.paymentId));
}
