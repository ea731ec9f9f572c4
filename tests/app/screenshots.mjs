// Screenshots of every screen of the real app (WebDriver screenshots of each window's web view),
// in English and French, light and dark: docs/screenshots/<screen>-<locale>-<theme>.png.
// Run through tests/app/run.sh screenshots.mjs (see scripts/screenshots.sh).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  pressPay,
  DEMO,
  button,
  check,
  click,
  fill,
  gone,
  installErrorHook,
  pageErrors,
  payLinkFor,
  secondInstance,
  shown,
  sleep,
  startApp,
  step,
  switchToWindow,
  textOf,
} from "./lib.mjs";

const OUT = resolve(process.argv[2] ?? resolve(import.meta.dirname, "../../docs/screenshots"));
mkdirSync(OUT, { recursive: true });
const DIALOG = "//dialog[@open]";
const VARIANTS = [
  { locale: "en", theme: "light" },
  { locale: "en", theme: "dark" },
  { locale: "fr", theme: "light" },
  { locale: "fr", theme: "dark" },
];
const SCREENS = ["dashboard", "history", "insights", "topup", "open", "sites", "settings"];
const shots = [];
const SEED_PASSPHRASE = "screenshots passphrase";

let browser = await startApp();
let failed = false;

async function shot(name, { composited = false } = {}) {
  await sleep(250); // let transitions and fonts settle
  const file = `${OUT}/${name}.png`;
  if (composited) {
    // The reader window keeps WebKitGTK's compositing: WebDriver's screenshot works there,
    // and the X server may not have its pixels yet.
    writeFileSync(file, Buffer.from(await browser.takeScreenshot(), "base64"));
  } else {
    // The X server's pixels of the main window (ImageMagick's import): WebDriver's own
    // screenshot never answers once a window draws without the GPU (WebKitGTK's snapshot
    // waits for a compositor that is off).
    const { x, y, width, height } = await browser.getWindowRect();
    execFileSync("import", ["-window", "root", "-crop", `${width}x${height}+${x}+${y}`, "+repage", file]);
  }
  shots.push(name);
  console.log(`  shot ${name}.png`);
}

async function setPrefs({ locale, theme }) {
  await browser.execute(
    (l, t) => {
      localStorage.setItem("centime.locale", l);
      localStorage.setItem("centime.theme", t);
      window.__centimeReloading = true;
      setTimeout(() => location.reload(), 0);
    },
    locale,
    theme,
  );
  await browser.waitUntil(
    async () =>
      browser
        .execute(
          (l, t) =>
            !window.__centimeReloading &&
            document.documentElement.lang === l &&
            document.documentElement.dataset.theme === t &&
            document.querySelector("h1") !== null,
          locale,
          theme,
        )
        .catch(() => false),
    { timeout: 15_000, timeoutMsg: `the app did not come back in ${locale}/${theme}` },
  );
  await installErrorHook(browser);
}

const navTo = async (screen) => {
  await click(browser, `(//nav//button[contains(@class, "nav-item")])[${SCREENS.indexOf(screen) + 1}]`);
  await sleep(150);
};
const tag = (v) => `${v.locale}-${v.theme}`;

async function openTyped(url) {
  await navTo("open");
  const input = await shown(browser, `//main//form//input[@type="url" or @type="text"]`);
  await input.clearValue();
  await input.setValue(url);
  await click(browser, `//main//form//button[@type="submit"]`);
}

try {
  const main = await browser.getWindowHandle();
  await shown(browser, "//h1", 30_000);

  step("onboarding");
  for (const v of VARIANTS) {
    await setPrefs(v);
    await shown(browser, `//button[@type="submit"]`);
    await shot(`onboarding-${tag(v)}`);
  }
  await setPrefs(VARIANTS[0]);
  await button(browser, "Create my wallet");
  await shown(browser, `//*[@data-testid]|//h1[normalize-space(.)="Your wallet"]`, 30_000);

  step("top-up (English, light, with its confirmation)");
  await navTo("topup");
  await fill(browser, "Amount", "5");
  await click(browser, `//main//form//button[normalize-space(.)="Top up"]`);
  await textOf(browser, `//main//*[@role="status"]`, "Your balance is now €5.00.", 30_000);
  await shot(`topup-done-${tag(VARIANTS[0])}`);

  step("approval prompts, one per variant (declined but the first)");
  const pages = [
    "the-page-is-the-unit/1",
    "a-penny-for-a-letter/1",
    "four-hundred-and-two/1",
    "tokens-meters-and-coin-slots/1",
  ];
  for (const [i, v] of VARIANTS.entries()) {
    await setPrefs(v);
    await openTyped(`${DEMO}/articles/${pages[i]}`);
    const pay = await shown(browser, `${DIALOG}//button[contains(@class, "button-primary")]`, 30_000);
    await shot(`prompt-arming-${tag(v)}`);
    await browser.waitUntil(async () => pay.isEnabled(), { timeout: 5000 });
    await shot(`prompt-${tag(v)}`);
    if (i === 0) {
      await pressPay(browser, pay);
      await gone(browser, DIALOG, 30_000);
      await switchToWindow(browser, /reader\.html/);
      await shown(browser, "//h1", 10_000);
      await shot("reader", { composited: true });
      await browser.switchToWindow(main);
    } else {
      await click(browser, `${DIALOG}//footer//button[not(contains(@class, "button-primary"))]`);
      await gone(browser, DIALOG);
    }
  }

  step("always allow, then an automatic payment");
  await setPrefs(VARIANTS[0]);
  await openTyped(`${DEMO}/articles/the-page-is-the-unit/2`);
  await click(browser, `${DIALOG}//label[contains(., "Always allow this site up to")]//input[@type="checkbox"]`);
  await fill(browser, "Allowance", "1,00", DIALOG);
  const pay2 = await shown(browser, `${DIALOG}//button[contains(@class, "button-primary")]`);
  await browser.waitUntil(async () => pay2.isEnabled(), { timeout: 5000 });
  await shot(`prompt-always-allow-${tag(VARIANTS[0])}`);
  await pressPay(browser, pay2);
  await gone(browser, DIALOG, 30_000);
  await browser.switchToWindow(main);
  await openTyped(`${DEMO}/articles/the-page-is-the-unit/3`);
  await textOf(browser, `//*[@data-testid="open-outcome"]`, "automatically", 30_000);
  await shot(`open-paid-automatically-${tag(VARIANTS[0])}`);

  step("a refused link");
  const link = (await payLinkFor(`${DEMO}/articles/a-penny-for-a-letter/2`)).replace(
    /req=([^&]+)/,
    (_, req) => {
      const json = JSON.parse(Buffer.from(req, "base64url").toString());
      json.accepts[0].amount = "3"; // a price the site does not confirm
      return `req=${Buffer.from(JSON.stringify(json)).toString("base64url")}`;
    },
  );
  await navTo("dashboard");
  await secondInstance([link]);
  await shown(browser, `//main//*[@role="alert"]`, 30_000);
  await shot(`link-refused-${tag(VARIANTS[0])}`);

  step("every screen in every variant");
  for (const v of VARIANTS) {
    await setPrefs(v);
    // History and insights are taken below, on a generated wallet with more to show.
    for (const s of SCREENS.filter((x) => x !== "history" && x !== "insights")) {
      await navTo(s);
      if (s === "dashboard") await shown(browser, `//*[@data-testid="balance-EUR"]`);
      if (s === "sites" || s === "settings") await shown(browser, `//main//*[contains(@class, "card")]`, 10_000);
      await shot(`${s}-${tag(v)}`);
    }
  }
  const errors = await pageErrors(browser);
  check(errors.length === 0, `no page errors (${JSON.stringify(errors)})`);

  step("history, details and insights on a generated wallet (centime dev seed)");
  await browser.deleteSession();
  const data = process.env.CENTIME_DATA_DIR;
  const cli = (args) =>
    execFileSync(process.env.CENTIME_CLI_BIN, ["--data-dir", data, "--keystore", "file", ...args], {
      env: { ...process.env, CENTIME_PASSPHRASE: SEED_PASSPHRASE },
      stdio: ["ignore", "pipe", "ignore"],
      encoding: "utf8",
    });
  if (existsSync(data)) renameSync(data, `${data}.before-seed`);
  cli(["init"]);
  cli(["dev", "seed", "--entries", "20000", "--sites", "12", "--months", "6"]);
  browser = await startApp();
  await shown(browser, "//h1", 30_000);
  const pass = await shown(browser, `//input[@type="password"]`);
  await pass.setValue(SEED_PASSPHRASE);
  await click(browser, `//main//form//button[@type="submit"]`);
  await shown(browser, `//*[@data-testid="balance-EUR"]`, 30_000);
  for (const v of VARIANTS) {
    await setPrefs(v);
    await navTo("history");
    await shown(browser, `//*[@role="option"][not(@aria-busy)]`, 30_000);
    await shot(`history-${tag(v)}`);
    const status = await shown(browser, `(//main//select)[last()]`);
    await status.selectByAttribute("value", "rejected");
    await shown(browser, `//*[@role="option"][contains(., "€")][not(@aria-busy)]`, 30_000);
    await sleep(300);
    await click(browser, `(//*[@role="option"])[1]`);
    await shown(browser, `//dialog[@open]//*[@data-testid="compensation"]`, 30_000);
    await shown(browser, `//dialog[@open]//table`, 30_000);
    await shot(`details-${tag(v)}`);
    await browser.keys(["Escape"]);
    await gone(browser, "//dialog[@open]");
    await navTo("insights");
    await shown(browser, `//main//canvas`, 30_000);
    await sleep(500);
    await shot(`insights-${tag(v)}`);
  }
  const errors2 = await pageErrors(browser);
  check(errors2.length === 0, `no page errors on the generated wallet (${JSON.stringify(errors2)})`);
  writeFileSync(`${OUT}/README.md`, readme());
  console.log(`${shots.length} screenshots in ${OUT}`);
} catch (e) {
  failed = true;
  console.error(`screenshots FAILED: ${e.stack ?? e}`);
  await browser.saveScreenshot(`${OUT}/_failure.png`).catch(() => {});
} finally {
  await browser.deleteSession().catch(() => {});
}
process.exit(failed ? 1 : 0);

function readme() {
  return `# Screenshots of the real app

Taken by \`make screenshots\` (scripts/screenshots.sh → tests/app/run.sh screenshots.mjs): the
Centime desktop app built with its embedded front end, under Xvfb, against a local
\`centime-demo\`, driven over WebDriver (tauri-driver + WebKitWebDriver), each window captured
from the X server (no window decorations: there is no window manager under Xvfb). History,
details and insights show a wallet made by \`centime dev seed\` (20,000 entries, 12 sites).

Names are \`<screen>-<locale>-<theme>.png\`.

${shots.map((s) => `- [${s}](${s}.png)`).join("\n")}
`;
}
