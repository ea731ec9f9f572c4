import { expect, test } from "./fixtures";

test("dashboard: balance, spending, activity, unconfirmed, pause", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20", unconfirmed: true });
  await expect(page.getByTestId("balance-EUR")).toHaveText("€3.20");
  await expect(page.getByRole("heading", { name: "Spent today" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Unconfirmed payments" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Unconfirmed payments" })).toContainText("-€0.20");
  await app.shot("dashboard");

  const pause = page.getByRole("switch", { name: "Pause payments" });
  await expect(pause).toHaveAttribute("aria-checked", "false");
  await pause.click();
  await expect(pause).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText("Payments are paused")).toBeVisible();
  expect(await app.calls("set_paused")).toEqual([{ paused: true }]);
});

test("dashboard: the issuer panel, a held network and Sync now", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20", sync: "held" });
  const panel = page.getByTestId("issuer-panel");
  await expect(panel.getByRole("heading", { name: "Issuer", level: 2 })).toBeVisible();
  await expect(page.getByTestId("hold-demo")).toHaveText(
    "Payments paused until the wallet has synced with Demo issuer: restored from a backup.",
  );
  await expect(page.getByTestId("sync-last-demo")).toContainText("Last synced 3 minutes ago");
  await expect(page.getByTestId("sync-views-demo")).toContainText("€3.40");
  await expect(page.getByTestId("sync-done-demo")).toHaveText(
    "2 payments marked settled: the issuer has paid the merchants." +
      "1 refund reversed: the merchant refused the payment but settled it anyway.",
  );
  await expect(panel).toContainText(
    "https://news.example refused a payment of €0.20 and settled it anyway: refund reversed.",
  );
  await app.shot("dashboard-issuer");

  await panel.getByRole("button", { name: "Sync now" }).click();
  await expect(panel.getByRole("button", { name: "Syncing…" })).toBeDisabled();
  await expect(page.getByTestId("sync-last-demo")).toContainText("Last synced just now");
  await expect(page.getByTestId("hold-demo")).toHaveCount(0);
  expect(await app.calls("sync_now")).toHaveLength(1);
});

test("a failed sync says why, in words and in the backend's", async ({ app }) => {
  await app.open({ balance: "1", sync: "failing" });
  await expect(app.page.getByTestId("issuer-panel").getByRole("alert")).toContainText(
    "Sync failed just now. The other side could not be reached. http://127.0.0.1:8787/issuer/statements: connection refused",
  );
});

test("an integrity warning is shown as a banner", async ({ app }) => {
  await app.open({ balance: "1", integrityWarning: "Entry 42 does not match its hash." });
  await expect(app.page.getByRole("alert")).toContainText(
    "failed their integrity check. Entry 42 does not match its hash.",
  );
});

test("demo top-up: the new balance shows at once", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20" });
  await page.getByRole("button", { name: "Top up" }).first().click();
  await expect(page.getByRole("heading", { name: "Top up", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Test card")).toHaveValue("4242 4242 4242 4242");

  await page.getByLabel("Amount").fill("abc");
  await page.getByRole("button", { name: "Top up", exact: true }).last().click();
  await expect(page.getByRole("alert")).toContainText("The top-up did not go through.");
  // Sent as typed: the backend refuses it in its own words (centime-protocol's money tests).
  expect((await app.calls("topup_demo")).at(-1)).toEqual({ amount: "abc", asset: "EUR" });

  await page.getByLabel("Amount").fill("2,50");
  await page.locator("form").first().getByRole("button", { name: "Top up" }).click();
  await expect(page.getByText("€2.50 added. Your balance is now €5.70.")).toBeVisible();
  await app.shot("topup");
  expect((await app.calls("topup_demo")).at(-1)).toEqual({ amount: "2.50", asset: "EUR" });

  await page.getByLabel("Credit note or centime://topup link").fill("centime://topup?note=abc");
  await page.getByRole("button", { name: "Add to my wallet" }).click();
  await expect(page.getByText("€2.00 added. Your balance is now €7.70.")).toBeVisible();

  await page.getByRole("navigation").getByRole("button", { name: "Wallet" }).click();
  await expect(page.getByTestId("balance-EUR")).toHaveText("€7.70");
  await expect(page.getByRole("list", { name: "Recent activity" })).toContainText("Demo top-up");
});

test("a free page and an automatic payment are reported in place", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Open a priced page" }).click();
  await page.getByLabel("Page address").fill("https://news.example/free");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await expect(page.getByTestId("open-outcome")).toHaveText(
    "This page is free: https://news.example/free",
  );
  await page.getByLabel("Page address").fill("https://news.example/auto");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await expect(page.getByTestId("open-outcome")).toHaveText(
    "Paid €0.05 to https://news.example. Paid automatically, within the limits you set. The page opened in the reader.",
  );
  await page.getByLabel("Page address").fill("news.example");
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("Type a web address starting with https://.");
  await app.shot("open-page");
});

test("a link-refused event shows the backend's message", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await app.emit("link-refused", {
    code: "site_unconfirmed",
    message: "The site did not confirm this price (0.50 EUR to acct-x).",
  });
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("A payment link was refused. Nothing was paid.");
  await expect(alert).toContainText("The site did not confirm this price (0.50 EUR to acct-x).");
  await app.shot("link-refused");
  await alert.getByRole("button", { name: "Dismiss" }).click();
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("payment-made and wallet-changed events refresh the wallet", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await expect(page.getByTestId("balance-EUR")).toHaveText("€1.00");
  await app.emit("payment-made", {
    paymentId: "p9",
    origin: "https://news.example",
    amount: "0.02",
    asset: "EUR",
    status: "settled",
    message: "ok",
    openedReturnUrl: "https://news.example/article",
    shownInReader: false,
    automatic: true,
  });
  await expect(
    page.getByRole("status").filter({ hasText: "Paid €0.02 to https://news.example." }),
  ).toContainText("Your browser opened https://news.example/article.");
  const before = (await app.calls("dashboard")).length;
  await app.emit("wallet-changed", null);
  await expect.poll(async () => (await app.calls("dashboard")).length).toBeGreaterThan(before);
});
