import { encodeBase64Url } from "../src/reader/page";
import { expect, test } from "./fixtures";

test("sites: spent and remaining, edit, block, remove", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Sites" }).click();
  const news = page.getByRole("listitem", { name: "https://news.example" });
  await expect(news).toContainText("Pays automatically");
  await expect(news).toContainText("2.00 per month");
  await expect(news).toContainText("Spent this month");
  await expect(news).toContainText("€0.35");
  await expect(news).toContainText("€1.65");
  await app.shot("sites");

  await news.getByRole("button", { name: "Edit" }).click();
  await expect(news.getByLabel("Max per payment")).toHaveValue("0.50");
  await news.getByLabel("Max per payment").fill("0,20");
  await news.getByLabel("Allowance").fill("");
  await news.getByLabel("Period").selectOption("week");
  await news.getByRole("checkbox", { name: "Pay automatically within these limits" }).uncheck();
  await app.shot("sites-edit");
  await news.getByRole("button", { name: "Save" }).click();
  await expect(news).toContainText("Asks each time");
  await expect(news).toContainText("0.20");
  expect(await app.calls("update_site")).toEqual([
    {
      change: {
        origin: "https://news.example",
        autoPay: false,
        blocked: null,
        maxPerPayment: "0.20",
        budget: "",
        period: "week",
      },
    },
  ]);

  const blog = page.getByRole("listitem", { name: "https://blog.example" });
  await expect(blog).toContainText("Blocked");
  await blog.getByRole("button", { name: "Unblock" }).click();
  await expect(blog).toContainText("Asks each time");
  // Buttons name their site (the visible text stays "Remove").
  await expect(blog.getByRole("button", { name: "Remove https://blog.example…" })).toHaveText(
    "Remove",
  );
  await blog.getByRole("button", { name: "Remove https://blog.example…" }).click();
  await blog.getByRole("button", { name: "Remove https://blog.example" }).click();
  await expect(page.getByRole("listitem", { name: "https://blog.example" })).toHaveCount(0);
  expect(await app.calls("remove_site")).toEqual([{ origin: "https://blog.example" }]);
});

test("settings: limits, issuers, data dir, backup", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  await expect(page.getByTestId("data-dir")).toHaveText("/home/reader/.local/share/centime");
  await expect(page.getByLabel("Daily cap")).toHaveValue("5.00");
  await page.getByLabel("Daily cap").fill("3,5");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Limits saved.")).toBeVisible();
  expect(await app.calls("update_limits")).toEqual([
    { change: { autoPayUnder: "0.05", dailyCap: "3.5", maxPerPayment: "1.00" } },
  ]);

  await page.getByLabel("Network", { exact: true }).fill("acme");
  await page.getByLabel("Public key").fill("acme-key");
  await page.getByRole("button", { name: "Add issuer" }).click();
  await expect(page.getByRole("button", { name: "Remove acme" })).toBeVisible();
  await page.getByRole("button", { name: "Remove Demo issuer" }).click();
  await expect(page.getByRole("button", { name: "Remove Demo issuer" })).toHaveCount(0);
  expect(await app.calls("remove_issuer")).toEqual([{ network: "demo" }]);

  const backup = page.locator("form", { has: page.getByRole("heading", { name: "Back up" }) });
  await backup.getByLabel("Backup file").fill("/tmp/centime.backup");
  await backup.getByLabel("Backup passphrase").fill("backup pass");
  await backup.getByRole("button", { name: "Back up" }).click();
  await expect(page.getByText("Backup written to /tmp/centime.backup.")).toBeVisible();
  expect(await app.calls("backup_wallet")).toEqual([
    { path: "/tmp/centime.backup", passphrase: "backup pass" },
  ]);
  await app.shot("settings");
});

test("settings: an issuer's address, given when added, set in place, a bad one refused", async ({
  app,
}) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  const demo = page.getByRole("listitem", { name: "Demo issuer" });
  await expect(demo).toContainText("Address: http://127.0.0.1:8787");
  await expect(demo.getByRole("button", { name: "Change address of Demo issuer" })).toHaveText(
    "Change address",
  );

  const add = page.locator("form", { has: page.getByRole("button", { name: "Add issuer" }) });
  await expect(add.getByLabel("Address (URL)")).toHaveAccessibleDescription(
    /where the wallet asks for its statement, e\.g\. https:\/\/bank\.example/,
  );
  // A bad address: the error in its code's words, nothing added, the fields kept.
  await add.getByLabel("Network", { exact: true }).fill("bank");
  await add.getByLabel("Public key").fill("bank-key");
  await add.getByLabel("Address (URL)").fill("ftp://bank.example");
  await add.getByRole("button", { name: "Add issuer" }).click();
  await expect(add.getByRole("alert")).toContainText("The change was not saved.");
  await expect(add.getByRole("alert")).toContainText("Something given is not valid.");
  await expect(add.getByRole("alert")).toContainText("must be an http(s) URL");
  await expect(page.getByRole("listitem", { name: "bank" })).toHaveCount(0);
  await expect(add.getByLabel("Network", { exact: true })).toHaveValue("bank");

  await add.getByLabel("Address (URL)").fill(" https://bank.example/ ");
  await add.getByRole("button", { name: "Add issuer" }).click();
  const bank = page.getByRole("listitem", { name: "bank" });
  await expect(bank).toContainText("Address: https://bank.example");
  await expect(add.getByLabel("Address (URL)")).toHaveValue("");
  expect(await app.calls("add_issuer")).toEqual([
    {
      issuer: { network: "bank", publicKey: "bank-key", name: null, url: "ftp://bank.example" },
    },
    {
      issuer: { network: "bank", publicKey: "bank-key", name: null, url: "https://bank.example/" },
    },
  ]);

  // One added without an address says it cannot sync, and gets one in place.
  await add.getByLabel("Network", { exact: true }).fill("acme");
  await add.getByLabel("Public key").fill("acme-key");
  await add.getByRole("button", { name: "Add issuer" }).click();
  const acme = page.getByRole("listitem", { name: "acme" });
  await expect(acme).toContainText("No address: it cannot sync.");
  expect((await app.calls("add_issuer"))[2]).toEqual({
    issuer: { network: "acme", publicKey: "acme-key", name: null, url: null },
  });
  await acme.getByRole("button", { name: "Set address of acme" }).click();
  const edit = acme.getByRole("form", { name: "Address of acme" });
  await expect(edit.getByLabel("Address (URL)")).toBeFocused();
  await edit.getByLabel("Address (URL)").fill("acme.example");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit.getByRole("alert")).toContainText("Something given is not valid.");
  await app.shot("settings-issuer-address-error");
  await edit.getByLabel("Address (URL)").fill("https://acme.example");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(acme).toContainText("Address: https://acme.example");
  await expect(
    page.getByText("Address saved: the wallet syncs with acme in a moment."),
  ).toBeVisible();
  await expect(acme.getByRole("button", { name: "Change address of acme" })).toBeFocused();
  expect(await app.calls("set_issuer_url")).toEqual([
    { network: "acme", url: "acme.example" },
    { network: "acme", url: "https://acme.example" },
  ]);

  // Cancel leaves the address as it was.
  await acme.getByRole("button", { name: "Change address of acme" }).click();
  await edit.getByLabel("Address (URL)").fill("https://other.example");
  await edit.getByRole("button", { name: "Cancel" }).click();
  await expect(acme).toContainText("Address: https://acme.example");
  expect(await app.calls("set_issuer_url")).toHaveLength(2);
  await app.shot("settings-issuers");
});

test("settings: the issuer's address in French", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  await page.getByLabel("Language", { exact: true }).selectOption("fr");
  const add = page.locator("form", {
    has: page.getByRole("button", { name: "Ajouter l'émetteur" }),
  });
  await add.getByLabel("Réseau", { exact: true }).fill("acme");
  await add.getByLabel("Clé publique").fill("acme-key");
  await add.getByRole("button", { name: "Ajouter l'émetteur" }).click();
  const acme = page.getByRole("listitem", { name: "acme" });
  await expect(acme).toContainText("Pas d'adresse : il ne peut pas se synchroniser.");
  await acme.getByRole("button", { name: "Indiquer l'adresse de acme" }).click();
  const edit = acme.getByRole("form", { name: "Adresse de acme" });
  await expect(edit.getByLabel("Adresse (URL)")).toHaveAccessibleDescription(
    /Où le portefeuille demande son relevé/,
  );
  await edit.getByLabel("Adresse (URL)").fill("mailto:acme@example.org");
  await edit.getByRole("button", { name: "Enregistrer" }).click();
  await expect(edit.getByRole("alert")).toContainText("Une donnée fournie n'est pas valable.");
  await app.shot("settings-issuers-fr");
});

test("switching the language to French changes the UI and stays", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "3.2" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  await page.getByLabel("Language", { exact: true }).selectOption("fr");
  await expect(page.getByRole("heading", { name: "Réglages", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation")).toContainText("Portefeuille");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await app.shot("settings-fr");
  await page.getByRole("navigation").getByRole("button", { name: "Portefeuille" }).click();
  await expect(page.getByTestId("balance-EUR")).toHaveText(/^3,20\s€$/);
  await app.shot("dashboard-fr");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Votre portefeuille" })).toBeVisible();
});

test("theme: follows the system, and can be forced", async ({ app }) => {
  const { page } = app;
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await app.open({ balance: "3.2" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  const light = await bg();
  await page.emulateMedia({ colorScheme: "dark" });
  const systemDark = await bg();
  expect(systemDark).not.toBe(light);
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  await page.getByLabel("Theme").selectOption("dark");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await bg()).toBe(systemDark);
  await page.getByRole("navigation").getByRole("button", { name: "Wallet" }).click();
  await app.shot("dashboard-dark");
  await page.getByRole("navigation").getByRole("button", { name: "Settings" }).click();
  await page.getByLabel("Theme").selectOption("light");
  expect(await bg()).toBe(light);
});

test("keyboard: visible focus and screens reachable by Tab", async ({ app }) => {
  const { page } = app;
  await app.open({ balance: "1" });
  await expect(page.getByTestId("balance-EUR")).toBeVisible();
  await page.keyboard.press("Tab"); // skip link
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = page.locator(":focus");
  await expect(focused).toHaveText("History");
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
  // From the screen's start, Tab reaches the filters, then the list.
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Search", { exact: true })).toBeFocused();
});

test("reader: shows the page as plain text, with no IPC", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const evil = '<img src=x onerror="window.pwned=1">';
  const hash = encodeBase64Url(
    JSON.stringify({
      title: "Why cents add up",
      text: `Paying a few cents per article is fair.\n\n${evil}\n\nThanks for reading.`,
      url: "https://news.example/why-cents",
    }),
  );
  await page.goto(`/reader.html#${hash}`);
  await expect(page.getByRole("heading", { name: "Why cents add up" })).toBeVisible();
  await expect(page.locator("#body p")).toHaveCount(3);
  await expect(page.locator("#body")).toContainText(evil);
  await expect(page.locator("#body img")).toHaveCount(0);
  expect(await page.evaluate(() => "__TAURI_INTERNALS__" in window)).toBe(false);
  expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  await page.screenshot({ path: "test-results/screens/reader.png", fullPage: true });
  expect(errors).toEqual([]);
});
