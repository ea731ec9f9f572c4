import { describe, expect, it } from "vitest";
import { geometryOf } from "./chartGeometry";
import { formatCount, formatDayKey, formatMonthKey, formatShare } from "./time";

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatting for the history and insights", () => {
  it("counts rows with the locale's grouping", () => {
    expect(formatCount(1_000_000, "en-GB")).toBe("1,000,000");
    expect(nbsp(formatCount(1_000_000, "fr-FR"))).toBe("1 000 000");
    expect(formatCount(0, "fr-FR")).toBe("0");
  });

  it("shows a share in basis points as a percentage with one decimal", () => {
    expect(formatShare(1234, "en-GB")).toBe("12.3%");
    expect(nbsp(formatShare(1234, "fr-FR"))).toBe("12,3 %");
    expect(formatShare(10000, "en-GB")).toBe("100.0%");
    expect(formatShare(0, "en-GB")).toBe("0.0%");
  });

  it("formats the core's UTC day and month keys without shifting them a day", () => {
    expect(formatDayKey("2026-11-24", "en-GB")).toBe("24 Nov 2026");
    expect(formatDayKey("2026-11-24", "fr-FR")).toBe("24 nov. 2026");
    expect(formatDayKey("2026-01-01", "en-GB", true)).toBe("1 Jan");
    expect(formatMonthKey("2026-11", "en-GB")).toBe("Nov 2026");
    expect(formatMonthKey("2026-02", "fr-FR")).toBe("févr. 2026");
    expect(formatDayKey("garbage", "en-GB")).toBe("garbage");
  });

  it("turns amounts into floats for chart geometry only approximately, keeping the sign", () => {
    expect(geometryOf("12.34")).toBeCloseTo(12.34, 10);
    expect(geometryOf("-0.005")).toBeCloseTo(-0.005, 10);
    expect(geometryOf("1000000")).toBe(1_000_000);
    expect(geometryOf("nope")).toBe(0);
  });
});
