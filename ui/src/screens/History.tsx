import { useEffect, useMemo, useState } from "react";
import { EntryDetails } from "../components/EntryDetails";
import { ErrorNote } from "../components/ErrorNote";
import { ExportPanel } from "../components/ExportPanel";
import {
  HistoryFilters,
  NO_FILTER,
  toFilterDto,
  type FilterState,
} from "../components/HistoryFilters";
import { HistoryList } from "../components/HistoryList";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type EntryDto,
  type HistorySummaryDto,
} from "../lib/backend";
import { HistoryPager } from "../lib/historyPager";
import { usePreferences } from "../lib/preferences";
import { useDebounced } from "../lib/useDebounced";
import { useWallet } from "../lib/wallet";

function Totals({ summary }: { summary: HistorySummaryDto | null }) {
  const { t, money, count } = usePreferences();
  if (!summary) return <span className="muted">{t("app.loading")}</span>;
  return (
    <>
      <span className="strong" data-testid="history-count">
        {t("history.count", { count: count(summary.count) })}
      </span>
      {summary.totals.map((x) => (
        <span key={x.asset} className="totals-asset" data-testid={`history-total-${x.asset}`}>
          <span>{t("history.spent", { amount: money(x.spent, x.asset) })}</span>
          <span className="muted">{t("history.payments", { count: count(x.payments) })}</span>
        </span>
      ))}
    </>
  );
}

export function History() {
  const { t } = usePreferences();
  const { dashboard } = useWallet();
  const [state, setState] = useState<FilterState>(NO_FILTER);
  // Typing in the search box waits for a pause; other choices apply at once.
  const search = useDebounced(state.search, 250);
  const settled = useMemo(() => ({ ...state, search }), [state, search]);
  const key = JSON.stringify(settled);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `settled`
  const filter = useMemo(() => toFilterDto(settled, new Date()), [key]);
  const [sites, setSites] = useState<string[]>([]);
  const [open, setOpen] = useState<EntryDto | null>(null);

  // What the list shows: the filter, read again once the wallet changed (dashboard refreshed).
  const query = useMemo(() => ({ filter, dashboard }), [filter, dashboard]);
  const pager = useMemo(
    () => new HistoryPager((cursor, limit) => backend.history(query.filter, cursor, limit)),
    [query],
  );
  useEffect(() => () => pager.dispose(), [pager]);
  const [pagerError, setPagerError] = useState<AppErrorDto | null>(null);
  useEffect(
    () =>
      pager.subscribe(() => setPagerError(pager.error === null ? null : toAppError(pager.error))),
    [pager],
  );

  // The totals of this query; an answer for an older query is not shown.
  const [answer, setAnswer] = useState<{
    query: object;
    summary?: HistorySummaryDto;
    error?: AppErrorDto;
  } | null>(null);
  useEffect(() => {
    let live = true;
    backend.historySummary(query.filter).then(
      (summary) => live && setAnswer({ query, summary }),
      (e: unknown) => live && setAnswer({ query, error: toAppError(e) }),
    );
    return () => {
      live = false;
    };
  }, [query]);
  const summary = answer?.query === query ? (answer.summary ?? null) : null;
  const error = answer?.query === query ? (answer.error ?? null) : null;

  useEffect(() => {
    backend.historySites().then(setSites, () => setSites([]));
  }, [dashboard]);

  return (
    <>
      <div className="screen-head">
        <h1>{t("history.title")}</h1>
      </div>
      <HistoryFilters value={state} sites={sites} onChange={setState} />
      {error && <ErrorNote title={t("history.loadFailed")} error={error} />}
      {pagerError && <ErrorNote title={t("history.loadFailed")} error={pagerError} />}
      <section className="card history-card" aria-labelledby="history-list-h">
        <h2 id="history-list-h" className="sr-only">
          {t("history.listLabel")}
        </h2>
        <div className="history-totals" role="status" aria-live="polite">
          <Totals summary={summary} />
        </div>
        {summary && <ExportPanel filter={filter} count={summary.count} />}
        {summary && summary.count === 0 ? (
          <p className="muted">{t("history.empty")}</p>
        ) : (
          <HistoryList
            pager={pager}
            count={summary?.count ?? 0}
            label={t("history.listLabel")}
            onOpen={setOpen}
          />
        )}
        <p className="hint">{t("history.keys")}</p>
      </section>
      {open && <EntryDetails key={open.id} entry={open} onClose={() => setOpen(null)} />}
    </>
  );
}
