// Money stays a decimal string from the backend to the screen: never a JS number.
// The integer part is formatted as a BigInt (exact), the fraction digits are copied verbatim,
// and Intl supplies the locale's separators, sign and currency placement.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export interface ParsedDecimal {
  negative: boolean;
  integer: bigint;
  /** Fraction digits exactly as written, trailing zeros removed. */
  fraction: string;
}

export function parseDecimal(amount: string): ParsedDecimal | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  const integer = BigInt(m[2] ?? "0");
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  const negative = m[1] === "-" && (integer !== 0n || fraction !== "");
  return { negative, integer, fraction };
}

/** The number of fraction digits the currency normally shows (2 for EUR, 0 for JPY). */
function currencyDigits(asset: string, locale: string): number | null {
  try {
    return (
      new Intl.NumberFormat(locale, { style: "currency", currency: asset }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return null;
  }
}

function formatter(locale: string, asset: string | null, fractionDigits: number) {
  const digits = { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits };
  return asset === null
    ? new Intl.NumberFormat(locale, digits)
    : new Intl.NumberFormat(locale, { style: "currency", currency: asset, ...digits });
}

function formatParts(p: ParsedDecimal, locale: string, asset: string | null, minDigits: number) {
  const fraction = p.fraction.padEnd(minDigits, "0");
  const fmt = formatter(locale, asset, fraction.length > 0 ? 1 : 0);
  // Format a stand-in with the right sign: -0 has no sign as a BigInt, so use -1 and put the
  // zero back afterwards.
  const zeroNegative = p.negative && p.integer === 0n;
  const standIn = zeroNegative ? -1n : p.negative ? -p.integer : p.integer;
  let out = "";
  for (const part of fmt.formatToParts(standIn)) {
    if (part.type === "fraction") out += fraction;
    else if (part.type === "integer" && zeroNegative) out += "0";
    else out += part.value;
  }
  return out;
}

/**
 * Formats a decimal string for a locale, keeping every significant digit (0.005 EUR is
 * "0,005 €" in French) and at least the currency's usual digits (0.1 EUR is "€0.10").
 * An asset that is not an ISO 4217 code is shown after the number. An unparsable amount is
 * shown as given, so nothing is ever hidden from the user.
 */
export function formatMoney(amount: string, asset: string, locale: string): string {
  const p = parseDecimal(amount);
  if (!p) return `${amount} ${asset}`.trim();
  const digits = currencyDigits(asset, locale);
  if (digits === null) return `${formatParts(p, locale, null, 0)} ${asset}`;
  return formatParts(p, locale, asset, digits);
}

/** A decimal string for the locale without a currency, with at least `minDigits` decimals. */
export function formatDecimal(amount: string, locale: string, minDigits = 0): string {
  const p = parseDecimal(amount);
  return p ? formatParts(p, locale, null, minDigits) : amount;
}

/** Whether a decimal string is below zero, without turning it into a number. */
export function isNegative(amount: string): boolean {
  return parseDecimal(amount)?.negative ?? false;
}

/** The locale's decimal separator ("," in French). */
export function decimalSeparator(locale: string): string {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === "decimal");
  return part?.value ?? ".";
}
