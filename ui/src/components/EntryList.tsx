import type { EntryDto } from "../lib/backend";
import { isNegative } from "../lib/money";
import { usePreferences } from "../lib/preferences";
import { kindLabel, statusLabel } from "./entryLabels";

export function EntryList({ entries, label }: { entries: EntryDto[]; label: string }) {
  const { t, money, dateTime } = usePreferences();
  return (
    <ul className="entries" aria-label={label}>
      {entries.map((e) => {
        const kind = kindLabel(e.kind, t);
        const status = statusLabel(e.status, t);
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
