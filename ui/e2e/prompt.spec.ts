import { expect, test, type App } from "./fixtures";

async function openPriced(app: App, url: string) {
  const { page } = app;
  await app.open({ balance: "3.20" });
  await page.getByRole("navigation").getByRole("button", { name: "Open a priced page" }).click();
  await page.getByLabel("Page address").fill(url);
  await page.getByRole("button", { name: "Open", exact: true }).click();
  return page.getByRole("dialog");
}

test("open a priced page → prompt → Pay after the delay → paid", async ({ app }) => {
  const { page } = app;
  const dialog = await openPriced(app, "https://news.example/allowance/why-cents");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("https://news.example");
  await expect(dialog).toContainText("Le Quotidien Exemple SA — verified by Demo issuer");
  await expect(dialog).toContainText("Why cents add up");
  await expect(dialog).toContainText("€3.15"); // balance after
  await expect(dialog).toContainText("€1.65 this month"); // allowance left
  await expect(dialog).toContainText("€0.05 is over your automatic-payment ceiling of €0.01");

  const pay = dialog.getByRole("button", { name: /^Pay/ });
  await expect(pay).toBeDisabled();
  await expect(pay).toHaveText("Pay in 1 s");
  await expect(dialog.getByRole("button", { name: "Decline" })).toBeFocused();
  await app.shot("prompt-arming");
  await expect(pay).toBeEnabled({ timeout: 3000 });
  await expect(pay).toHaveText("Pay €0.05");
  await expect(pay).not.toBeFocused();
  await app.shot("prompt");

  // Focus stays in the dialog.
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Shift+Tab");
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);

  await pay.click();
  await expect(dialog).toHaveCount(0);
  await expect(
    page.getByRole("status").filter({ hasText: "Paid €0.05 to https://news.example." }),
  ).toBeVisible();
  // The command's reply and the payment-made event tell the same payment: one notice.
  await page.waitForTimeout(300);
  await expect(
    page.getByRole("status").filter({ hasText: "Paid €0.05 to https://news.example." }),
  ).toHaveCount(1);
  expect(await app.calls("approve_prompt")).toEqual([
    { args: { promptId: "prompt-1", alwaysAllow: null } },
  ]);
  await page.getByRole("navigation").getByRole("button", { name: "Wallet" }).click();
  await expect(page.getByTestId("balance-EUR")).toHaveText("€3.15");
  await expect(page.getByRole("list", { name: "Recent activity" })).toContainText("-€0.05");
});

test("decline sends the prompt id and pays nothing", async ({ app }) => {
  const { page } = app;
  const dialog = await openPriced(app, "https://news.example/article");
  await dialog.getByRole("button", { name: "Decline" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText("You declined the payment to https://news.example.")).toBeVisible();
  expect(await app.calls("decline_prompt")).toEqual([{ promptId: "prompt-1" }]);
  expect(await app.calls("approve_prompt")).toEqual([]);
});

test("Escape declines too", async ({ app }) => {
  const dialog = await openPriced(app, "https://news.example/article");
  await expect(dialog).toBeVisible();
  await app.page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  expect(await app.calls("decline_prompt")).toEqual([{ promptId: "prompt-1" }]);
});

test("always allow sends the budget and period", async ({ app }) => {
  const dialog = await openPriced(app, "https://news.example/article");
  await expect(dialog.getByLabel("Allowance")).toBeDisabled();
  await dialog.getByRole("checkbox", { name: "Always allow this site up to" }).check();
  await dialog.getByLabel("Allowance").fill("2,00");
  await dialog.getByLabel("Period").selectOption("week");
  await app.shot("prompt-always-allow");
  const pay = dialog.getByRole("button", { name: /^Pay/ });
  await expect(pay).toBeEnabled({ timeout: 3000 });
  await pay.click();
  await expect(dialog).toHaveCount(0);
  expect(await app.calls("approve_prompt")).toEqual([
    { args: { promptId: "prompt-1", alwaysAllow: { budget: "2.00", period: "week" } } },
  ]);
});

test("always allow with an empty budget asks for one", async ({ app }) => {
  const dialog = await openPriced(app, "https://news.example/article");
  await dialog.getByRole("checkbox", { name: "Always allow this site up to" }).check();
  const pay = dialog.getByRole("button", { name: /^Pay/ });
  await expect(pay).toBeEnabled({ timeout: 3000 });
  await pay.click();
  await expect(dialog.getByText("Type an amount such as 5 or 2.50.")).toBeVisible();
  expect(await app.calls("approve_prompt")).toEqual([]);
});

test("a refused request shows why, with no Pay button", async ({ app }) => {
  const dialog = await openPriced(app, "https://blog.example/refuse");
  await expect(dialog).toContainText("Centime will not pay this request.");
  await expect(dialog).toContainText("https://news.example is blocked in your site rules.");
  await expect(dialog.getByRole("button", { name: /^Pay/ })).toHaveCount(0);
  await expect(dialog.getByRole("checkbox")).toHaveCount(0);
  await app.shot("prompt-refused");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toHaveCount(0);
});

test("a merchant its issuer did not certify is shown by its claimed name, not verified", async ({
  app,
}) => {
  const dialog = await openPriced(app, "https://news.example/unverified/why-cents");
  await expect(dialog).toContainText("Le Quotidien Exemple");
  await expect(dialog).toContainText("not verified by your issuer");
  await expect(dialog).not.toContainText("verified by Demo issuer");
});

test("the prompt counts down and closes as expired", async ({ app }) => {
  const { page } = app;
  const dialog = await openPriced(app, "https://news.example/expire");
  await expect(dialog).toContainText(/Expires in 0:0[1-3]/);
  await expect(dialog).toHaveCount(0, { timeout: 6000 });
  await expect(
    page.getByText("The payment request from https://news.example expired. Nothing was paid."),
  ).toBeVisible();
  expect(await app.calls("approve_prompt")).toEqual([]);
});

test("a payment-prompt event raises the prompt", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.evaluate(() => {
    const p = window.__centime.makePrompt("https://news.example/from-link");
    window.__centime.emit("payment-prompt", { ...p, source: "link" });
  });
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Requested by a link; the site confirmed the price.");
  await expect(dialog.getByRole("button", { name: /^Pay/ })).toBeEnabled({ timeout: 3000 });
  await dialog.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByTestId("balance-EUR")).toHaveText("€3.15");
});

test("a site reached over plain HTTP is flagged in red in the prompt", async ({ app }) => {
  const dialog = await openPriced(app, "http://news.example/allowance/why-cents");
  const alert = dialog.getByRole("alert");
  await expect(alert).toContainText("plain HTTP");
  await expect(alert).toHaveClass(/note-error/);
  await app.shot("prompt-plain-http");
});
