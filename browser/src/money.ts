// Amounts are decimal strings on the wire ("0.10", "-2.50", at most 6 places, as the wallet
// writes its Micros) and stay strings: sums are taken in integer millionths (BigInt), never
// through Number.

const SCALE = 6;

/** "0.10" → 100000n; anything but a plain decimal of at most 6 places is refused. */
export function toMicros(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(amount);
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(amount)}`);
  const v = BigInt(m[2] ?? "0") * 10n ** BigInt(SCALE) + BigInt((m[3] ?? "").padEnd(SCALE, "0"));
  return m[1] ? -v : v;
}

export function sum(amounts: readonly string[]): string {
  return decimal(amounts.reduce((acc, a) => acc + toMicros(a), 0n));
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

/** For people: "€0.10" / "-€0.10" in English, "0,10 €" in French; an unknown asset keeps its
 * code. */
export function display(amount: string, asset: string, lang: "en" | "fr"): string {
  const micros = toMicros(amount);
  const sign = micros < 0n ? "-" : "";
  const plain = decimal(micros < 0n ? -micros : micros);
  const text = lang === "fr" ? plain.replace(".", ",") : plain;
  const symbol = SYMBOLS[asset.toUpperCase()];
  if (!symbol) return `${sign}${text} ${asset}`;
  return lang === "fr" ? `${sign}${text} ${symbol}` : `${sign}${symbol}${text}`;
}

/** The badge has room for about four characters: "0.2", "1.35", "12". */
export function badgeText(amount: string): string {
  const micros = toMicros(amount);
  if (micros === 0n) return "";
  let s = decimal(micros).replace(/\.?0+$/, "");
  if (s.length > 4) s = s.split(".")[0] ?? s;
  return s;
}
