import { describe, expect, it } from "vitest";
import { PRESETS, dayValue, localDay, rangeOf } from "./dateRange";

// 15 March 2026, 14:30 local time.
const now = new Date(2026, 2, 15, 14, 30);
const local = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString();

describe("date-range presets", () => {
  it("bound each preset by local midnights, the end exclusive", () => {
    expect(rangeOf("all", now)).toEqual({ since: null, until: null });
    expect(rangeOf("today", now)).toEqual({ since: local(2026, 3, 15), until: local(2026, 3, 16) });
    expect(rangeOf("last7", now)).toEqual({ since: local(2026, 3, 9), until: local(2026, 3, 16) });
    expect(rangeOf("last30", now)).toEqual({
      since: local(2026, 2, 14),
      until: local(2026, 3, 16),
    });
    expect(rangeOf("thisMonth", now)).toEqual({
      since: local(2026, 3, 1),
      until: local(2026, 4, 1),
    });
    expect(rangeOf("lastMonth", now)).toEqual({
      since: local(2026, 2, 1),
      until: local(2026, 3, 1),
    });
    expect(rangeOf("last12Months", now)).toEqual({
      since: local(2025, 4, 1),
      until: local(2026, 4, 1),
    });
    expect(rangeOf("thisYear", now)).toEqual({
      since: local(2026, 1, 1),
      until: local(2027, 1, 1),
    });
  });

  it("last month in January is December of the year before", () => {
    expect(rangeOf("lastMonth", new Date(2026, 0, 10))).toEqual({
      since: local(2025, 12, 1),
      until: local(2026, 1, 1),
    });
  });

  it("custom dates include the last day, and an empty side stays open", () => {
    expect(rangeOf("custom", now, "2026-01-05", "2026-01-07")).toEqual({
      since: local(2026, 1, 5),
      until: local(2026, 1, 8),
    });
    expect(rangeOf("custom", now, "", "2026-01-31")).toEqual({
      since: null,
      until: local(2026, 2, 1),
    });
    expect(rangeOf("custom", now, "not a date", "")).toEqual({ since: null, until: null });
  });

  it("reads and writes date-input values", () => {
    expect(localDay("2026-02-28")?.getDate()).toBe(28);
    expect(localDay("28/02/2026")).toBeNull();
    expect(dayValue(new Date(2026, 0, 5))).toBe("2026-01-05");
    expect(PRESETS).toContain("custom");
  });
});
