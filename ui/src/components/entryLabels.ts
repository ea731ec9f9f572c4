import type { MessageKey, Vars } from "../i18n";
import type { EntryDto } from "../lib/backend";
import { isNegative } from "../lib/money";

export const KINDS = ["credit", "payment", "refund", "adjustment"] as const;
export const STATUSES = ["pending", "settled", "rejected", "unconfirmed", "posted"] as const;

function known<T extends string>(list: readonly T[], v: string): v is T {
  return (list as readonly string[]).includes(v);
}

type T = (key: MessageKey, vars?: Vars) => string;

export const kindLabel = (kind: string, t: T) =>
  known(KINDS, kind) ? t(`entry.kind.${kind}`) : kind;
export const statusLabel = (status: string, t: T) =>
  known(STATUSES, status) ? t(`entry.status.${status}`) : status;

/** An entry's kind and status in the user's language, and whether money went out. */
export function entryLabels(e: EntryDto, t: T) {
  return {
    kind: kindLabel(e.kind, t),
    status: statusLabel(e.status, t),
    out: isNegative(e.amount),
  };
}
