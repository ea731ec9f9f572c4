// The real app on a generated wallet: `centime dev seed` makes a wallet of
// CENTIME_E2E_ENTRIES entries (see ENTRIES below) over 300 sites, kept in a file keystore and
// cached between runs (the cache is keyed by the seed generator's version and the newest
// migration). Then the app: unlock, History,
// filter by one site, scroll (End) to the last row of the filtered list, export it as CSV
// through the system's save dialog (typed into with xdotool), and compare the file's row count
// and total with `centime history --all --json` for the same filter.
//
// Run through tests/app/run.sh history.mjs (part of `make test`: run.sh runs it after flow.mjs).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  check,
  click,
  env,
  equal,
  fill,
  installErrorHook,
  nav,
  pageErrors,
  shown,
  sleep,
  startApp,
  step,
  textOf,
} from "./lib.mjs";

const CLI = env("CENTIME_CLI_BIN");
const DATA = env("CENTIME_DATA_DIR");
const CACHE = env("CENTIME_E2E_CACHE");
const SITES = 300;
const root = join(import.meta.dirname, "../..");
const PASSPHRASE = "e2e seeded wallet passphrase";

/** An exact decimal string as an integer count of millionths. */
function micros(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(String(s).trim());
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(s)}`);
  const v = BigInt(m[2]) * 1_000_000n + BigInt((m[3] ?? "").padEnd(6, "0"));
  return m[1] ? -v : v;
}

function cli(args, dataDir = DATA) {
  return execFileSync(CLI, ["--data-dir", dataDir, "--keystore", "file", ...args], {
    env: { ...process.env, CENTIME_PASSPHRASE: PASSPHRASE },
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Where the seeded wallet of `entries` entries is cached, for this generator and schema. */
function cacheDir(entries) {
  const version = /SEED_VERSION: u32 = (\d+)/.exec(readFileSync(join(root, "crates/core/src/seed.rs"), "utf8"))?.[1];
  const migration = readdirSync(join(root, "crates/core/migrations")).sort().at(-1)?.replace(/\.sql$/, "");
  return join(CACHE, `seeded-v${version}-${migration}-${entries}x${SITES}`);
}

// A million entries (the figure) when such a wallet is cached or asked for; seeding one
// takes 10 to 20 minutes on two busy cores, so a cold `make test` seeds 200,000 instead (about
// 3 minutes) and says so. CENTIME_E2E_ENTRIES=1000000 makes (and caches) the million.
const ENTRIES = Number(
  process.env.CENTIME_E2E_ENTRIES ?? (existsSync(join(cacheDir(1_000_000), "wallet.sqlite3")) ? 1_000_000 : 200_000),
);
if (ENTRIES !== 1_000_000) console.log(`  NOTE: ${ENTRIES} entries, not 1,000,000 (set CENTIME_E2E_ENTRIES=1000000)`);

/** The cached seeded wallet, made when missing. */
function seededWallet() {
  const dir = cacheDir(ENTRIES);
  if (existsSync(join(dir, "wallet.sqlite3"))) {
    console.log(`  using the cached wallet ${dir}`);
    return dir;
  }
  // Several runs may seed at once (agents share a machine): each in its own directory, and
  // the first to finish is kept.
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const started = Date.now();
  cli(["init"], tmp);
  const r = spawnSync(CLI, ["--data-dir", tmp, "--keystore", "file", "dev", "seed", "--entries", String(ENTRIES), "--sites", String(SITES)], {
    env: { ...process.env, CENTIME_PASSPHRASE: PASSPHRASE },
    stdio: ["ignore", "inherit", "ignore"],
  });
  if (r.status !== 0) throw new Error(`centime dev seed failed (${r.status})`);
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, dir);
  console.log(`  seeded ${ENTRIES} entries in ${Math.round((Date.now() - started) / 1000)} s into ${dir}`);
  return dir;
}

const started = Date.now();
let browser = null;
let failed = false;
try {
  step(`a generated wallet of ${ENTRIES.toLocaleString("en-GB")} entries over ${SITES} sites`);
  const cached = seededWallet();
  if (existsSync(DATA)) renameSync(DATA, `${DATA}.before-history-${Date.now()}`);
  cpSync(cached, DATA, { recursive: true });
  const site = JSON.parse(cli(["--json", "history", "--kind", "payment", "--limit", "1"])).entries[0].site;
  const expected = JSON.parse(cli(["--json", "history", "--all", "--site", site]));
  const total = expected.total;
  const sum = micros(expected.sums.find((s) => s.asset === "EUR")?.amount ?? "0");
  const oldest = expected.entries.at(-1);
  equal(expected.entries.length, total, `centime history --all lists ${total} entries for ${site}`);
  check(total > 100, `the site has enough entries to scroll (${total})`);

  step("unlock the wallet, open the history");
  browser = await startApp();
  await shown(browser, `//h1[normalize-space(.)="Unlock your wallet"]`, 60_000);
  await installErrorHook(browser);
  await fill(browser, "Passphrase", PASSPHRASE);
  const tUnlock = Date.now();
  await click(browser, `//main//form//button[@type="submit"]`);
  // The file keystore derives its key from the passphrase (PBKDF2) before the wallet opens.
  await shown(browser, `//h1[normalize-space(.)="Your wallet"]`, 600_000);
  console.log(`  unlocked in ${Date.now() - tUnlock} ms`);
  await nav(browser, "History");
  const all = await textOf(browser, `//*[@data-testid="history-count"]`, / entries$/, 60_000);
  equal(all, `${ENTRIES.toLocaleString("en-GB")} entries`, "the history counts every entry");
  await shown(browser, `//*[@role="listbox"]//*[@role="option" and not(@aria-busy)]`, 30_000);

  step(`filter by ${site}`);
  const t0 = Date.now();
  const select = await shown(browser, `//label[normalize-space(.)="Site"]/following-sibling::select`);
  await select.selectByAttribute("value", site);
  await textOf(browser, `//*[@data-testid="history-count"]`, `${total.toLocaleString("en-GB")} entries`, 60_000);
  console.log(`  filtered in ${Date.now() - t0} ms`);
  const rows = await browser.$$(`//*[@role="listbox"]//*[@role="option"]`);
  check(rows.length > 0 && rows.length < 60, `only the rows in view are in the page (${rows.length})`);
  const texts = [];
  for (const r of rows) texts.push(await r.getProperty("textContent"));
  check(
    texts.every((t) => t.includes(site) || t === "Loading…"),
    `every row of the filtered list names the site (${texts.length} rows)`,
  );

  step("scroll to the end of the filtered list");
  const t1 = Date.now();
  const list = await shown(browser, `//*[@role="listbox"]`);
  await browser.execute((el) => el.focus(), list);
  await browser.keys(["End"]);
  const last = await shown(browser, `//*[@role="option"][@aria-posinset="${total}"][not(@aria-busy)]`, 60_000);
  console.log(`  reached row ${total} in ${Date.now() - t1} ms`);
  equal(await last.getAttribute("aria-selected"), "true", "End selects the last row");
  const lastText = await last.getText();
  check(lastText.includes(oldest.description), `the last row is the oldest entry (${oldest.description})`);

  step("export the filtered rows as CSV through the save dialog");
  const out = join(DATA, "..", `export-${Date.now()}`, "history.csv");
  mkdirSync(dirname(out), { recursive: true });
  await click(browser, `//button[normalize-space(.)="Export CSV"]`);
  // The GTK save dialog: its file-name field has the focus; a full path there is accepted.
  let typed = false;
  for (let i = 0; i < 50 && !typed; i++) {
    await sleep(200);
    const found = spawnSync("xdotool", ["search", "--name", "Export the history"], { encoding: "utf8" });
    const win = found.stdout.trim().split("\n").filter(Boolean).at(-1);
    if (found.status === 0 && win) {
      await sleep(500);
      spawnSync("xdotool", ["windowfocus", "--sync", win]);
      spawnSync("xdotool", ["key", "--window", win, "ctrl+a"]);
      spawnSync("xdotool", ["type", "--window", win, "--delay", "5", out]);
      spawnSync("xdotool", ["key", "--window", win, "Return"]);
      typed = true;
    }
  }
  check(typed, "the system's save dialog opened and took the path");
  const t2 = Date.now();
  await textOf(browser, `//*[@role="status"]`, `Exported ${total.toLocaleString("en-GB")} entries to ${out}.`, 120_000);
  console.log(`  exported in ${Date.now() - t2} ms`);
  const lines = readFileSync(out, "utf8").split("\n").filter(Boolean);
  equal(lines[0], "id,at,kind,status,amount,asset,network,site,resource,description,payment_id", "the CSV header");
  const body = lines.slice(1);
  equal(body.length, total, "the file has as many rows as centime history --all for the filter");
  // id, at, kind, status and amount are never quoted: the amount is the fifth field.
  const fileSum = body.reduce((acc, l) => acc + micros(l.split(",", 5)[4]), 0n);
  equal(fileSum.toString(), sum.toString(), "its amounts add up to centime history's total");
  check(!readdirSync(dirname(out)).some((f) => f.includes("centime-partial")), "no partial file is left beside it");

  const errors = await pageErrors(browser);
  check(errors.length === 0, `no page errors (${JSON.stringify(errors)})`);
  console.log(`history: all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (e) {
  failed = true;
  console.error(`history FAILED: ${e.stack ?? e}`);
  if (browser) await browser.saveScreenshot(join(env("CENTIME_E2E_WORK"), "history-failure.png")).catch(() => {});
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
}
process.exit(failed ? 1 : 0);
