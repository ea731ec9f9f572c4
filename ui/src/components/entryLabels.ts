import type { MessageKey, Vars } from "../i18n";
import type { EntryDto, EntryKind, EntryStatus } from "../lib/backend";
import { ENTRY_KINDS, ENTRY_STATUSES } from "../lib/backend/bindings";
import { isNegative } from "../lib/money";

export const KINDS = ENTRY_KINDS;
export const STATUSES = ENTRY_STATUSES;

type T = (key: MessageKey, vars?: Vars) => string;

export const kindLabel = (kind: EntryKind, t: T) => t(`entry.kind.${kind}`);
export const statusLabel = (status: EntryStatus, t: T) => t(`entry.status.${status}`);

/** An entry's kind and status in the user's language, and whether money went out. */
export function entryLabels(e: EntryDto, t: T) {
  return {
    kind: kindLabel(e.kind, t),
    status: statusLabel(e.status, t),
    out: isNegative(e.amount),
  };
}
