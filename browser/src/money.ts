// Amounts are strings of integer micro-units on the wire ("100000" is 0.10) and stay strings:
// sums are taken in BigInt, never through Number, and shown by moving the decimal point.

const SCALE = 6;

/** "100000" → 100000n; anything but an integer string is refused. */
export function toMicros(amount: string): bigint {
  if (!/^-?\d+$/.test(amount))
    throw new Error(`not an amount of micro-units: ${JSON.stringify(amount)}`);
  return BigInt(amount);
}

export function sum(amounts: readonly string[]): string {
  return amounts.reduce((acc, a) => acc + toMicros(a), 0n).toString();
}

/** 100000n → "0.10": at least two places, more only when they are not zero. */
export function decimal(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const unit = 10n ** BigInt(SCALE);
  let frac = (abs % unit).toString().padStart(SCALE, "0");
  while (frac.length > 2 && frac.endsWith("0")) frac = frac.slice(0, -1);
  return `${neg ? "-" : ""}${abs / unit}.${frac}`;
}

const SYMBOLS: Record<string, string> = { EUR: "€", USD: "$", GBP: "£" };

/** For people: "€0.10" in English, "0,10 €" in French; an unknown asset keeps its code. */
export function display(amount: string, asset: string, lang: "en" | "fr"): string {
  const plain = decimal(toMicros(amount));
  const text = lang === "fr" ? plain.replace(".", ",") : plain;
  const symbol = SYMBOLS[asset.toUpperCase()];
  if (!symbol) return `${text} ${asset}`;
  return lang === "fr" ? `${text} ${symbol}` : `${symbol}${text}`;
}

/** The badge has room for about four characters: "0.2", "1.35", "12". */
export function badgeText(amount: string): string {
  const micros = toMicros(amount);
  if (micros === 0n) return "";
  let s = decimal(micros).replace(/\.?0+$/, "");
  if (s.length > 4) s = s.split(".")[0] ?? s;
  return s;
}
