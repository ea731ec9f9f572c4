import { describe, expect, it } from "vitest";

import { badgeText, decimal, display, sum, toMicros } from "../src/money";

describe("money strings", () => {
  it("sums micro-units exactly, beyond what a double holds", () => {
    expect(sum(["100000", "100000", "100000"])).toBe("300000");
    expect(sum(["9007199254740993", "1"])).toBe("9007199254740994");
    expect(sum([])).toBe("0");
  });
  it("refuses what is not an integer string", () => {
    for (const bad of ["0.10", "1e5", " 1", "", "0x10"]) expect(() => toMicros(bad)).toThrow();
  });
  it("shows amounts in the reader's language", () => {
    expect(decimal(100000n)).toBe("0.10");
    expect(decimal(1234567n)).toBe("1.234567");
    expect(decimal(-2500000n)).toBe("-2.50");
    expect(display("2400000", "EUR", "en")).toBe("€2.40");
    expect(display("2400000", "EUR", "fr")).toBe("2,40 €");
    expect(display("10", "XYZ", "en")).toBe("0.00001 XYZ");
  });
  it("fits the badge", () => {
    expect(badgeText("200000")).toBe("0.2");
    expect(badgeText("1350000")).toBe("1.35");
    expect(badgeText("12000000")).toBe("12");
    expect(badgeText("123456789")).toBe("123");
    expect(badgeText("0")).toBe("");
  });
});
