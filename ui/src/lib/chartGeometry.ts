// The one place where money becomes a JS number, and only for drawing: a bar's height or a
// line's position needs a float, and a rounding error far below a pixel cannot be seen.
// Every number people read (labels, tooltips, the data tables) is formatted from the decimal
// strings themselves with formatMoney, never from these values.
import { parseDecimal } from "./money";

/** A decimal string as an approximate float for chart geometry only (0 when unparsable). */
export function geometryOf(amount: string): number {
  const p = parseDecimal(amount);
  if (!p) return 0;
  const magnitude = Number(p.integer) + (p.fraction ? Number(`0.${p.fraction}`) : 0);
  return p.negative ? -magnitude : magnitude;
}
