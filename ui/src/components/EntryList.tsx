import type { EntryDto } from "../lib/backend";
import type { MessageKey } from "../i18n";
import { isNegative } from "../lib/money";
import { usePreferences } from "../lib/preferences";

const KINDS = ["credit", "payment", "refund", "adjustment"] as const;
const STATUSES = ["pending", "settled", "rejected", "unconfirmed", "posted"] as const;

function known<T extends string>(list: readonly T[], v: string): v is T {
  return (list as readonly string[]).includes(v);
}

export function EntryList({ entries, label }: { entries: EntryDto[]; label: string }) {
  const { t, money, dateTime } = usePreferences();
  return (
    <ul className="entries" aria-label={label}>
      {entries.map((e) => {
        const kind = known(KINDS, e.kind) ? t(`entry.kind.${e.kind}` as MessageKey) : e.kind;
        const status = known(STATUSES, e.status)
          ? t(`entry.status.${e.status}` as MessageKey)
          : e.status;
        return (
          <li key={String(e.id)} className="entry">
            <div className="entry-main">
              <span className="entry-title">{e.site ?? kind}</span>
              <span className="entry-sub">
                {e.description ?? e.resource ?? kind} ·{" "}
                <time dateTime={e.at}>{dateTime(e.at)}</time>
              </span>
            </div>
            <div className="entry-side">
              <span className={`amount ${isNegative(e.amount) ? "amount-out" : "amount-in"}`}>
                {money(e.amount, e.asset)}
              </span>
              <span className={`badge badge-${e.status}`}>{status}</span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
