// What the user types into an amount field becomes the decimal string sent to the backend.
// Only unambiguous changes are made; the backend validates and explains anything else.

const SPACES = /[\s\u00a0\u202f]/g;

/**
 * "0,05" → "0.05", " 1 000,5 " → "1000.5", "2.50" stays. Text with both "," and "." or several
 * commas ("1,234.5", "1.234,5", "1,2,3"), or a comma that could group thousands ("1,234"), is
 * ambiguous and is returned trimmed, unchanged, so the backend refuses it with its own message
 * rather than us guessing.
 */
export function normalizeAmountInput(text: string): string {
  const trimmed = text.trim();
  const compact = /^[+-]?[\d\s\u00a0\u202f]+([.,]\d*)?$/.test(trimmed)
    ? trimmed.replace(SPACES, "")
    : trimmed;
  const commas = compact.split(",").length - 1;
  if (commas !== 1 || compact.includes(".")) return compact;
  // "1,234" could be a thousand and more in English: leave it for the backend to refuse.
  // "0,005" cannot (a group never follows a lone leading 0), nor can "2,5" or "2,50".
  if (/^[+-]?[1-9]\d{0,2},\d{3}$/.test(compact)) return compact;
  return compact.replace(",", ".");
}

/** A quick client-side check so the submit button can explain an empty or odd field early. */
export function looksLikeAmount(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(normalizeAmountInput(text));
}
