// Cold start to a shown balance, and idle memory of all the app's processes.
// Run through tests/app/run.sh bench.mjs [RUNS] (see scripts/bench-app-start.sh).
//
// Method. A first WebDriver session creates a wallet in the OS keyring and tops it up; it ends
// (the app exits). Then RUNS times: a new WebDriver session starts a new app process on that
// wallet; the script polls the page every 10 ms (one WebDriver round trip each) until the
// balance element is displayed with its amount. The start time is the app process's own start
// time (/proc/PID/stat, field 22, in clock ticks since boot), the end time /proc/uptime when
// the balance was seen: "cold start" = process spawned → balance on screen, from the kernel's
// clock, so the driver's own start-up is not counted. (The file cache is warm: the binary and
// WebKit were read before; no caches are dropped on this shared machine.) The time from asking
// the driver for a session to the balance is reported too (it includes WebKitWebDriver).
// Then 5 s idle, and the PSS (proportional set size: shared pages split between the processes
// that map them) of the app process and all its descendants (WebKitWebProcess,
// WebKitNetworkProcess, …) is summed from /proc/PID/smaps_rollup. Median of the runs.
// Then, in the same session, the platform's floor: a bare WebKitGTK view (webkit_floor.py),
// and how far the app is above it (PSS of shared libraries depends on what else maps them, so
// the two figures compare only when taken together; ADR 13).
// CENTIME_BENCH_SMAPS_DIR=DIR keeps every process's /proc/PID/smaps, for a breakdown by mapping.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APP, button, click, fill, shown, sleep, startApp, textOf } from "./lib.mjs";

const RUNS = Number(process.argv[2] ?? 5);
const OUT = process.argv[3];
const SMAPS_DIR = process.env.CENTIME_BENCH_SMAPS_DIR;
const appPath = realpathSync(APP);
const TICK = 100; // USER_HZ on Linux

const uptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);

function stat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(rest[1]), start: Number(rest[19]), comm: s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")) };
}

function processes() {
  const list = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      list.push({ pid: Number(d), ...stat(d) });
    } catch {
      // gone
    }
  }
  return list;
}

function appPids() {
  return processes().filter((p) => {
    try {
      return realpathSync(`/proc/${p.pid}/exe`) === appPath;
    } catch {
      return false;
    }
  });
}

function tree(root) {
  const all = processes();
  const out = [all.find((p) => p.pid === root)].filter(Boolean);
  for (let i = 0; i < out.length; i++) out.push(...all.filter((p) => p.ppid === out[i].pid));
  return out;
}

function rollup(pid) {
  const kb = (k, txt) => Number((txt.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m")) ?? [0, 0])[1]);
  try {
    const txt = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    return { pss: kb("Pss", txt), rss: kb("Rss", txt) };
  } catch {
    return { pss: 0, rss: 0 };
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The wallet: created and topped up once.
{
  const b = await startApp();
  try {
    await shown(b, `//h1[normalize-space(.)="Welcome to Centime"]`, 30_000);
    await button(b, "Create my wallet");
    await shown(b, `//h1[normalize-space(.)="Your wallet"]`, 30_000);
    await click(b, `//nav//button[normalize-space(.)="Top up"]`);
    await fill(b, "Amount", "5");
    await click(b, `//main//form//button[normalize-space(.)="Top up"]`);
    await textOf(b, `//main//*[@role="status"]`, "Your balance is now €5.00.", 30_000);
  } finally {
    await b.deleteSession();
  }
  await sleep(1000);
}

const runs = [];
for (let i = 1; i <= RUNS; i++) {
  const before = new Set(appPids().map((p) => p.pid));
  const asked = performance.now();
  const b = await startApp();
  let seenAt = 0;
  try {
    for (;;) {
      const text = await b.execute(() => {
        const el = document.querySelector('[data-testid="balance-EUR"]');
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 ? el.textContent : null;
      });
      if (text) {
        seenAt = uptime();
        if (text !== "€5.00") throw new Error(`unexpected balance ${text}`);
        break;
      }
      if (performance.now() - asked > 60_000) throw new Error("no balance after 60 s");
      await sleep(10);
    }
    const sessionMs = performance.now() - asked;
    const app = appPids().find((p) => !before.has(p.pid));
    if (!app) throw new Error("the app process was not found");
    const startMs = (seenAt - app.start / TICK) * 1000;
    await sleep(5000);
    const procs = tree(app.pid).map((p) => ({ pid: p.pid, comm: p.comm, ...rollup(p.pid) }));
    if (SMAPS_DIR) {
      // For a breakdown by mapping (scripts/smaps-top.py): the full smaps of each process.
      for (const p of procs) {
        try {
          writeFileSync(`${SMAPS_DIR}/run${i}-${p.comm}-${p.pid}.smaps`, readFileSync(`/proc/${p.pid}/smaps`));
        } catch {
          // gone
        }
      }
    }
    const pss = procs.reduce((s, p) => s + p.pss, 0);
    const rss = procs.reduce((s, p) => s + p.rss, 0);
    runs.push({ startMs, sessionMs, pssMiB: pss / 1024, rssMiB: rss / 1024, procs });
    console.log(
      `run ${i}: spawn → balance ${startMs.toFixed(0)} ms (session request → balance ${sessionMs.toFixed(0)} ms); ` +
        `idle PSS ${(pss / 1024).toFixed(1)} MiB over ${procs.length} processes (` +
        procs.map((p) => `${p.comm} ${(p.pss / 1024).toFixed(1)}`).join(", ") +
        `); RSS sum ${(rss / 1024).toFixed(1)} MiB`,
    );
  } finally {
    await b.deleteSession();
  }
  await sleep(1000);
}

// The platform's floor, in the same session: a bare WebKitGTK view (webkit_floor.py).
const floorOut = execFileSync("/usr/bin/python3", [join(dirname(fileURLToPath(import.meta.url)), "webkit_floor.py"), "5"], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const floorRaw = JSON.parse(floorOut.trim().split("\n").at(-1));
const floorPss = floorRaw.processes.reduce((s, p) => s + p.pssKiB, 0);
const floor = {
  webkit: floorRaw.webkit,
  pssMiB: Number((floorPss / 1024).toFixed(1)),
  pssMiBWithoutInterpreter: Number(((floorPss - floorRaw.interpreterPssKiB) / 1024).toFixed(1)),
  processes: floorRaw.processes.map((p) => ({ comm: p.comm, pssMiB: Number((p.pssKiB / 1024).toFixed(1)) })),
};
console.log(
  `floor (bare WebKitGTK view, 5 s idle): ${floor.pssMiB} MiB (` +
    floor.processes.map((p) => `${p.comm} ${p.pssMiB}`).join(", ") +
    `), ${floor.pssMiBWithoutInterpreter} MiB without the Python interpreter's own pages`,
);

const summary = {
  runs: RUNS,
  startMsMedian: median(runs.map((r) => r.startMs)),
  sessionMsMedian: median(runs.map((r) => r.sessionMs)),
  pssMiBMedian: median(runs.map((r) => r.pssMiB)),
  rssMiBMedian: median(runs.map((r) => r.rssMiB)),
  startMs: runs.map((r) => Math.round(r.startMs)),
  pssMiB: runs.map((r) => Number(r.pssMiB.toFixed(1))),
  processes: runs.at(-1).procs.map((p) => ({ comm: p.comm, pssMiB: Number((p.pss / 1024).toFixed(1)) })),
  floor,
  overFloorMiB: Number((median(runs.map((r) => r.pssMiB)) - floor.pssMiBWithoutInterpreter).toFixed(1)),
};
console.log(JSON.stringify(summary, null, 2));
if (OUT) writeFileSync(OUT, JSON.stringify(summary, null, 2));
