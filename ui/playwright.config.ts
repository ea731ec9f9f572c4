import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (`npx playwright install` is not used here).
export const CHROMIUM = process.env.CENTIME_CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `Chromium not found at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium) ` +
      "or point CENTIME_CHROMIUM at a Chromium binary.",
  );
}

const PORT = Number(process.env.CENTIME_UI_PORT ?? 4179);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/playwright",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1100, height: 760 },
    locale: "en-US",
    colorScheme: "light",
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      // Playwright runs each launch on a fresh temporary --user-data-dir of its own.
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // The built front end (dist/), served with the app's CSP.
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
