import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import type { MockConfig, MockHandle } from "./mock/types";

const MOCK = resolve(import.meta.dirname, ".build/mock.js");
const SHOTS = resolve(import.meta.dirname, "../test-results/screens");

declare global {
  interface Window {
    __CENTIME_MOCK_CONFIG__?: MockConfig;
    __centime: MockHandle;
  }
}

export interface App {
  page: Page;
  /** Loads the built app with the fake backend in this state. */
  open: (config?: MockConfig, path?: string) => Promise<void>;
  calls: (cmd: string) => Promise<unknown[]>;
  emit: (event: string, payload: unknown) => Promise<void>;
  shot: (name: string) => Promise<void>;
}

export const test = base.extend<{ app: App }>({
  app: async ({ page }, use) => {
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || /Content Security Policy/i.test(m.text())) {
        problems.push(`console ${m.type()}: ${m.text()}`);
      }
    });
    const app: App = {
      page,
      open: async (config = {}, path = "/") => {
        await page.addInitScript((c) => {
          window.__CENTIME_MOCK_CONFIG__ = c;
        }, config);
        await page.addInitScript({ path: MOCK });
        await page.goto(path);
      },
      calls: (cmd) =>
        page.evaluate(
          (c) => window.__centime.calls.filter((x) => x.cmd === c).map((x) => x.args),
          cmd,
        ),
      emit: (event, payload) =>
        page.evaluate(([e, p]) => window.__centime.emit(e as string, p), [event, payload]),
      shot: async (name) => {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
      },
    };
    await use(app);
    expect(problems, "no page errors, console errors or CSP violations").toEqual([]);
  },
});

export { expect };
