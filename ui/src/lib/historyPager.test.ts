import { describe, expect, it } from "vitest";
import type { EntryDto, HistoryPageDto } from "./backend";
import { HistoryPager } from "./historyPager";

/** A keyset-paged source of `n` entries, newest (id n) first, recording every request. */
function source(n: number) {
  const requests: (string | null)[] = [];
  const entry = (id: number) => ({ id }) as EntryDto;
  const fetch = async (cursor: string | null, limit: number): Promise<HistoryPageDto> => {
    requests.push(cursor);
    const start = cursor === null ? n : Number(cursor) - 1;
    const entries: EntryDto[] = [];
    for (let id = start; id >= 1 && entries.length < limit; id--) entries.push(entry(id));
    const last = entries.at(-1)?.id ?? 1;
    return { entries, next: last > 1 ? String(last) : null };
  };
  return { fetch, requests };
}

const settle = (p: HistoryPager) =>
  new Promise<void>((resolve) => {
    const check = () => (p["running"] ? setTimeout(check, 1) : resolve());
    check();
  });

describe("HistoryPager", () => {
  it("loads the pages in view and nothing else", async () => {
    const s = source(10_000);
    const p = new HistoryPager(s.fetch, 100);
    p.ensure(0, 30);
    await settle(p);
    expect(s.requests).toEqual([null]);
    expect(p.get(0)?.id).toBe(10_000);
    expect(p.get(30)?.id).toBe(9_970);
    expect(p.get(100)).toBeUndefined();
  });

  it("walks the cursor chain to reach a page far ahead, then reads near pages directly", async () => {
    const s = source(1_000);
    const p = new HistoryPager(s.fetch, 100, 2);
    p.ensure(950, 999);
    await settle(p);
    // Pages 0..9 in order: each cursor is known only once the page before it came back.
    expect(s.requests).toEqual([
      null,
      "901",
      "801",
      "701",
      "601",
      "501",
      "401",
      "301",
      "201",
      "101",
    ]);
    expect(p.get(999)?.id).toBe(1);
    // Page 4 was dropped from the cache, but its cursor is kept: one request brings it back.
    const before = s.requests.length;
    p.ensure(420, 430);
    await settle(p);
    expect(s.requests.slice(before)).toEqual(["601"]);
    expect(p.get(425)?.id).toBe(575);
  });

  it("keeps a bounded number of pages, dropping the least recently used", async () => {
    const s = source(1_000);
    const p = new HistoryPager(s.fetch, 100, 3);
    p.ensure(0, 0);
    await settle(p);
    p.ensure(500, 500);
    await settle(p);
    expect(p.get(500)?.id).toBe(500);
    expect(p.get(0)).toBeUndefined();
    p.ensure(0, 0);
    await settle(p);
    expect(p.get(0)?.id).toBe(1_000);
  });

  it("stops at the last page and reports errors", async () => {
    const s = source(150);
    const p = new HistoryPager(s.fetch, 100);
    p.ensure(0, 400);
    await settle(p);
    expect(s.requests).toEqual([null, "51"]);
    expect(p.get(149)?.id).toBe(1);

    const failing = new HistoryPager(async () => {
      throw { code: "locked", message: "locked" };
    });
    let told = 0;
    failing.subscribe(() => told++);
    failing.ensure(0, 10);
    await settle(failing);
    expect(failing.error).toEqual({ code: "locked", message: "locked" });
    expect(told).toBe(1);
  });

  it("ignores answers that arrive after it was disposed", async () => {
    const s = source(100);
    const p = new HistoryPager(s.fetch, 10);
    let told = 0;
    p.subscribe(() => told++);
    p.ensure(0, 5);
    p.dispose();
    await settle(p);
    expect(told).toBe(0);
    expect(p.get(0)).toBeUndefined();
  });
});
