// What the user types into an amount field, read by the one grammar of ADR 6: exactly what
// `Micros::parse_user` in centime-protocol accepts, so the window and the CLI take the same
// inputs. Both are tested against crates/protocol/tests/amounts/input_cases.json.

/** Longest text looked at (the protocol's `MAX_AMOUNT_TEXT`). */
const MAX_TEXT = 64;
const I64_MAX = 9_223_372_036_854_775_807n;
/** rust_decimal reads at most 28 decimals into a 96-bit mantissa; beyond, the protocol refuses. */
const MAX_DECIMALS = 28;
const MANTISSA_LIMIT = 1n << 96n;
/** Unicode White_Space, which Rust's `str::trim` removes (JavaScript's `trim` differs). */
const EDGE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function trimmed(text: string): string {
  return text.replace(EDGE_SPACE, "");
}

/** Micro-units as the protocol writes them: at least two decimals, no trailing zero beyond. */
function formatMicros(micros: bigint): string {
  const units = micros / 1_000_000n;
  const frac = (micros % 1_000_000n).toString().padStart(6, "0");
  const significant = frac.replace(/0+$/, "");
  return `${units}.${significant.length < 2 ? frac.slice(0, 2) : significant}`;
}

/**
 * The amount in `text` as a normalized decimal string ("0,05" → "0.05", "2.5" → "2.50"), or
 * null when the protocol refuses it: a sign, grouping ("1 000,5", "1,000.50"), a comma that
 * could group thousands ("1,234"), an exponent, more than six decimals, or too much.
 */
export function parseAmount(text: string): string | null {
  const t = trimmed(text);
  if (t === "" || new TextEncoder().encode(t).length > MAX_TEXT) return null;
  const s = t.startsWith("+") ? t.slice(1) : t;
  if (!/^[0-9]*[.,]?[0-9]*$/.test(s) || !/[0-9]/.test(s)) return null;
  const [int = "", frac = ""] = s.split(/[.,]/);
  if (s.includes(",")) {
    const leading = int.replace(/^0+/, "").length;
    if (frac.length === 3 && leading >= 1 && leading <= 3) return null;
  }
  if (frac.length > MAX_DECIMALS || BigInt(`0${int}${frac}`) >= MANTISSA_LIMIT) return null;
  const decimals = frac.replace(/0+$/, "");
  if (decimals.length > 6) return null;
  const micros = BigInt(`0${int}`) * 1_000_000n + BigInt(`0${decimals.padEnd(6, "0")}`);
  return micros > I64_MAX ? null : formatMicros(micros);
}

/**
 * What is sent to the backend: the amount as typed with a decimal point ("0,05" → "0.05",
 * "2.5" stays), or the text as typed (trimmed) when the grammar refuses it, so that the backend
 * refuses it with its own message. Either way the backend reads it as `parseAmount` does.
 */
export function normalizeAmountInput(text: string): string {
  return parseAmount(text) === null ? text.trim() : trimmed(text).replace(",", ".");
}

/** A quick client-side check so the submit button can explain an empty or odd field early. */
export function looksLikeAmount(text: string): boolean {
  return parseAmount(text) !== null;
}
