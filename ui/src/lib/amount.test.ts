import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { looksLikeAmount, normalizeAmountInput, parseAmount } from "./amount";

// Written and checked by crates/protocol/tests/amount_input.rs against `Micros::parse_user`.
const table = join(import.meta.dirname, "../../../crates/protocol/tests/amounts/input_cases.json");
const cases = JSON.parse(readFileSync(table, "utf8")) as {
  input: string;
  accepted: string | null;
}[];

describe("the amount grammar is the protocol's", () => {
  it("has cases of both kinds", () => {
    expect(cases.filter((c) => c.accepted !== null).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.accepted === null).length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map((c) => [c.input, c.accepted] as const))("%j → %j", (input, accepted) => {
    expect(parseAmount(input)).toBe(accepted);
    expect(looksLikeAmount(input)).toBe(accepted !== null);
  });

  it("refuses grouped thousands, as ADR 6 and the CLI do", () => {
    expect(parseAmount("1 000,5")).toBeNull();
    expect(parseAmount("1\u202f000,5")).toBeNull();
    expect(parseAmount("1,234")).toBeNull();
  });
});

describe("normalizeAmountInput", () => {
  it("sends an accepted amount as typed, with a decimal point", () => {
    expect(normalizeAmountInput(" 0,05 ")).toBe("0.05");
    expect(normalizeAmountInput("2.5")).toBe("2.5");
    expect(normalizeAmountInput(",5")).toBe(".5");
    expect(normalizeAmountInput("2,50")).toBe("2.50");
  });

  it.each(cases.filter((c) => c.accepted !== null).map((c) => [c.input, c.accepted] as const))(
    "sends %j as something the grammar reads as %j",
    (input, accepted) => {
      expect(parseAmount(normalizeAmountInput(input))).toBe(accepted);
    },
  );

  it("sends what the grammar refuses as typed, for the backend to explain", () => {
    for (const input of [" 1 000,5 ", "1,234.5", "1,234", "abc", "-1"]) {
      expect(normalizeAmountInput(input)).toBe(input.trim());
    }
  });
});
