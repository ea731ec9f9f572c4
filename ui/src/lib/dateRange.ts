// Date-range presets for the history and insights filters. Days are the user's local days;
// the bounds cross IPC as RFC 3339 instants (UTC), `since` inclusive and `until` exclusive.

export const PRESETS = [
  "all",
  "today",
  "last7",
  "last30",
  "thisMonth",
  "lastMonth",
  "last12Months",
  "thisYear",
  "custom",
] as const;
export type Preset = (typeof PRESETS)[number];

export interface Range {
  since: string | null;
  until: string | null;
}

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

/** A `YYYY-MM-DD` from a date input, as the local midnight starting that day. */
export function localDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `YYYY-MM-DD` of a local date, for a date input's value. */
export function dayValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * The bounds of a preset at `now`. "custom" uses `from` and `to` (date-input values, both days
 * included); an empty or invalid one leaves that side open.
 */
export function rangeOf(preset: Preset, now: Date, from = "", to = ""): Range {
  const today = startOfDay(now);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  switch (preset) {
    case "all":
      return { since: null, until: null };
    case "today":
      return { since: iso(today), until: iso(addDays(today, 1)) };
    case "last7":
      return { since: iso(addDays(today, -6)), until: iso(addDays(today, 1)) };
    case "last30":
      return { since: iso(addDays(today, -29)), until: iso(addDays(today, 1)) };
    case "thisMonth":
      return {
        since: iso(new Date(today.getFullYear(), today.getMonth(), 1)),
        until: iso(new Date(today.getFullYear(), today.getMonth() + 1, 1)),
      };
    case "lastMonth":
      return {
        since: iso(new Date(today.getFullYear(), today.getMonth() - 1, 1)),
        until: iso(new Date(today.getFullYear(), today.getMonth(), 1)),
      };
    case "last12Months":
      return {
        since: iso(new Date(today.getFullYear(), today.getMonth() - 11, 1)),
        until: iso(new Date(today.getFullYear(), today.getMonth() + 1, 1)),
      };
    case "thisYear":
      return {
        since: iso(new Date(today.getFullYear(), 0, 1)),
        until: iso(new Date(today.getFullYear() + 1, 0, 1)),
      };
    case "custom": {
      const start = localDay(from);
      const end = localDay(to);
      return { since: iso(start), until: iso(end ? addDays(end, 1) : null) };
    }
  }
}
