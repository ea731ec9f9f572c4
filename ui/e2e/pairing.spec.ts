import { expect, test } from "./fixtures";

test("the browser's pairing request shows its code; Pair answers it", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.evaluate(() =>
    window.__centime.emit("pairing-request", {
      id: "r1",
      caller: "chrome-extension://jihglhmnnbaegpghlkchdjclhccojjnb/",
      label: "Chromium",
      code: "045 123",
      expiresAt: Math.floor(Date.now() / 1000) + 120,
    }),
  );
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Chromium asks to pay with this wallet from your browser.");
  await expect(dialog.getByTestId("pairing-code")).toHaveText("045 123");
  await expect(dialog.getByRole("button", { name: "Decline" })).toBeFocused();
  await dialog.getByRole("button", { name: "Pair", exact: true }).click();
  await expect(dialog).toBeHidden();
  expect(await app.calls("answer_pairing")).toEqual([{ id: "r1", accept: true }]);
});

test("a prompt from the browser names the site that asked", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.20" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.evaluate(() => {
    const p = window.__centime.makePrompt("https://news.example/from-browser");
    window.__centime.emit("payment-prompt", { ...p, source: "browser" });
  });
  await expect(page.getByRole("dialog")).toContainText(
    "Requested by https://news.example in your browser.",
  );
});
