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

it("money is never parsed into a JS number", () => {
  // lib/chartGeometry.ts is the one exception, for drawing (see its header).
  const exempt = join("lib", "chartGeometry.ts");
  for (const f of sources(root).filter((f) => !f.includes(".test.") && !f.endsWith(exempt))) {
    const src = readFileSync(f, "utf8");
    expect(src, f).not.toMatch(/parseFloat|Number\(\s*\w*(amount|price|balance|budget)/i);
  }
});

it("only the chart component uses the lossy chart geometry", () => {
  const users = sources(root)
    .filter((f) => !f.includes(".test."))
    .filter((f) => /from\s+["'][./]*\/?(lib\/)?chartGeometry["']/.test(readFileSync(f, "utf8")));
  expect(users.map((f) => relative(root, f))).toEqual([join("components", "Chart.tsx")]);
});
