// Chromium (Debian's, through Playwright's launchPersistentContext) with the built extension and
// the real native host, against the real app and the demo: pair (the code confirmed in the app)
// → an unpaid article → the app's prompt "in your browser" → Pay with "always allow" → the tab
// shows the article's HTML → the next page pays itself → a reload pays nothing → both payments
// in the app's History with receipts → a page's own fetch of a priced URL is paid under the
// auto-pay rule and its retry served → "Pause all payments" in the popup → the next page stays
// on the site's 402. Screenshots: docs/screenshots/browser-popup.png, browser-paid-article.png (the
// whole Xvfb screen: Chromium runs headed over it).
//
// Run through tests/app/run.sh (after flow.mjs and history.mjs).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import {
  ARTICLE,
  ARTICLE_ID,
  CHROMIUM_ID,
  DIALOG,
  EXT_DIST,
  HISTORY,
  HOST_NAME,
  appWithFreshWallet,
  articleTitle,
  confirmPairing,
  hostManifest,
  ledger,
  payInApp,
} from "./browser-lib.mjs";
import { check, demoJson, env, equal, invoke, softFailures, step } from "./lib.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "docs", "screenshots");
const CHROMIUM = process.env.CENTIME_CHROMIUM ?? "/usr/bin/chromium";
const EXT = join(EXT_DIST, "chromium");
const POPUP = `chrome-extension://${CHROMIUM_ID}/popup.html`;
// run.sh's Xvfb screen.
const SCREEN = { width: 1280, height: 800 };

const started = Date.now();
let app = null;
let ctx = null;
let failed = false;
try {
  app = await appWithFreshWallet();
  step("Chromium with the extension, the host manifest in its profile");
  const profile = join(env("CENTIME_E2E_WORK"), "chromium-profile");
  mkdirSync(join(profile, "NativeMessagingHosts"), { recursive: true });
  writeFileSync(
    join(profile, "NativeMessagingHosts", `${HOST_NAME}.json`),
    hostManifest({ allowed_origins: [`chrome-extension://${CHROMIUM_ID}/`] }),
  );
  // The toolbar button pinned, so that the screenshot shows its badge.
  mkdirSync(join(profile, "Default"), { recursive: true });
  writeFileSync(
    join(profile, "Default", "Preferences"),
    JSON.stringify({ extensions: { pinned_extensions: [CHROMIUM_ID] } }),
  );
  // Headed, on run.sh's Xvfb, over the whole screen: the screenshot is the browser's window.
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    // Playwright's defaults include --disable-extensions: without this the extension never runs.
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [
      `--load-extension=${EXT}`,
      `--disable-extensions-except=${EXT}`,
      "--no-sandbox",
      "--test-type",
      "--disable-gpu",
      "--no-first-run",
      "--window-position=0,0",
      `--window-size=${SCREEN.width},${SCREEN.height}`,
    ],
    viewport: null,
  });
  const sw = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent("serviceworker", { timeout: 30_000 }));
  equal(new URL(sw.url()).host, CHROMIUM_ID, "the extension runs with the id its key gives");
  // The worker is announced before its script ran: a navigation now would miss its listener.
  await waitFor(() => sw.evaluate(() => globalThis.centimeReady === true), "the extension's worker is ready");

  step("unpaired, the extension asks nothing: an article stays on its 402");
  const title = await articleTitle();
  const tab = ctx.pages()[0] ?? (await ctx.newPage());
  const unpaid = await tab.goto(`${ARTICLE}/1`);
  equal(unpaid.status(), 402, "the site answers the page with 402");
  const tab0 = await tabIdOf(sw, `${ARTICLE}/1`);
  const refused = await waitFor(() => noteFor(sw, tab0, `${ARTICLE}/1`), "the extension noted the 402");
  equal(refused.outcome, "unpaired", "not paid: this browser is not paired");
  check((await tab.locator("#paywall").count()) === 1, "the tab shows the site's 402 page");
  check((await app.$$(DIALOG)).length === 0, "no prompt in the app");
  equal((await ledger()).length, 0, "the merchant was paid nothing");

  step("pairing: the extension and the app show the same code; Pair is clicked in the app");
  const popup = await ctx.newPage();
  await popup.goto(POPUP);
  await popup.click("#pair");
  const code = (await popup.locator("#code").textContent({ timeout: 30_000 })).trim();
  check(/^\d{3} \d{3}$/.test(code), `the popup shows a 6-digit code (${code})`);
  await confirmPairing(app, code, "Chromium");
  await popup.waitForSelector('#root[data-state="paired"]', { timeout: 15_000 });
  check(true, "the popup says the browser is paired");
  await popup.close();

  step("an unpaid article: the app's prompt, Pay with always-allow, the tab shows the article");
  const first = await tab.reload();
  equal(first.status(), 402, "the site answers the page with 402");
  await payInApp(app, { alwaysAllow: true });
  await articleShown(tab, title, 1);
  await tab.bringToFront();
  await showBadge(sw, tab);
  // The whole X screen: Chromium's window with its address bar and the extension's badge.
  execFileSync("import", ["-window", "root", join(shots, "browser-paid-article.png")]);
  let paid = await ledger();
  equal(paid.length, 1, "the merchant was paid once");

  step("the next page of the same site pays itself (auto-pay), without a prompt");
  const second = await tab.goto(`${ARTICLE}/2`);
  equal(second.status(), 402, "page 2 answers 402 at first");
  await articleShown(tab, title, 2);
  check((await app.$$(DIALOG)).length === 0, "no prompt in the app");
  paid = await ledger();
  equal(paid.length, 2, "the merchant was paid for page 2");

  step("reloading a paid page pays nothing");
  const again = await tab.reload();
  equal(again.status(), 200, "the reload is answered 200 (the authorization is sent again)");
  await articleShown(tab, title, 2);
  equal((await ledger()).length, 2, "the merchant's ledger still has two payments");

  step("both payments in the app's History, with receipts");
  const hist = await invoke(app, "history", HISTORY);
  check(hist.ok, `history from the main window: ${hist.error ?? "ok"}`);
  const payments = hist.value.entries.filter((e) => e.kind === "payment");
  equal(payments.map((p) => p.paymentId).sort(), paid.map((e) => e.paymentId).sort(), "the same payment ids as the merchant's");
  check(payments.every((p) => p.status === "settled"), "both are settled (the merchant's receipt is recorded)");
  check(paid.every((e) => typeof e.receipt === "string" && e.receipt.length > 0), "the merchant signed both receipts");

  step("the popup: balance, this tab's payments, the site's rule and last payments");
  const tabId = await tabIdOf(sw, `${ARTICLE}/2`);
  equal(tabId, tab0, "the article's tab is the one the extension knows");
  const badge = await sw.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);
  equal(badge, "0.2", "the badge shows what this tab paid");
  const pop = await ctx.newPage();
  await pop.setViewportSize({ width: 360, height: 520 });
  await pop.goto(`${POPUP}?tab=${tabId}`);
  await pop.waitForSelector("#site-payments li", { timeout: 15_000 });
  const text = await pop.locator("#root").innerText();
  check(text.includes("€2.30"), "the popup shows the balance (€2.30)");
  check(text.includes("Paid in this tab: €0.20"), "the popup shows what this tab paid");
  check(/Pays automatically up to €1\.00 per day/.test(text), "the popup shows the site's auto-pay rule");
  equal(await pop.locator("#site-payments li").count(), 2, "the popup lists the site's two payments");
  await pop.screenshot({ path: join(shots, "browser-popup.png"), fullPage: true });

  step("a page's own request to a priced URL, under the site's auto-pay rule: paid, and its retry served");
  const api = `${ARTICLE}/3`;
  const fetchJson = () =>
    tab.evaluate(async (u) => {
      const r = await fetch(u, { headers: { accept: "application/json" } });
      return { status: r.status, body: r.status === 200 ? await r.json() : null };
    }, api);
  equal((await fetchJson()).status, 402, "the page's fetch is answered 402 first");
  const paidResource = await waitFor(() => noteFor(sw, tabId, api), "the wallet answered for the resource");
  equal(paidResource.outcome, "paid", "the resource is paid automatically (kind resource)");
  const retried = await fetchJson();
  equal(retried.status, 200, "the page's retry carries the authorization");
  check(typeof retried.body?.heading === "string" && retried.body.heading.length > 0, `and gets the page's JSON (${JSON.stringify(retried.body?.heading)})`);
  check((await app.$$(DIALOG)).length === 0, "no prompt in the app for a resource");
  equal((await ledger()).length, 3, "the merchant was paid for it once");

  step('"Pause all payments" in the popup: the next page stays on the 402');
  await pop.click("#pause");
  await pop.waitForSelector("#paused", { timeout: 15_000 });
  check(true, "the popup says payments are paused");
  const other = await otherArticle();
  const next = await tab.goto(other);
  equal(next.status(), 402, "the next page answers 402");
  const note = await waitFor(() => noteFor(sw, tabId, other), "the wallet answered the extension for it");
  check(note.outcome !== "paid", `the wallet did not pay it (${note.outcome}${note.detail ? `: ${note.detail}` : ""})`);
  check((await tab.locator("#paywall").count()) === 1, "the tab still shows the site's 402 page");
  equal((await ledger()).length, 3, "the merchant's ledger has no new payment");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  if (ctx) await ctx.close().catch(() => {});
  if (app) await app.deleteSession().catch(() => {});
}
console.log(`# browser-chromium: ${Math.round((Date.now() - started) / 1000)} s`);
if (failed || softFailures.length) {
  if (softFailures.length) console.error(`soft failures:\n  ${softFailures.join("\n  ")}`);
  process.exit(1);
}

/** The first page of another article of the demo (not paid by this wallet yet). */
async function otherArticle() {
  const cat = await demoJson("/articles");
  const a = cat.articles.find((x) => x.id !== ARTICLE_ID);
  if (!a) throw new Error("the demo has one article only");
  return a.pages[0].url;
}

/** Waits until the toolbar badge of the tab shows what it paid (set after the payment). */
async function showBadge(sw, tab) {
  const id = await tabIdOf(sw, tab.url());
  await waitFor(() => sw.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), id), "the badge shows what the tab paid");
}

/** The extension's id for the tab at `url`. */
async function tabIdOf(sw, url) {
  const id = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
  check(Number.isInteger(id), `the extension knows the tab at ${url} (${id})`);
  return id;
}

/** What the extension last noted for `url` in the tab (the wallet's answer, or why it did not
 * ask), once it is about that URL. */
function noteFor(sw, tabId, url) {
  return sw.evaluate(
    async ([id, u]) => {
      const s = (await chrome.storage.session.get(`tab:${id}`))[`tab:${id}`];
      return s?.note?.url === u ? s.note : null;
    },
    [tabId, url],
  );
}

/** Polls `probe` until it gives something truthy (or fails after 30 s), and returns it. */
async function waitFor(probe, what, timeout = 30_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) {
      check(true, what);
      return v;
    }
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tab shows the paid page as the site made it: its article, heading and text. */
async function articleShown(tab, title, n) {
  await tab.waitForSelector("article.page h2", { timeout: 30_000 });
  equal((await tab.locator("article.page h1").textContent()).trim(), title, `page ${n}: the article's <h1>`);
  const h2 = (await tab.locator("article.page h2").textContent()).trim();
  check(h2.length > 0, `page ${n}: its heading <h2> (${JSON.stringify(h2)})`);
  const paras = await tab.locator("article.page > p:not(.kicker):not(.next)").count();
  check(paras > 0, `page ${n}: its ${paras} paragraphs of text`);
  equal(await tab.locator("#paywall").count(), 0, `page ${n}: no paywall`);
  check(tab.url() === `${ARTICLE}/${n}`, `page ${n}: the tab is at the page's URL`);
}
