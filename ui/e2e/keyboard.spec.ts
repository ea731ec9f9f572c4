import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// The whole money path with the keyboard alone, asserting after each step where focus is and
// that it can be seen.

/** Presses Tab (or Shift+Tab) until `target` has focus; fails if it is not reached. */
async function tabTo(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab") {
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  await expect(target, "reached with the keyboard").toBeFocused();
}

/** `target` has focus, matches :focus-visible and draws a ring (outline or box-shadow). */
async function focusedVisibly(target: Locator) {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((el) => {
    const s = getComputedStyle(el);
    return {
      focusVisible: el.matches(":focus-visible"),
      outline: s.outlineStyle !== "none" ? parseFloat(s.outlineWidth) : 0,
      shadow: s.boxShadow !== "none",
    };
  });
  expect(ring.focusVisible, "matches :focus-visible").toBe(true);
  expect(ring.outline > 0 || ring.shadow, "draws a focus ring").toBe(true);
}

test("keyboard only: create, top up, pay and decline, history, site rules", async ({ app }) => {
  test.setTimeout(60_000);
  const { page } = app;
  await app.open({ state: "no_wallet", osKeyringAvailable: false, entries: 60 });
  const main = page.locator("main");

  // Create a wallet: a failed submit takes focus to the field in error.
  const passphrase = page.getByLabel("Passphrase", { exact: true });
  await tabTo(page, passphrase);
  await page.keyboard.type("short");
  await tabTo(page, page.getByRole("button", { name: "Create my wallet" }));
  await page.keyboard.press("Enter");
  await expect(passphrase).toHaveAttribute("aria-invalid", "true");
  await focusedVisibly(passphrase);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("correct horse");
  await page.keyboard.press("Tab");
  await focusedVisibly(page.getByLabel("Type the passphrase again"));
  await page.keyboard.type("correct horse");
  await page.keyboard.press("Enter");
  // The new wallet's screen: focus on its heading, not lost on the body.
  await focusedVisibly(page.getByRole("heading", { level: 1, name: "Your wallet" }));

  // Top up from the dashboard's button.
  await tabTo(page, main.getByRole("button", { name: "Top up", exact: true }));
  await page.keyboard.press("Enter");
  await focusedVisibly(page.getByRole("heading", { level: 1, name: "Top up" }));
  const amount = page.getByLabel("Amount", { exact: true });
  await tabTo(page, amount);
  await page.keyboard.type("5");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "€5.00 added" })).toBeVisible();
  await focusedVisibly(amount);

  // Open a priced page from the sidebar.
  await tabTo(
    page,
    page.getByRole("navigation").getByRole("button", { name: "Open a priced page" }),
    "Shift+Tab",
  );
  await page.keyboard.press("Enter");
  await focusedVisibly(page.getByRole("heading", { level: 1, name: "Open a priced page" }));
  const address = page.getByLabel("Page address");
  await tabTo(page, address);
  await page.keyboard.type("https://news.example/article");
  await page.keyboard.press("Enter");

  // The prompt opens on Decline and says who asks and how much.
  const dialog = page.getByRole("dialog");
  const decline = dialog.getByRole("button", { name: "Decline" });
  await focusedVisibly(decline);
  await expect(dialog).toHaveAccessibleDescription("https://news.example asks you to pay €0.05");
  await page.keyboard.press("Enter");
  await expect(dialog).toHaveCount(0);
  // Back where it was, and the notice, held while the prompt was open, now shows.
  await focusedVisibly(address);
  await expect(page.getByText("You declined the payment to https://news.example.")).toBeVisible();

  // Again, and pay this time.
  await page.keyboard.press("Enter");
  const pay = dialog.getByRole("button", { name: /^Pay/ });
  await expect(pay).toBeEnabled({ timeout: 3000 });
  await tabTo(page, pay);
  await focusedVisibly(pay);
  await page.keyboard.press("Enter");
  await expect(dialog).toHaveCount(0);
  await focusedVisibly(address);
  await expect(
    page.getByRole("status").filter({ hasText: "Paid €0.05 to https://news.example." }),
  ).toBeVisible();

  // History: filter, open an entry, close it.
  await tabTo(
    page,
    page.getByRole("navigation").getByRole("button", { name: "History" }),
    "Shift+Tab",
  );
  await page.keyboard.press("Enter");
  await focusedVisibly(page.getByRole("heading", { level: 1, name: "History" }));
  const search = page.getByLabel("Search", { exact: true });
  await tabTo(page, search);
  await page.keyboard.type("penny for");
  await focusedVisibly(search);
  const list = page.getByRole("listbox", { name: "Entries" });
  await expect(list.getByRole("option").first()).toContainText("A penny for a letter");
  await tabTo(page, list);
  await focusedVisibly(list);
  await page.keyboard.press("ArrowDown");
  await expect(list.getByRole("option").nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  const details = page.getByRole("dialog");
  const close = details.getByRole("button", { name: "Close" });
  await focusedVisibly(close);
  await expect(close).toBeInViewport();
  // Tab stays in the entry's dialog.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    expect(await details.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(details).toHaveCount(0);
  await focusedVisibly(list);

  // Sites: edit a rule, save it, remove it.
  await tabTo(
    page,
    page.getByRole("navigation").getByRole("button", { name: "Sites" }),
    "Shift+Tab",
  );
  await page.keyboard.press("Enter");
  await focusedVisibly(page.getByRole("heading", { level: 1, name: "Sites" }));
  const edit = page.getByRole("button", { name: "Edit https://news.example" });
  await tabTo(page, edit);
  await focusedVisibly(edit);
  await page.keyboard.press("Enter");
  const max = page
    .getByRole("form", { name: "Rules for https://news.example" })
    .getByLabel("Max per payment");
  await focusedVisibly(max);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("0.40");
  await tabTo(page, page.getByRole("button", { name: "Save" }));
  await page.keyboard.press("Enter");
  await expect(page.getByText("Saved the rules for https://news.example.")).toBeVisible();
  await focusedVisibly(edit);
  const remove = page.getByRole("button", { name: "Remove https://news.example…" });
  await tabTo(page, remove);
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("button", { name: "Remove https://news.example", exact: true });
  await focusedVisibly(confirm);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("listitem", { name: "https://news.example" })).toHaveCount(0);
  // Focus goes to the card that took its place.
  await focusedVisibly(page.getByRole("button", { name: "Edit https://blog.example" }));
  expect(await app.calls("remove_site")).toEqual([{ origin: "https://news.example" }]);
  expect((await app.calls("update_site"))[0]).toMatchObject({
    change: { origin: "https://news.example", maxPerPayment: "0.40" },
  });
});

test("at 200% zoom the prompt opens with who asks and the price in view", async ({ app }) => {
  const { page } = app;
  // Half the default window in CSS pixels is what a 200% zoom leaves.
  await page.setViewportSize({ width: 550, height: 380 });
  await app.open({ balance: "3.20" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.evaluate(() =>
    window.__centime.emit(
      "payment-prompt",
      window.__centime.makePrompt("https://news.example/allowance/why-cents"),
    ),
  );
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Decline" })).toBeFocused();
  await expect(dialog.getByRole("button", { name: "Decline" })).toBeInViewport();
  await expect(dialog.locator(".prompt-origin")).toBeInViewport();
  await expect(dialog.locator(".prompt-price")).toBeInViewport();
});

test("an error notice waits for the modal to close and stays until dismissed", async ({ app }) => {
  test.setTimeout(40_000);
  const { page } = app;
  await app.open({ balance: "3.20" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.evaluate(() =>
    window.__centime.emit("payment-prompt", window.__centime.makePrompt("https://news.example/a")),
  );
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  // A payment refused while the prompt is open: its notice is held, not lost behind the modal.
  await page.evaluate(() =>
    window.__centime.emit("payment-made", {
      paymentId: "pay-x",
      origin: "https://other.example",
      amount: "0.02",
      asset: "EUR",
      status: "rejected",
      message: "The issuer refused it.",
      openedReturnUrl: null,
      shownInReader: false,
      automatic: true,
    }),
  );
  const toast = page.locator(".toast-error");
  await page.waitForTimeout(300);
  await expect(toast).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(toast).toBeVisible();
  // Information notices go after 8 s; an error one stays.
  await page.waitForTimeout(9000);
  await expect(toast).toBeVisible();
  await expect(page.getByText("You declined the payment to https://news.example.")).toHaveCount(0);
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(toast).toHaveCount(0);
});
