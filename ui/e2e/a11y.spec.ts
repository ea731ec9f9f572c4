import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { encodeBase64Url } from "../src/reader/page";
import { SCREENS, type Screen } from "../src/screens/screens";
import { expect, test, type App } from "./fixtures";

// axe-core (WCAG 2.0/2.1 A and AA, plus its best practices) on every screen state and the
// paid-page reader window, in both languages and both themes: any violation, whatever its
// impact, fails the test.

/** Goes to a screen through the sidebar, by position: the same code for every language. */
async function go(page: Page, screen: Screen) {
  await page.locator(".sidebar li").nth(SCREENS.indexOf(screen)).getByRole("button").click();
  await expect(page.locator("main")).toHaveAttribute("data-screen", screen);
}

async function raisePrompt(page: Page, url: string) {
  await page.evaluate((u) => {
    window.__centime.emit("payment-prompt", window.__centime.makePrompt(u));
  }, url);
  await expect(page.getByRole("dialog")).toBeVisible();
}

interface State {
  name: string;
  reach: (app: App) => Promise<void>;
}

const STATES: State[] = [
  {
    name: "onboarding",
    reach: async (app) => {
      await app.open({ state: "no_wallet" });
      await expect(app.page.getByRole("radio").first()).toBeVisible();
    },
  },
  {
    name: "onboarding, no keyring, failed submit",
    reach: async (app) => {
      await app.open({ state: "no_wallet", osKeyringAvailable: false });
      await app.page.locator("input[type=password]").first().fill("short");
      await app.page.locator("button[type=submit]").click();
      await expect(app.page.locator(".field-error")).toBeVisible();
    },
  },
  {
    name: "unlock, wrong passphrase",
    reach: async (app) => {
      await app.open({ state: "locked" });
      await app.page.locator("input[type=password]").fill("nope nope");
      await app.page.keyboard.press("Enter");
      await expect(app.page.getByRole("alert")).toBeVisible();
    },
  },
  {
    name: "dashboard, paused, unconfirmed, integrity warning",
    reach: async (app) => {
      await app.open({
        balance: "3.20",
        unconfirmed: true,
        integrityWarning: "The journal does not match its seal.",
      });
      await expect(app.page.getByTestId("balance-EUR")).toBeVisible();
      await app.page.getByRole("switch").click();
      await expect(app.page.getByRole("switch")).toHaveAttribute("aria-checked", "true");
    },
  },
  {
    name: "dashboard, empty wallet",
    reach: async (app) => {
      await app.open({ balance: "0", demo: false });
      await expect(app.page.getByRole("switch")).toBeVisible();
    },
  },
  {
    name: "history",
    reach: async (app) => {
      await app.open({ balance: "3", entries: 300 });
      await go(app.page, "history");
      await expect(app.page.getByRole("listbox").getByRole("option").first()).toContainText("€");
      await app.page.getByRole("listbox").focus();
      await app.page.keyboard.press("ArrowDown");
    },
  },
  {
    name: "history, custom range with no match",
    reach: async (app) => {
      await app.open({ balance: "3", entries: 30 });
      await go(app.page, "history");
      await app.page.locator(".filters select").first().selectOption("custom");
      await app.page.locator("input[type=date]").first().fill("2020-01-01");
      await app.page.locator("input[type=date]").nth(1).fill("2020-01-31");
      await expect(app.page.getByRole("listbox")).toHaveCount(0);
    },
  },
  {
    name: "entry details",
    reach: async (app) => {
      await app.open({ balance: "3", entries: 30 });
      await go(app.page, "history");
      await app.page.getByRole("listbox").getByRole("option").first().click();
      await expect(app.page.getByRole("dialog").locator(".doc").first()).toBeVisible();
      await app.page.getByRole("dialog").locator("details summary").first().click();
    },
  },
  {
    name: "insights, tables shown",
    reach: async (app) => {
      await app.open({ balance: "3", entries: 400 });
      await go(app.page, "insights");
      const toggles = app.page.locator("[data-chart] button");
      await expect(toggles.first()).toBeVisible();
      for (let i = 0; i < (await toggles.count()); i++) await toggles.nth(i).click();
      await expect(app.page.locator(".table-wrap").first()).toBeVisible();
    },
  },
  {
    name: "top up, done",
    reach: async (app) => {
      await app.open({ balance: "1" });
      await go(app.page, "topup");
      await app.page.locator("input[inputmode=decimal]").fill("5");
      await app.page.locator("form button[type=submit]").first().click();
      await expect(app.page.locator(".note-ok")).toBeVisible();
    },
  },
  {
    name: "top up, errors",
    reach: async (app) => {
      await app.open({ balance: "1" });
      await go(app.page, "topup");
      await app.page.locator("form button[type=submit]").first().click();
      await app.page.locator("textarea").fill("not a credit");
      await app.page.locator("form button[type=submit]").nth(1).click();
      await expect(app.page.getByRole("alert")).toBeVisible();
    },
  },
  {
    name: "open a page, refused address",
    reach: async (app) => {
      await app.open({ balance: "1" });
      await go(app.page, "open");
      await app.page.locator("input[type=url]").fill("ftp://x");
      await app.page.locator("form button[type=submit]").click();
      await expect(app.page.getByRole("alert")).toBeVisible();
    },
  },
  {
    name: "sites, editing one, confirming a removal",
    reach: async (app) => {
      await app.open({ balance: "1" });
      await go(app.page, "sites");
      const cards = app.page.locator(".site");
      await cards.first().locator(".actions button").first().click();
      await expect(cards.first().locator("form")).toBeVisible();
      await cards.nth(1).locator(".actions button").nth(2).click();
      await expect(cards.nth(1).locator(".button-danger")).toBeVisible();
    },
  },
  {
    name: "settings",
    reach: async (app) => {
      await app.open({ balance: "1" });
      await go(app.page, "settings");
      await expect(app.page.locator(".issuer")).toBeVisible();
    },
  },
  {
    name: "prompt, always allow",
    reach: async (app) => {
      await app.open({ balance: "3.20" });
      await expect(app.page.getByTestId("balance-EUR")).toBeVisible();
      await raisePrompt(app.page, "https://news.example/allowance/why-cents");
      await app.page.getByRole("dialog").getByRole("checkbox").check();
      await expect(app.page.getByRole("dialog").locator(".button-primary")).toBeEnabled({
        timeout: 3000,
      });
    },
  },
  {
    name: "prompt, refused over plain HTTP, two waiting",
    reach: async (app) => {
      await app.open({ balance: "3.20" });
      await expect(app.page.getByTestId("balance-EUR")).toBeVisible();
      await raisePrompt(app.page, "http://blog.example/refuse");
      await raisePrompt(app.page, "http://blog.example/refuse-2");
      await raisePrompt(app.page, "https://news.example/a");
      await expect(app.page.locator(".prompt-more")).toBeVisible();
    },
  },
  {
    name: "notifications",
    reach: async (app) => {
      await app.open({ balance: "3.20" });
      await expect(app.page.getByTestId("balance-EUR")).toBeVisible();
      await raisePrompt(app.page, "https://news.example/a");
      await app.page.keyboard.press("Escape");
      await expect(app.page.locator(".toast")).toBeVisible();
    },
  },
  {
    name: "reader window",
    reach: async (app) => {
      const page = {
        title: "Why cents add up",
        text: "One.\n\nTwo.",
        url: "https://news.example/a",
      };
      await app.page.goto(`/reader.html#${encodeBase64Url(JSON.stringify(page))}`);
      await expect(app.page.getByRole("heading", { name: "Why cents add up" })).toBeVisible();
    },
  },
];

for (const locale of ["en-US", "fr-FR"]) {
  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`axe, ${locale}, ${colorScheme}`, () => {
      test.use({ locale, colorScheme });
      for (const state of STATES) {
        test(state.name, async ({ app }) => {
          await state.reach(app);
          const result = await new AxeBuilder({ page: app.page })
            .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
            .analyze();
          const found = result.violations.map((v) => ({
            rule: v.id,
            impact: v.impact,
            nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
          }));
          expect(found).toEqual([]);
        });
      }
    });
  }
}
