import { describe, expect, it } from "vitest";

import { badgeText, decimal, display, sum, toMicros } from "../src/money";

describe("money strings", () => {
  it("sums decimal strings exactly, beyond what a double holds", () => {
    expect(sum(["0.10", "0.10", "0.10"])).toBe("0.30");
    expect(sum(["9007199254.740993", "0.000001"])).toBe("9007199254.740994");
    expect(sum(["-0.10", "2.5"])).toBe("2.40");
    expect(sum([])).toBe("0.00");
  });
  it("refuses what is not a plain decimal of at most 6 places", () => {
    for (const bad of ["0.1234567", "1e5", " 1", "", "0x10", "1,5", ".5"]) {
      expect(() => toMicros(bad)).toThrow();
    }
    expect(toMicros("2")).toBe(2_000_000n);
  });
  it("shows amounts in the reader's language", () => {
    expect(decimal(100000n)).toBe("0.10");
    expect(decimal(1234567n)).toBe("1.234567");
    expect(decimal(-2500000n)).toBe("-2.50");
    expect(display("2.40", "EUR", "en")).toBe("€2.40");
    expect(display("2.4", "EUR", "fr")).toBe("2,40 €");
    expect(display("-0.10", "EUR", "en")).toBe("-€0.10");
    expect(display("0.00001", "XYZ", "en")).toBe("0.00001 XYZ");
  });
  it("fits the badge", () => {
    expect(badgeText("0.20")).toBe("0.2");
    expect(badgeText("1.35")).toBe("1.35");
    expect(badgeText("12.00")).toBe("12");
    expect(badgeText("123.456789")).toBe("123");
    expect(badgeText("0")).toBe("");
  });
});
