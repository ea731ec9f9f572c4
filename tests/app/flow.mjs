// The real app, end to end: onboarding → top up → a centime://pay link handed to a
// second instance → the approval prompt → Pay → the payment in the activity list with its receipt
// → "always allow" → the next page paid automatically, with a notification → balance and history
// agree with the merchant ledger. Also: a command called from the reader window (no capability)
// is refused, while the main window may call it. Last: a payment whose answers are lost (a
// second magazine behind a proxy that drops them) is left unconfirmed, then resolved by the app
// on its own once the site answers again; and with the window in French, the backend's own
// notification is in French. A link for a page already paid, fired again and again at an
// auto-pay site, pays once; and a page firing 20 links at once gets a few paid at the link
// pace, three prompts, one notice for the rest and "Decline all 3 from this site".
//
// Run through tests/app/run.sh (it sets up Xvfb, D-Bus, the keyring, centime-demo, tauri-driver).
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";

import {
  pressPay,
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
  fill,
  field,
  gone,
  installErrorHook,
  invoke,
  lit,
  nav,
  notifications,
  opened,
  pageErrors,
  payLinkFor,
  secondInstance,
  shown,
  sleep,
  soft,
  softFailures,
  startApp,
  step,
  switchToWindow,
  textOf,
  xButton,
} from "./lib.mjs";


/** An exact decimal string ("-0.10", "2.5", "1") as an integer count of millionths. */
function micros(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(String(s).trim());
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(s)}`);
  const v = BigInt(m[2]) * 1_000_000n + BigInt((m[3] ?? "").padEnd(6, "0"));
  return m[1] ? -v : v;
}

/**
 * A second magazine (its own merchant, on the demo's network, certified by the demo's issuer) behind a proxy that, while
 * `lose` is set, passes each paid request on and drops the answer: the merchant takes the
 * payment, the wallet never hears back.
 */
async function lossyMagazine() {
  const state = { lose: true, lost: 0 };
  const upstream = {};
  const proxy = http.createServer((req, res) => {
    const paid = "payment-signature" in req.headers;
    const up = http.request(
      { host: "127.0.0.1", port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (paid && state.lose) {
          state.lost += 1;
          answer.resume();
          answer.on("end", () => res.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.socket.destroy());
    req.pipe(up);
  });
  await new Promise((ok) => proxy.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${proxy.address().port}`;
  const dir = mkdtempSync(join(env("CENTIME_E2E_WORK"), "magazine2-"));
  // Certified by the issuer the wallet trusts (the first demo's key): a certificate from any
  // other key on the demo's network is refused (certificate_mismatch, ADR 23).
  copyFileSync(join(env("CENTIME_E2E_WORK"), "demo", "issuer.pk8"), join(dir, "issuer.pk8"));
  const child = spawn(
    env("CENTIME_DEMO_BIN"),
    ["serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--public-url", url],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  upstream.port = await new Promise((ok, ko) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on("exit", (code) => ko(new Error(`the second centime-demo exited (${code})`)));
  });
  return {
    url,
    state,
    stop() {
      child.kill();
      proxy.close();
    },
  };
}

const started = Date.now();
const browser = await startApp();
let failed = false;
try {
  const mainHandle = await browser.getWindowHandle();

  step("onboarding: a wallet in the OS keyring, the demo issuer trusted");
  await shown(browser, `//h1[normalize-space(.)="Welcome to Centime"]`, 30_000);
  await installErrorHook(browser);
  const osRadio = await shown(browser, `//input[@type="radio"][@value="os"] | //label[contains(., "computer's keyring")]//input[@type="radio"]`);
  check(await osRadio.isSelected(), "the OS keyring is offered and chosen (gnome-keyring is unlocked)");
  const trust = await shown(browser, `//label[contains(., "Trust the demo issuer")]//input[@type="checkbox"]`);
  check(await trust.isSelected(), "the demo issuer is preset in demo mode");
  await button(browser, "Create my wallet");
  await shown(browser, `//h1[normalize-space(.)="Your wallet"]`, 30_000);
  check(true, "the dashboard shows after onboarding");

  step("top up from the demo issuer with its test card");
  await nav(browser, "Top up");
  await shown(browser, `//h1[normalize-space(.)="Top up"]`);
  equal(await (await field(browser, "Test card")).getValue(), "4242 4242 4242 4242", "the test card is filled in");
  await fill(browser, "Amount", "2,50");
  await click(browser, `//main//form//button[normalize-space(.)="Top up"]`);
  await textOf(browser, `//main//*[@role="status"]`, "€2.50 added. Your balance is now €2.50.", 30_000);
  check(true, "the new balance shows at once");
  await nav(browser, "Wallet");
  await textOf(browser, `//*[@data-testid="balance-EUR"]`, /^€2\.50$/);
  check(true, "the dashboard balance is €2.50");

  step("the app syncs with the demo issuer on its own; Sync now shows the issuer's view of the top-up");
  const demoSync = `//*[@data-testid="sync-last-centime:demo"]`;
  await textOf(browser, demoSync, /^Last synced (just now|\d+ minutes? ago)/, 30_000);
  check(true, "a sync after the wallet opened, without asking");
  await click(browser, `//*[@data-testid="issuer-panel"]//button[normalize-space(.)="Sync now"]`);
  const credited = `//*[@data-testid="sync-views-centime:demo"]//tr[th[normalize-space(.)="Credited"]]`;
  await textOf(browser, `${credited}/td[1]`, /^€2\.50$/, 30_000);
  await textOf(browser, `${credited}/td[2]`, /^€2\.50$/);
  check(true, "the issuer credits the €2.50 the wallet redeemed");

  step("a centime://pay link handed to a second instance raises the prompt in the first");
  const link1 = await payLinkFor(`${ARTICLE}/1`);
  check(link1.startsWith("centime://pay?req="), "the demo paywall offers a centime://pay link");
  const second = await secondInstance([link1]);
  equal(second.code, 0, "the second instance hands the link over and exits 0");
  const dialog = await shown(browser, DIALOG, 30_000);
  const text = await dialog.getText();
  for (const want of [
    ORIGIN,
    "The Centime Review",
    "The Page Is the Unit — page 1 of 3",
    "€0.10",
    "€2.40",
    "Requested by a link; the site confirmed the price.",
  ]) {
    check(text.includes(want), `the prompt shows ${JSON.stringify(want)}`);
  }
  // What a screen reader announces with the dialog (WebKit): its description names the site
  // and the price, not only "Payment request, dialog".
  const described = await browser.execute(() => {
    const d = document.querySelector("dialog[open]");
    const ids = (d?.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent?.replace(/\s+/g, " ").trim() ?? "").join(" ");
  });
  check(
    described.includes(ORIGIN) && described.includes("asks you to pay €0.10"),
    `the prompt's accessible description names the site and the price: ${JSON.stringify(described)}`,
  );
  const pay = await shown(browser, `${DIALOG}//button[starts-with(normalize-space(.), "Pay")]`);
  check(!(await pay.isEnabled()), `"Pay" is not active at first (${await pay.getText()})`);
  await browser.waitUntil(async () => pay.isEnabled(), { timeout: 5000, timeoutMsg: "Pay never became active" });
  equal(await pay.getText(), "Pay €0.10", "Pay becomes active after the delay");
  await pressPay(browser, pay);
  await textOf(browser, `//*[@role="status"]`, `Paid €0.10 to ${ORIGIN}.`, 30_000);
  check(true, "the payment is reported");
  await sleep(2000);
  const toasts = await browser.$$(`//*[contains(concat(" ", @class, " "), " toast ")][contains(., "Paid €0.10")]`);
  soft(toasts.length === 1, `one notice for one payment (${toasts.length} shown)`);
  if (!soft((await browser.$$(DIALOG)).length === 0, "the link raised one prompt, not two")) {
    // The same link handled twice: decline the duplicate and go on.
    await click(browser, `${DIALOG}${xButton("Decline")}`);
    await gone(browser, DIALOG);
  }
  await browser.waitUntil(async () => opened().length >= 1, { timeout: 10_000, timeoutMsg: "no return URL opened" });
  check(
    opened()[0].startsWith(`${ARTICLE}/1#payment=`),
    "the site's return URL opens in the browser with the payment in its fragment",
  );

  step("the payment is in the activity list, with its receipt");
  await nav(browser, "Wallet");
  await textOf(browser, `//*[@data-testid="balance-EUR"]`, /^€2\.40$/);
  const recent = `//ul[@aria-label="Recent activity"]/li`;
  const first = await textOf(browser, recent, "-€0.10");
  check(first.includes(ORIGIN) && /Settled/.test(first), `the activity entry names the site and is settled: ${JSON.stringify(first)}`);
  let ledger = await demoJson("/merchant/ledger");
  equal(ledger.count, 1, "the merchant ledger has the payment");
  const hist1 = await invoke(browser, "history", HISTORY);
  check(hist1.ok, `history from the main window: ${hist1.error ?? "ok"}`);
  const histEntries = hist1.value.entries;
  const paid1 = histEntries.find((e) => e.kind === "payment");
  equal(paid1?.paymentId, ledger.entries[0].paymentId, "the wallet's payment id is the merchant's");
  equal(paid1?.status, "settled", "the wallet holds the merchant's receipt (status settled)");
  check(typeof ledger.entries[0].receipt === "string" && ledger.entries[0].receipt.length > 0, "the merchant signed a receipt");

  step('"always allow" on the next page (typed into "Open a priced page")');
  await nav(browser, "Open a priced page");
  await fill(browser, "Page address", `${ARTICLE}/2`);
  await button(browser, "Open");
  await shown(browser, DIALOG, 30_000);
  await textOf(browser, DIALOG, "Requested by a page you opened.");
  await click(browser, `${DIALOG}//label[contains(., "Always allow this site up to")]//input[@type="checkbox"]`);
  await fill(browser, "Allowance", "1,00", DIALOG);
  await (await field(browser, "Period", DIALOG)).selectByAttribute("value", "day");
  const pay2 = await shown(browser, `${DIALOG}//button[starts-with(normalize-space(.), "Pay")]`);
  await browser.waitUntil(async () => pay2.isEnabled(), { timeout: 5000, timeoutMsg: "Pay never became active" });
  await pressPay(browser, pay2);
  await gone(browser, DIALOG, 30_000);
  await textOf(browser, `//*[@role="status"]`, "reader", 30_000);
  check(true, "page 2 is paid and shown in the reader");
  await nav(browser, "Sites");
  const siteRow = await textOf(browser, `//main//li`, ORIGIN);
  check(/Pays automatically/.test(siteRow), `the site now pays automatically: ${JSON.stringify(siteRow)}`);

  step("the next page, by link, is paid automatically with a notification");
  const before = notifications().length;
  const link3 = await payLinkFor(`${ARTICLE}/3`);
  const third = await secondInstance([link3]);
  equal(third.code, 0, "the second instance hands the link over and exits 0");
  await browser.waitUntil(async () => notifications().length > before, {
    timeout: 30_000,
    timeoutMsg: "no notification for the automatic payment",
  });
  const note = notifications().at(-1);
  check(note.body.includes(ORIGIN) && /0[.,]10/.test(note.body) && /automatic/i.test(note.body),
    `the notification names the site and the amount: ${JSON.stringify(note.body)}`);
  check((await browser.$$(DIALOG)).length === 0, "no prompt was raised");
  await browser.waitUntil(async () => opened().some((u) => u.startsWith(`${ARTICLE}/3#payment=`)), {
    timeout: 10_000,
    timeoutMsg: "page 3's return URL was not opened",
  });
  check(true, "page 3's return URL opens with the payment");

  step("the same link fired three more times at an auto-pay site pays nothing more");
  const page3 = () => opened().filter((u) => u.startsWith(`${ARTICLE}/3#payment=`));
  const openedBefore = page3().length;
  for (let i = 0; i < 3; i += 1) {
    const again = await secondInstance([link3]);
    equal(again.code, 0, `the repeated link ${i + 1} is handed over`);
  }
  await browser.waitUntil(async () => page3().length >= openedBefore + 3, {
    timeout: 30_000,
    timeoutMsg: "the repeated links did not open the page again",
  });
  check(new Set(page3()).size === 1, "each repeated link reads the page with the first payment");
  equal((await demoJson("/merchant/ledger")).count, 3, "the merchant was paid once for page 3");
  check((await browser.$$(DIALOG)).length === 0, "no prompt was raised for a page already paid");

  step("balance and history agree with the merchant ledger");
  await nav(browser, "Wallet");
  await sleep(1000);
  const shownBalance = await (await shown(browser, `//*[@data-testid="balance-EUR"]`)).getText();
  soft(shownBalance === "€2.20", `the dashboard shows €2.20 (${shownBalance})`);
  ledger = await demoJson("/merchant/ledger");
  const dash = await invoke(browser, "dashboard", {});
  check(dash.ok, "dashboard from the main window");
  const hist = await invoke(browser, "history", HISTORY);
  check(hist.ok, "history from the main window");
  const entries = hist.value.entries;
  const payments = entries.filter((e) => e.kind === "payment");
  const credits = entries.filter((e) => e.kind === "credit");
  soft(ledger.count === 3, `the merchant ledger has three payments (${ledger.count}: one per page)`);
  equal(payments.length, ledger.count, "the wallet's history has as many payments as the merchant's ledger");
  equal(
    payments.map((p) => p.paymentId).sort(),
    ledger.entries.map((e) => e.paymentId).sort(),
    "the same payment ids on both sides",
  );
  check(payments.every((p) => p.status === "settled"), "every payment is settled (receipted)");
  const paidTotal = payments.reduce((s, p) => s - micros(p.amount), 0n);
  const ledgerTotal = micros(ledger.totals.EUR);
  equal(paidTotal.toString(), ledgerTotal.toString(), `paid in the wallet = the merchant's total (${ledger.totals.EUR} EUR)`);
  for (const e of ledger.entries) {
    const p = payments.find((x) => x.paymentId === e.paymentId);
    equal(micros(p.amount).toString(), (-micros(e.amount)).toString(), `payment ${e.paymentId}: same amount`);
  }
  const creditTotal = credits.reduce((s, c) => s + micros(c.amount), 0n);
  const balance = dash.value.balances.find((b) => b.asset === "EUR");
  equal(micros(balance.amount).toString(), (creditTotal - ledgerTotal).toString(),
    `balance ${balance.amount} = top-ups − the merchant's total`);
  soft(micros(balance.amount) === micros("2.20"), `balance is 2.20 EUR (${balance.amount})`);
  equal(shownBalance, `€${balance.amount}`, "the dashboard shows the wallet's balance");

  step("a command called from a window without the permission is refused");
  await switchToWindow(browser, /reader\.html/);
  const fromReader = await invoke(browser, "dashboard", {});
  check(!fromReader.ok, `the reader window cannot call "dashboard": ${fromReader.error}`);
  check(/not allowed|denied|permission|no __TAURI_INTERNALS__/i.test(fromReader.error), "refused for lack of permission");
  const histReader = await invoke(browser, "history", HISTORY);
  check(!histReader.ok, `nor "history": ${histReader.error}`);
  await browser.switchToWindow(mainHandle);
  const fromMain = await invoke(browser, "dashboard", {});
  check(fromMain.ok, "the same call from the main window succeeds");

  step("a payment whose answers are lost is resolved by the app on its own");
  const mag = await lossyMagazine();
  try {
    const lostPage = `${mag.url}/articles/the-page-is-the-unit/1`;
    await nav(browser, "Open a priced page");
    await fill(browser, "Page address", lostPage);
    await button(browser, "Open");
    await shown(browser, DIALOG, 30_000);
    const payLost = await shown(browser, `${DIALOG}//button[starts-with(normalize-space(.), "Pay")]`);
    await browser.waitUntil(async () => payLost.isEnabled(), { timeout: 5000, timeoutMsg: "Pay never became active" });
    await pressPay(browser, payLost);
    await textOf(browser, `//*[@role="status"]`, `Payment of €0.10 to ${mag.url} sent; the site has not confirmed it yet.`, 60_000);
    check(mag.state.lost >= 1, `the merchant got the payment and its answer was lost (${mag.state.lost} answer(s) dropped)`);
    const lostLedger = await (await fetch(`${mag.url}/merchant/ledger`)).json();
    equal(lostLedger.count, 1, "the second merchant holds the payment once, however many times it was sent");
    const dashLost = await invoke(browser, "dashboard", {});
    const unconfirmed = dashLost.value.unconfirmed ?? [];
    equal(unconfirmed.length, 1, "the dashboard lists one unconfirmed payment");
    equal(unconfirmed[0]?.paymentId, lostLedger.entries[0].paymentId, "it is the payment the merchant holds");
    await nav(browser, "Wallet");
    await textOf(browser, `//section[.//h2[normalize-space(.)="Unconfirmed payments"]]`, mag.url);
    check(true, "the dashboard's unconfirmed card names the site");

    const beforeResolve = notifications().length;
    mag.state.lose = false;
    await browser.waitUntil(
      async () => notifications().slice(beforeResolve).some((n) => n.body.includes("confirmed your payment")),
      { timeout: 60_000, timeoutMsg: "the app never resolved the unconfirmed payment on its own" },
    );
    const resolvedNote = notifications().slice(beforeResolve).find((n) => n.body.includes("confirmed your payment"));
    check(resolvedNote.body.includes(mag.url) && /0[.,]10/.test(resolvedNote.body),
      `a notification names the site and the amount: ${JSON.stringify(resolvedNote.body)}`);
    const dashAfter = await invoke(browser, "dashboard", {});
    equal((dashAfter.value.unconfirmed ?? []).length, 0, "no unconfirmed payment is left");
    const histAfter = await invoke(browser, "history", HISTORY);
    const resolved = histAfter.value.entries.find((e) => e.paymentId === lostLedger.entries[0].paymentId);
    equal(resolved?.status, "settled", "the payment is settled, with the merchant's receipt");
    equal(histAfter.value.entries.filter((e) => e.paymentId === resolved.paymentId).length, 1, "one debit for it");
    const ledgerAfter = await (await fetch(`${mag.url}/merchant/ledger`)).json();
    equal(ledgerAfter.count, 1, "the merchant still holds it once");
    const balanceAfter = dashAfter.value.balances.find((b) => b.asset === "EUR");
    equal(micros(balanceAfter.amount).toString(), micros("2.10").toString(), `the balance is 2.10 EUR: one 0.10 debit, no refund (${balanceAfter.amount})`);
    await textOf(browser, `//*[@data-testid="balance-EUR"]`, /^€2\.10$/, 10_000);
    check(true, "the dashboard shows €2.10");
  } finally {
    mag.stop();
  }

  step("the backend speaks the window's language: in French, a French notification");
  await nav(browser, "Settings");
  await (await field(browser, "Language")).selectByAttribute("value", "fr");
  await shown(browser, `//html[@lang="fr"]`);
  await sleep(500);
  const beforeFr = notifications().length;
  const linkFr = await payLinkFor(`${DEMO}/articles/a-penny-for-a-letter/1`);
  const fr = await secondInstance([linkFr]);
  equal(fr.code, 0, "the second instance hands the link over and exits 0");
  await browser.waitUntil(async () => notifications().length > beforeFr, {
    timeout: 30_000,
    timeoutMsg: "no notification for the automatic payment in French",
  });
  equal(
    notifications().at(-1).body,
    `0,05\u00a0€ payés à ${ORIGIN} automatiquement, selon vos règles`,
    "the notification is in French, the amount written the French way",
  );
  // Back to the system's language: the choice is kept in the web view's storage, which the
  // next script's app shares.
  await (await field(browser, "Langue")).selectByAttribute("value", "system");
  await shown(browser, `//html[@lang="en"]`);

  step("a page firing 20 links at once: a few paid at the link pace, three prompts, the rest refused");
  await nav(browser, "Wallet");
  const unpaid = [
    ...["four-hundred-and-two", "tokens-meters-and-coin-slots", "half-a-cent-of-attention"].flatMap((a) =>
      [1, 2, 3].map((n) => `${DEMO}/articles/${a}/${n}`),
    ),
    `${DEMO}/articles/a-penny-for-a-letter/2`,
    `${DEMO}/articles/a-penny-for-a-letter/3`,
  ];
  const floodLinks = [];
  for (const page of unpaid) floodLinks.push(await payLinkFor(page));
  while (floodLinks.length < 20) floodLinks.push(floodLinks[floodLinks.length % unpaid.length]);
  const ledgerBeforeFlood = (await demoJson("/merchant/ledger")).count;
  const notesBeforeFlood = notifications().length;
  const floodStarted = Date.now();
  for (const link of floodLinks) {
    const flood = await secondInstance([link]);
    equal(flood.code, 0, "each link of the flood is handed over");
  }
  const pendingOf = async () => {
    const r = await invoke(browser, "pending_prompts", {});
    check(r.ok, `pending prompts from the main window: ${r.error ?? "ok"}`);
    return r.value;
  };
  await browser.waitUntil(async () => (await pendingOf()).length >= 3, {
    timeout: 30_000,
    timeoutMsg: "the flood raised fewer than three prompts",
  });
  await browser.waitUntil(
    async () => notifications().slice(notesBeforeFlood).some((n) => n.body.includes("too many payment requests")),
    { timeout: 30_000, timeoutMsg: "no notice that the later links were refused" },
  );
  await sleep(2000);
  const floodPrompts = await pendingOf();
  equal(floodPrompts.length, 3, "three prompts wait for the site, however many links it fired");
  check(floodPrompts.every((p) => p.origin === ORIGIN), "all three are the site's");
  equal(new Set(floodPrompts.map((p) => p.resource)).size, 3, "for three different pages");
  const autoPaid = (await demoJson("/merchant/ledger")).count - ledgerBeforeFlood;
  check(autoPaid >= 1 && autoPaid <= 3, `at most three links a minute are paid without asking (${autoPaid} paid)`);
  const floodNotes = notifications().slice(notesBeforeFlood);
  const refusedNotes = floodNotes.filter((n) => n.body.includes("too many payment requests"));
  check(refusedNotes.every((n) => n.body.includes(ORIGIN)), "the refusal notice names the site");
  const floodSeconds = (Date.now() - floodStarted) / 1000;
  check(
    refusedNotes.length <= Math.ceil(floodSeconds / 10) + 1,
    `the refusal notice is not repeated for every link (${refusedNotes.length} in ${floodSeconds.toFixed(1)} s)`,
  );
  const declineAll = await shown(browser, `${DIALOG}${xButton("Decline all 3 from this site")}`, 10_000);
  if (process.env.CENTIME_E2E_WORK) await browser.saveScreenshot(`${process.env.CENTIME_E2E_WORK}/flood-prompt.png`);
  await declineAll.click();
  await gone(browser, DIALOG, 10_000);
  equal((await pendingOf()).length, 0, '"Decline all 3 from this site" leaves no prompt');
  await sleep(1000);
  equal((await demoJson("/merchant/ledger")).count - ledgerBeforeFlood, autoPaid, "declining paid nothing more");

  const errors = await pageErrors(browser);
  equal(errors, [], "no page errors or CSP violations in the main window");
  if (softFailures.length) throw new Error(`${softFailures.length} check(s) failed:\n  - ${softFailures.join("\n  - ")}`);
  console.log(`app end-to-end: all green in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  failed = true;
  console.error(`app end-to-end FAILED: ${e.stack ?? e}`);
  try {
    const dir = process.env.CENTIME_E2E_WORK;
    if (dir) {
      await browser.saveScreenshot(`${dir}/failure.png`);
      console.error(`screenshot: ${dir}/failure.png (CENTIME_E2E_KEEP=1 keeps it)`);
    }
  } catch {
    // best effort
  }
} finally {
  await browser.deleteSession().catch(() => {});
  await sleep(200);
}
process.exit(failed ? 1 : 0);
