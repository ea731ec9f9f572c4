import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { SCREENS, type Screen } from "../src/screens/screens";
import { expect, test } from "./fixtures";

// WCAG contrast of the colours the browser actually computes, in both themes: the boundaries
// and states of controls (1.4.11, at least 3:1) and text (1.4.3, at least 4.5:1). axe-core
// checks text but not the boundaries of controls, which is where this app fell short.

type Rgba = [number, number, number, number];

function parse(css: string): Rgba {
  const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
  if (!m?.[1]) throw new Error(`not an rgb() colour: ${css}`);
  const [r = 0, g = 0, b = 0, a = 1] = m[1].split(/[\s,/]+/).map(Number);
  return [r, g, b, a];
}

/** `top` painted over the opaque `under`. */
function over(top: Rgba, under: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => (top[i] ?? 0) * a + (under[i] ?? 0) * (1 - a)).concat(1) as Rgba;
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function ratio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The opaque colour behind an element: its own background and its ancestors', composited. */
async function backdrop(el: Locator): Promise<Rgba> {
  const layers = await el.evaluate((node) => {
    const out: string[] = [];
    for (let n: Element | null = node; n; n = n.parentElement) {
      out.push(getComputedStyle(n).backgroundColor);
    }
    return out;
  });
  let c: Rgba = [255, 255, 255, 1];
  for (const l of layers.reverse()) c = over(parse(l), c);
  return c;
}

async function style(el: Locator, prop: string, pseudo?: string): Promise<Rgba> {
  const v = await el.evaluate(
    (node, [p, ps]) => getComputedStyle(node, ps || null).getPropertyValue(p as string),
    [prop, pseudo ?? ""],
  );
  return parse(v);
}

/** A colour of the theme, resolved by the browser (as Chart.js reads it for the charts). */
async function themeColour(page: Page, name: string): Promise<Rgba> {
  const v = await page.evaluate((n) => {
    const probe = document.createElement("span");
    probe.style.color = `var(${n})`;
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  }, name);
  return parse(v);
}

async function go(page: Page, screen: Screen) {
  await page.locator(".sidebar li").nth(SCREENS.indexOf(screen)).getByRole("button").click();
  await expect(page.locator("main")).toHaveAttribute("data-screen", screen);
}

interface Figure {
  what: string;
  ratio: number;
  min: 3 | 4.5;
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`contrast, ${colorScheme}`, () => {
    // No transition: the switch is measured right after it flips.
    test.use({ colorScheme, reducedMotion: "reduce" });
    test("controls at least 3:1, text at least 4.5:1", async ({ app }) => {
      const { page } = app;
      const figures: Figure[] = [];
      const control = (what: string, a: Rgba, b: Rgba) =>
        figures.push({ what, ratio: ratio(a, b), min: 3 });
      const text = async (what: string, el: Locator) => {
        await expect(el).toBeVisible();
        const fg = await style(el, "color");
        figures.push({
          what,
          ratio: ratio(over(fg, await backdrop(el)), await backdrop(el)),
          min: 4.5,
        });
      };
      const border = async (what: string, field: Locator) => {
        await expect(field).toBeVisible();
        const outside = await backdrop(field.locator(".."));
        control(what, await style(field, "border-top-color"), outside);
      };

      await app.open({ balance: "3.20", entries: 200 });
      const sw = page.getByRole("switch");
      await expect(sw).toHaveAttribute("aria-checked", "false");
      const track = sw.locator(".switch-track");
      const behind = await backdrop(sw);
      control(
        "switch track, off, against the page",
        await style(track, "background-color"),
        behind,
      );
      control(
        "switch thumb, off, against its track",
        await style(sw.locator(".switch-thumb"), "background-color"),
        await style(track, "background-color"),
      );
      await text("muted text on a card", page.locator(".card .muted").first());
      await text("card heading label", page.locator(".label").first());
      await text("nav item, current", page.locator(".nav-item[aria-current=page]"));
      await text("primary button", page.locator(".button-primary").first());
      await sw.click();
      await expect(sw).toHaveAttribute("aria-checked", "true");
      control("switch track, on, against the page", await style(track, "background-color"), behind);
      control(
        "switch thumb, on, against its track",
        await style(sw.locator(".switch-thumb"), "background-color"),
        await style(track, "background-color"),
      );
      await text("warning note", page.locator(".note-warn p").first());

      await go(page, "open");
      const url = page.locator("input[type=url]");
      await border("text field border", url);
      figures.push({
        what: "placeholder text",
        ratio: ratio(
          over(await style(url, "color", "::placeholder"), await backdrop(url)),
          await backdrop(url),
        ),
        min: 4.5,
      });
      await text("lead text on the page", page.locator(".lead").first());
      await url.focus();
      await page.keyboard.press("Tab");
      const button = page.locator("form .button-primary");
      await expect(button).toBeFocused();
      control("focus ring on the page", await style(button, "outline-color"), behind);
      control(
        "focus ring on a card",
        await style(button, "outline-color"),
        await backdrop(page.locator(".card").first()),
      );

      await go(page, "topup");
      await border("select border", page.locator("select").first());
      await border("text area border", page.locator("textarea"));
      await text("field hint", page.locator(".hint").first());

      await go(page, "history");
      const search = page.locator("input[type=search]");
      await border("search field border", search);
      await border("date-range select border", page.locator(".filters select").first());
      await border("history list border", page.getByRole("listbox"));
      await text("history row, secondary line", page.locator(".hrow-sub").first());
      await text("status badge", page.locator(".hrow .badge").first());

      await go(page, "sites");
      await text("site badge", page.locator(".site .badge").first());
      await text("button text on a card", page.locator(".site .actions button").first());

      await go(page, "insights");
      const card = await backdrop(page.locator("[data-chart]").first());
      const spent = await themeColour(page, "--chart-1");
      const allowance = await themeColour(page, "--chart-2");
      control("chart: spent bar against allowance bar", spent, allowance);
      control("chart: spent bar against the card", spent, card);
      control("chart: allowance bar against the card", allowance, card);

      const report = figures.map((f) => ({ ...f, ratio: Math.floor(f.ratio * 100) / 100 }));
      const dir = resolve(import.meta.dirname, "../test-results");
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/contrast-${colorScheme}.json`, JSON.stringify(report, null, 2));
      console.log(
        report
          .map((f) => `${colorScheme}: ${f.ratio.toFixed(2)}:1 (≥ ${f.min}) ${f.what}`)
          .join("\n"),
      );
      expect(report.filter((f) => f.ratio < f.min)).toEqual([]);
    });
  });
}
