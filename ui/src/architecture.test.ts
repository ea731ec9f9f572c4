import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const root = import.meta.dirname;

it("only src/lib/backend/ imports @tauri-apps/*", () => {
  const offenders = sources(root)
    .filter((f) => !relative(root, f).startsWith(join("lib", "backend")))
    .filter((f) => /from\s+["']@tauri-apps\//.test(readFileSync(f, "utf8")));
  expect(offenders).toEqual([]);
});

it("the reader imports nothing that can reach IPC", () => {
  for (const f of sources(join(root, "reader"))) {
    const src = readFileSync(f, "utf8");
    expect(src, f).not.toMatch(/@tauri-apps|lib\/backend|lib\/wallet/);
  }
});

// A money value turned into a float: parseFloat anywhere, or Number(), parseInt() or a unary
// plus over anything named like money (`Number(d.amount)`, `+site.budget`, `Number(t?.spent)`).
const MONEY_AS_NUMBER =
  /parseFloat|(\bNumber|\bparseInt|(^|[^\w\s)\]+])\s*\+)\s*\(?\s*[\w$.?![\]"'`]*(amount|price|balance|budget|spent|cap\b|left|held|total|remaining)/im;

it("the money guard catches money turned into numbers", () => {
  for (const sample of [
    "const x = Number(d.amount);",
    "const x = Number(amount);",
    "Number( props.entry?.amount )",
    "parseInt(site.budget, 10)",
    "const y = +limits.dailyCap;",
    "total += Number(t.spent);",
    "parseFloat(s)",
    'Number(row["balance"])',
  ]) {
    expect(sample).toMatch(MONEY_AS_NUMBER);
  }
  for (const sample of [
    "Number(m[1])",
    "const n = a + b.amount.length;",
    "formatMoney(d.amount)",
    "count + 1",
  ]) {
    expect(sample).not.toMatch(MONEY_AS_NUMBER);
  }
});

it("money is never parsed into a JS number", () => {
  // lib/chartGeometry.ts is the one exception, for drawing (see its header).
  const exempt = join("lib", "chartGeometry.ts");
  for (const f of sources(root).filter((f) => !f.includes(".test.") && !f.endsWith(exempt))) {
    const src = readFileSync(f, "utf8");
    expect(src, f).not.toMatch(MONEY_AS_NUMBER);
  }
});

it("only the chart component uses the lossy chart geometry", () => {
  const users = sources(root)
    .filter((f) => !f.includes(".test."))
    .filter((f) => /from\s+["'][./]*\/?(lib\/)?chartGeometry["']/.test(readFileSync(f, "utf8")));
  expect(users.map((f) => relative(root, f))).toEqual([join("components", "Chart.tsx")]);
});
