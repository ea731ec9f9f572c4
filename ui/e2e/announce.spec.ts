import { expect, test } from "./fixtures";

// What a screen reader hears of results and notices, and where notices sit relative to focus.

test("at 200% zoom a notice does not cover the focused field", async ({ app }) => {
  const { page } = app;
  await page.setViewportSize({ width: 550, height: 380 });
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  const cap = page.getByLabel("Daily cap");
  await cap.fill("3");
  // The field at the bottom of the window, where notices appear.
  await cap.evaluate((el) => el.scrollIntoView({ block: "end" }));
  await cap.press("Enter");
  const toast = page.locator(".toast").filter({ hasText: "Limits saved." });
  await expect(toast).toBeVisible();
  await expect(cap).toBeFocused();
  const [a, b] = [await toast.boundingBox(), await cap.boundingBox()];
  if (!a || !b) throw new Error("no boxes");
  const overlap =
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  expect(overlap, "the notice is clear of the focused field").toBe(false);
});

test("the open-page outcome lands in a live region already in the page", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Open a priced page" }).click();
  const form = page.locator("main form");
  // Present and empty before anything happened: a region added with its text is not read out.
  const live = form.getByRole("status");
  await expect(live).toHaveCount(1);
  await expect(live).toHaveText("");
  await page.getByLabel("Page address").fill("https://news.example/free");
  await page.keyboard.press("Enter");
  await expect(live).toContainText("https://news.example/free");
});

test("the top-up result lands in a live region already in the page", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Top up" }).click();
  const live = page.locator("#demo-h ~ form").getByRole("status");
  await expect(live).toHaveText("");
  await page.getByLabel("Amount", { exact: true }).fill("2");
  await page.keyboard.press("Enter");
  await expect(live).toContainText("€2.00 added");
});

test("the export announces its start, not every step", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1", entries: 20000, exportRowsPerTick: 500 });
  await page.getByRole("navigation").getByRole("button", { name: "History" }).click();
  await page.getByRole("button", { name: "Export CSV" }).click();
  const cancel = page.getByRole("button", { name: "Cancel export" });
  await expect(cancel).toBeVisible();
  // The counting label is outside any live region; one status says the export started.
  const progress = page.locator(".export-running label");
  await expect(progress).toBeVisible();
  expect(await progress.evaluate((el) => el.closest("[aria-live], [role=status]"))).toBeNull();
  await expect(page.locator(".export").getByRole("status")).toHaveText("Exporting CSV…");
  await expect(page.getByText("Exported 20,000 entries")).toBeVisible({ timeout: 10_000 });
  await expect(page.locator(".export").getByRole("status")).toHaveText("");
});
