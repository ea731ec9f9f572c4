import { describe, expect, it } from "vitest";
import { decimalSeparator, formatDecimal, formatMoney, isNegative, parseDecimal } from "./money";

// Intl puts (narrow) no-break spaces around French currency symbols and digit groups.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatMoney", () => {
  it("keeps sub-cent precision", () => {
    expect(plain(formatMoney("0.005", "EUR", "fr-FR"))).toBe("0,005 €");
    expect(formatMoney("0.005", "EUR", "en-US")).toBe("€0.005");
    expect(formatMoney("0.000001", "EUR", "en-US")).toBe("€0.000001");
  });

  it("shows at least the currency's usual digits", () => {
    expect(formatMoney("0.1", "EUR", "en-US")).toBe("€0.10");
    expect(plain(formatMoney("2", "EUR", "fr-FR"))).toBe("2,00 €");
    expect(formatMoney("1.5000", "USD", "en-US")).toBe("$1.50");
    expect(formatMoney("12", "JPY", "en-US")).toBe("¥12");
    expect(formatMoney("0.5", "JPY", "en-US")).toBe("¥0.5");
  });

  it("formats negative amounts, including those under one", () => {
    expect(formatMoney("-1.20", "EUR", "en-US")).toBe("-€1.20");
    expect(formatMoney("-0.05", "EUR", "en-US")).toBe("-€0.05");
    expect(plain(formatMoney("-0.005", "EUR", "fr-FR"))).toBe("-0,005 €");
    expect(formatMoney("-0.00", "EUR", "en-US")).toBe("€0.00");
  });

  it("groups large amounts exactly, beyond a double's precision", () => {
    expect(formatMoney("1234567.89", "EUR", "en-US")).toBe("€1,234,567.89");
    expect(plain(formatMoney("1234567.89", "EUR", "fr-FR"))).toBe("1 234 567,89 €");
    expect(formatMoney("90071992547409931.000000001", "EUR", "en-US")).toBe(
      "€90,071,992,547,409,931.000000001",
    );
  });

  it("puts a non-ISO asset after the number and never hides odd input", () => {
    expect(formatMoney("1.5", "USDC", "en-US")).toBe("1.5 USDC");
    expect(plain(formatMoney("0.005", "USDC", "fr-FR"))).toBe("0,005 USDC");
    expect(formatMoney("abc", "EUR", "en-US")).toBe("abc EUR");
  });
});

describe("decimal helpers", () => {
  it("parses without numbers", () => {
    expect(parseDecimal("-0.050")).toEqual({ negative: true, integer: 0n, fraction: "05" });
    expect(parseDecimal("1e3")).toBeNull();
    expect(parseDecimal("1.")).toBeNull();
  });
  it("knows the sign", () => {
    expect(isNegative("-0.01")).toBe(true);
    expect(isNegative("0.01")).toBe(false);
    expect(isNegative("-0")).toBe(false);
  });
  it("formats bare decimals and separators per locale", () => {
    expect(formatDecimal("1234.5", "en-US")).toBe("1,234.5");
    expect(formatDecimal("0.5", "en-US", 2)).toBe("0.50");
    expect(formatDecimal("0.005", "en-US", 2)).toBe("0.005");
    expect(plain(formatDecimal("1234.5", "fr-FR"))).toBe("1 234,5");
    expect(decimalSeparator("fr-FR")).toBe(",");
    expect(decimalSeparator("en-GB")).toBe(".");
  });
});
