import { expect, test } from "./fixtures";

const nav = (page: import("@playwright/test").Page, name: string) =>
  page.getByRole("navigation").getByRole("button", { name, exact: true }).click();

test("history: filters by site, kind, status and text, with totals for the filter", async ({
  app,
}) => {
  const { page } = app;
  await app.open({ balance: "3", entries: 5000 });
  await nav(page, "History");
  await expect(page.getByTestId("history-count")).toHaveText("5,000 entries");
  const list = page.getByRole("listbox", { name: "Entries" });
  await expect(list.getByRole("option").first()).toContainText("€");

  await page.getByLabel("Site", { exact: true }).selectOption("https://news.example");
  await expect(page.getByTestId("history-count")).not.toHaveText("5,000 entries");
  const siteCount = await page.getByTestId("history-count").textContent();
  for (const text of await list.getByRole("option").allTextContents()) {
    expect(text).toContain("https://news.example");
  }
  expect((await app.calls("history_summary")).at(-1)).toEqual({
    filter: {
      since: null,
      until: null,
      site: "https://news.example",
      kind: null,
      status: null,
      search: null,
    },
  });

  await page.getByLabel("Kind", { exact: true }).selectOption("payment");
  await page.getByLabel("Status", { exact: true }).selectOption("rejected");
  await expect(page.getByTestId("history-count")).not.toHaveText(siteCount ?? "");
  for (const text of await list.getByRole("option").allTextContents()) {
    expect(text).toContain("Rejected");
  }

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page.getByTestId("history-count")).toHaveText("5,000 entries");
  await page.getByLabel("Search", { exact: true }).fill("penny for");
  await expect(page.getByTestId("history-count")).not.toHaveText("5,000 entries");
  for (const text of await list.getByRole("option").allTextContents()) {
    expect(text.toLowerCase()).toContain("a penny for a letter");
  }
  // Typing waits for a pause: one request for the whole word, not one per key.
  const searches = (await app.calls("history_summary")).filter(
    (c) => (c as { filter: { search: string | null } }).filter.search !== null,
  );
  expect(searches).toEqual([
    {
      filter: {
        since: null,
        until: null,
        site: null,
        kind: null,
        status: null,
        search: "penny for",
      },
    },
  ]);
  await expect(page.getByTestId("history-total-EUR")).toContainText(
    /Spent €\d+\.\d{2}\s*\d+ payments/,
  );

  await page.getByLabel("Period", { exact: true }).selectOption("custom");
  await page.getByLabel("From").fill("2020-01-01");
  await page.getByLabel("To (included)").fill("2020-01-31");
  await expect(page.getByText("No entry matches these filters.")).toBeVisible();
  const last = (await app.calls("history_summary")).at(-1) as { filter: { since: string } };
  expect(new Date(last.filter.since).getFullYear()).toBe(2020);
  await app.shot("history-filtered");
});

test("history: a million entries scroll in a virtual list, End reaches the oldest", async ({
  app,
}) => {
  test.setTimeout(60_000);
  const { page } = app;
  await app.open({ balance: "3", entries: 1_000_000, historySites: 300 });
  await nav(page, "History");
  await expect(page.getByTestId("history-count")).toHaveText("1,000,000 entries");
  const list = page.getByRole("listbox", { name: "Entries" });
  await expect(list.getByRole("option").first()).toContainText("€");
  // Only the rows in view (and a few more) exist in the page.
  expect(await list.getByRole("option").count()).toBeLessThan(40);
  await expect(list.getByRole("option").first()).toHaveAttribute("aria-setsize", "1000000");

  // Wheel scrolling: the rows that come into view are filled in, not left blank.
  await list.hover();
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 600);
  await expect(list.locator('[role="option"][aria-busy="true"]')).toHaveCount(0);
  const firstShown = Number(await list.getByRole("option").first().getAttribute("aria-posinset"));
  expect(firstShown).toBeGreaterThan(100);

  // Keyboard: End goes to the oldest entry (id 1) through the keyset pages.
  await list.focus();
  await page.keyboard.press("End");
  const lastRow = list.locator('[role="option"][aria-posinset="1000000"]');
  await expect(lastRow).toHaveAttribute("aria-selected", "true", { timeout: 40_000 });
  await expect(lastRow).not.toHaveAttribute("aria-busy", "true", { timeout: 40_000 });
  await expect(lastRow).toContainText("Demo top-up");
  const pages = await app.calls("history");
  expect(pages.length).toBeGreaterThanOrEqual(1000);
  expect(pages.at(-1)).toMatchObject({ limit: 1000 });
  // The scroller stays within what browsers can lay out.
  const height = await list.evaluate((el) => el.scrollHeight);
  expect(height).toBeLessThanOrEqual(8_000_000);

  await page.keyboard.press("Home");
  await expect(list.locator('[role="option"][aria-posinset="1"]')).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const third = list.locator('[role="option"][aria-posinset="3"]');
  await expect(third).toHaveAttribute("aria-selected", "true");
  await expect(list).toHaveAttribute("aria-activedescendant", "hrow-2");
  const outline = await third.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByTestId("payment-id")).toHaveText(/^pay-|None/);
});

test("details: decoded documents, copy raw, status history, the compensating credit", async ({
  app,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const { page } = app;
  await app.open({ balance: "3", entries: 2000 });
  await nav(page, "History");
  await page.getByLabel("Status", { exact: true }).selectOption("rejected");
  const list = page.getByRole("listbox", { name: "Entries" });
  await expect(list.getByRole("option").first()).toContainText("Rejected");
  await list.getByRole("option").first().click();

  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { level: 2 })).toHaveText(/^https:\/\//);
  await expect(dialog).toContainText("Payment details");
  // The mock's payments alternate: a certified merchant, then one that serves no certificate.
  await expect(
    dialog.getByText(/^(News SA — verified by Demo issuer|News — not verified by your issuer)$/),
  ).toBeVisible();
  const paymentId = (await page.getByTestId("payment-id").textContent()) ?? "";
  expect(paymentId).toMatch(/^pay-[0-9a-f]{8}$/);
  await expect(dialog.getByRole("heading", { name: "Status history" })).toBeVisible();
  await expect(dialog.locator(".timeline li")).toHaveCount(2);
  await expect(dialog.locator(".timeline")).toContainText("Pending");
  await expect(dialog.locator(".timeline")).toContainText("Rejected");
  await expect(page.getByTestId("compensation")).toContainText("Credited back:");
  await expect(page.getByTestId("compensation")).toContainText("Refund of €");

  const auth = dialog.getByRole("region", { name: "Signed authorization" });
  const table = auth.getByRole("table", { name: "Decoded contents of the Signed authorization" });
  await expect(table.getByRole("row", { name: /paymentId/ })).toContainText(paymentId);
  await expect(page.getByTestId("signature-authorization")).toHaveText("The signature verifies.");
  await expect(dialog.locator(".timeline")).toContainText(
    "insufficient_funds: the merchant refused",
  );
  await auth.getByRole("button", { name: "Copy raw" }).click();
  await expect(auth.getByRole("status")).toHaveText("Copied to the clipboard.");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  await auth.getByText("Show as stored").click();
  await expect(auth.locator("pre")).toHaveText(copied);
  await expect(dialog.getByRole("region", { name: "Payment request from the site" })).toBeVisible();
  await app.shot("details-rejected");

  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  // Focus comes back to the list.
  await expect(list).toBeFocused();
});

test("export: progress, cancel, then the whole filter to the chosen file", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3", entries: 200_000, exportRowsPerTick: 1000 });
  await nav(page, "History");
  await expect(page.getByTestId("history-count")).toHaveText("200,000 entries");

  await page.getByRole("button", { name: "Export CSV" }).click();
  const bar = page.getByRole("progressbar");
  await expect(bar).toBeVisible();
  await expect(page.getByText(/Exporting CSV: [\d,]+ of 200,000 entries/)).toBeVisible();
  await expect
    .poll(async () => Number(await bar.getAttribute("value")), { timeout: 5000 })
    .toBeGreaterThan(2000);
  await app.shot("export-progress");
  const cancel = page.getByRole("button", { name: "Cancel export" });
  await expect(cancel).toBeFocused();
  await cancel.click();
  await expect(page.getByText("Export cancelled. No file was written.")).toBeVisible();
  await expect(bar).toHaveCount(0);
  expect(await page.evaluate(() => window.__centime.exports)).toEqual([]);
  expect(await app.calls("cancel_export")).toHaveLength(1);

  await page.getByLabel("Site", { exact: true }).selectOption("https://recipes.example");
  await expect(page.getByTestId("history-count")).not.toHaveText("200,000 entries");
  const count = Number(
    ((await page.getByTestId("history-count").textContent()) ?? "").replace(/\D/g, ""),
  );
  await page.getByRole("button", { name: "Export JSON" }).click();
  await expect(
    page.getByText(
      `Exported ${count.toLocaleString("en-GB")} entries to /home/reader/centime-history.csv.`,
    ),
  ).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => window.__centime.exports)).toEqual([
    { path: "/home/reader/centime-history.csv", rows: count, format: "json" },
  ]);
  expect((await app.calls("export_history")).at(-1)).toMatchObject({
    args: { format: "json", filter: { site: "https://recipes.example" } },
  });
  expect((await app.calls("plugin:dialog|save")).at(-1)).toEqual({
    options: {
      title: "Export the history",
      defaultPath: "centime-history.json",
      filters: [{ name: "JSON", extensions: ["json"] }],
    },
  });
});

test("export: closing the save dialog exports nothing", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3", entries: 100, savePath: null });
  await nav(page, "History");
  await page.getByRole("button", { name: "Export CSV" }).click();
  await expect.poll(async () => (await app.calls("plugin:dialog|save")).length).toBe(1);
  await expect(page.getByRole("progressbar")).toHaveCount(0);
  expect(await app.calls("export_history")).toEqual([]);
});

test("insights: charts per day, month and site, allowances, with their numbers as tables", async ({
  app,
}) => {
  const { page } = app;
  await app.open({ balance: "3", entries: 3000 });
  await nav(page, "Insights");
  for (const name of [
    "Spending per day",
    "Spending per month",
    "Spending per site",
    "This period against each site's allowance",
  ]) {
    const card = page.getByRole("region", { name });
    await expect(card.locator("canvas")).toBeVisible();
    await expect(card.getByRole("img")).toHaveAttribute("aria-label", /table that follows/);
  }
  // The tables are there for screen readers, and can be shown.
  const perSite = page.getByRole("region", { name: "Spending per site" });
  const table = perSite.getByRole("table", { name: "Spending per site" });
  await expect(table).toBeAttached();
  await perSite.getByRole("button", { name: "Show the numbers" }).click();
  await expect(table).toBeVisible();
  // Which sites come first and their shares are the core's (centime-core's figures tests);
  // the window shows each one's spending and its share as a percentage with one decimal.
  const rows = table.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.locator("td:nth-child(2)").allTextContents()) {
    expect(text).toMatch(/^€\d+\.\d{2}$/);
  }
  for (const text of await rows.locator("td:nth-child(3)").allTextContents()) {
    expect(text).toMatch(/^\d{1,3}\.\d\s?%$/);
  }
  const allowances = page.getByRole("region", {
    name: "This period against each site's allowance",
  });
  await allowances.getByRole("button", { name: "Show the numbers" }).click();
  await expect(allowances.getByRole("table")).toContainText("https://news.example");
  await expect(allowances.getByRole("table")).toContainText("€2.00");
  await page.getByLabel("Period", { exact: true }).selectOption("last12Months");
  await expect.poll(async () => (await app.calls("insights")).length).toBe(2);
  await app.shot("insights");
});

test("history and insights in French and in the dark theme", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3", entries: 3000 });
  await nav(page, "Settings");
  await page.getByLabel("Language", { exact: true }).selectOption("fr");
  await page.getByLabel("Thème").selectOption("dark");
  await nav(page, "Historique");
  await expect(page.getByRole("heading", { name: "Historique", level: 1 })).toBeVisible();
  await expect(page.getByTestId("history-count")).toHaveText(/^3\s000 opérations$/);
  const first = page.getByRole("listbox", { name: "Opérations" }).getByRole("option").first();
  await expect(first).toContainText(/-?\d+,\d{2}\s€/);
  await expect(page.getByRole("button", { name: "Exporter en CSV" })).toBeVisible();
  await expect(page.getByLabel("Période", { exact: true })).toContainText("30 derniers jours");
  await app.shot("history-fr-dark");
  await nav(page, "Analyses");
  const perMonth = page.getByRole("region", { name: "Dépenses par mois" });
  await expect(perMonth.locator("canvas")).toBeVisible();
  await perMonth.getByRole("button", { name: "Afficher les chiffres" }).click();
  await expect(perMonth.getByRole("columnheader", { name: "Mois" })).toBeVisible();
  await expect(perMonth.locator("tbody td").first()).toHaveText(/\d,\d{2}\s€$/);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe("rgb(17, 21, 19)");
  await app.shot("insights-fr-dark");
});
