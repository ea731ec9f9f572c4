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
  for (const f of sources(root).filter((f) => !f.includes(".test."))) {
    const src = readFileSync(f, "utf8");
    expect(src, f).not.toMatch(/parseFloat|Number\(\s*\w*(amount|price|balance|budget)/i);
  }
});
