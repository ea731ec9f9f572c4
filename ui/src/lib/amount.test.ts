import { describe, expect, it } from "vitest";
import { looksLikeAmount, normalizeAmountInput } from "./amount";

describe("normalizeAmountInput", () => {
  it.each([
    ["0,05", "0.05"],
    ["2,5", "2.5"],
    ["2.50", "2.50"],
    [" 3 ", "3"],
    ["1 000,50", "1000.50"],
    ["1\u202f000,5", "1000.5"],
    ["0,005", "0.005"],
    ["12,3456", "12.3456"],
    [",5", ".5"],
  ])("%j → %j", (input, output) => {
    expect(normalizeAmountInput(input)).toBe(output);
  });

  it.each([["1,234.5"], ["1.234,5"], ["1,2,3"], ["1,234"], ["12,000"], ["abc"], ["1 0 0 x"]])(
    "leaves the ambiguous or invalid %j for the backend to refuse",
    (input) => {
      expect(normalizeAmountInput(input)).toBe(input.trim());
    },
  );

  it("tells plausible amounts from the rest", () => {
    expect(looksLikeAmount("2,50")).toBe(true);
    expect(looksLikeAmount("10")).toBe(true);
    expect(looksLikeAmount("")).toBe(false);
    expect(looksLikeAmount("-1")).toBe(false);
    expect(looksLikeAmount("1,234")).toBe(false);
  });
});
