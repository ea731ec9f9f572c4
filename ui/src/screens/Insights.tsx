import { useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { Chart, type Series } from "../components/Chart";
import { ErrorNote } from "../components/ErrorNote";
import { SelectField } from "../components/Field";
import { PresetSelect } from "../components/HistoryFilters";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type InsightsDto,
  type SiteDto,
  type SpendDto,
} from "../lib/backend";
import { dayValue, rangeOf, type Preset } from "../lib/dateRange";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

const RANGES: readonly Preset[] = ["last30", "thisMonth", "last12Months", "thisYear", "all"];
/** Sites drawn in the ranking; the table lists them all. */
const TOP_SITES = 10;

/**
 * A table of the numbers behind a chart: visually hidden until asked for, always read out.
 * Shown, it scrolls in a labelled region that takes focus, so keyboard users can scroll it
 * (WebKit, which the app runs in, does not make a scroll box focusable by itself).
 */
function NumbersTable({
  caption,
  head,
  rows,
  shown,
}: {
  caption: string;
  head: string[];
  rows: ReactNode[][];
  shown: boolean;
}) {
  const { t } = usePreferences();
  const region = shown
    ? { role: "region", tabIndex: 0, "aria-label": t("a11y.tableOf", { title: caption }) }
    : {};
  return (
    <div className={shown ? "table-wrap" : "sr-only"} {...region}>
      <table className="numbers">
        <caption className={shown ? "sr-only" : undefined}>{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {c}
                  </th>
                ) : (
                  <td key={j}>{c}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ChartCard({
  id,
  title,
  empty,
  chart,
  table,
}: {
  id: string;
  title: string;
  empty: boolean;
  chart: ReactNode;
  table: (shown: boolean) => ReactNode;
}) {
  const { t } = usePreferences();
  const [shown, setShown] = useState(false);
  // One label and aria-pressed: a label that also changed would announce the state twice.
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-chart={id}>
      <div className="site-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {!empty && (
          <button
            type="button"
            className="button-quiet"
            aria-pressed={shown}
            onClick={() => setShown((s) => !s)}
          >
            {t("insights.showTable")}
          </button>
        )}
      </div>
      {empty ? <p className="muted">{t("insights.nothing")}</p> : chart}
      {!empty && table(shown)}
    </section>
  );
}

const forAsset = (xs: SpendDto[], asset: string) => xs.filter((x) => x.asset === asset);

export function Insights() {
  const { t, money, day, month, share, count } = usePreferences();
  const { dashboard } = useWallet();
  const [preset, setPreset] = useState<Preset>("last30");
  const [answer, setAnswer] = useState<{
    key: object;
    data?: InsightsDto;
    error?: AppErrorDto;
  } | null>(null);
  const [sites, setSites] = useState<SiteDto[]>([]);
  const [asset, setAsset] = useState("EUR");

  const key = useMemo(() => ({ preset, dashboard }), [preset, dashboard]);
  useEffect(() => {
    let live = true;
    // Whole days (YYYY-MM-DD, UTC days in the core): what its per-day sums answer at once.
    const range = rangeOf(key.preset, new Date());
    const day = (iso: string | null) => (iso === null ? null : dayValue(new Date(iso)));
    const filter = { site: null, kind: null, status: null, search: null };
    backend.insights({ ...filter, since: day(range.since), until: day(range.until) }).then(
      (data) => live && setAnswer({ key, data }),
      (e: unknown) => live && setAnswer({ key, error: toAppError(e) }),
    );
    backend.sites().then(
      (s) => live && setSites(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [key]);
  const data = answer?.key === key ? (answer.data ?? null) : null;
  const error = answer?.key === key ? (answer.error ?? null) : null;

  const assets = useMemo(() => {
    const all = new Set<string>();
    for (const x of [...(data?.byMonth ?? []), ...(data?.byDay ?? [])]) all.add(x.asset);
    return [...all].sort();
  }, [data]);
  const current = assets.includes(asset) ? asset : (assets[0] ?? asset);

  const days = useMemo(() => forAsset(data?.byDay ?? [], current), [data, current]);
  const months = useMemo(() => forAsset(data?.byMonth ?? [], current), [data, current]);
  const bySite = useMemo(() => forAsset(data?.bySite ?? [], current), [data, current]);
  const top = useMemo(() => bySite.slice(0, TOP_SITES), [bySite]);
  const allowances = useMemo(
    () =>
      sites
        .filter((s) => s.budget !== null)
        .map((s) => ({
          site: s,
          spent: s.spentInPeriod.find((m) => m.asset === current)?.amount ?? "0",
        })),
    [sites, current],
  );

  const spentLabel = t("insights.spent");
  const daySeries = useMemo<Series[]>(
    () => [{ label: spentLabel, amounts: days.map((d) => d.spent), color: "--chart-1" }],
    [days, spentLabel],
  );
  const dayLabels = useMemo(() => days.map((d) => day(d.key, true)), [days, day]);
  const monthSeries = useMemo<Series[]>(
    () => [{ label: spentLabel, amounts: months.map((d) => d.spent), color: "--chart-1" }],
    [months, spentLabel],
  );
  const monthLabels = useMemo(() => months.map((d) => month(d.key)), [months, month]);
  const siteSeries = useMemo<Series[]>(
    () => [{ label: spentLabel, amounts: top.map((d) => d.spent), color: "--chart-1" }],
    [top, spentLabel],
  );
  const siteLabels = useMemo(() => top.map((d) => d.key), [top]);
  const budgetLabel = t("insights.allowance");
  const allowanceSeries = useMemo<Series[]>(
    () => [
      { label: spentLabel, amounts: allowances.map((a) => a.spent), color: "--chart-1" },
      {
        label: budgetLabel,
        amounts: allowances.map((a) => a.site.budget ?? "0"),
        color: "--chart-2",
      },
    ],
    [allowances, spentLabel, budgetLabel],
  );
  const allowanceLabels = useMemo(() => allowances.map((a) => a.site.origin), [allowances]);

  return (
    <>
      <div className="screen-head">
        <h1>{t("insights.title")}</h1>
      </div>
      <section className="card" aria-label={t("insights.options")}>
        <div className="row">
          <PresetSelect value={preset} onChange={setPreset} presets={RANGES} />
          {assets.length > 1 && (
            <SelectField
              label={t("insights.asset")}
              value={current}
              onChange={(e) => setAsset(e.target.value)}
            >
              {assets.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </SelectField>
          )}
        </div>
      </section>
      {error && <ErrorNote title={t("insights.loadFailed")} error={error} />}
      {!data && !error && <p className="muted">{t("app.loading")}</p>}
      {data && (
        <>
          <ChartCard
            id="per-day"
            title={t("insights.perDay")}
            empty={days.length === 0}
            chart={
              <Chart
                type={days.length > 45 ? "line" : "bar"}
                labels={dayLabels}
                series={daySeries}
                asset={current}
                summary={t("insights.perDaySummary", { count: count(days.length) })}
              />
            }
            table={(shown) => (
              <NumbersTable
                shown={shown}
                caption={t("insights.perDay")}
                head={[t("insights.day"), t("insights.spent"), t("insights.payments")]}
                rows={days.map((d) => [day(d.key), money(d.spent, d.asset), count(d.payments)])}
              />
            )}
          />
          <ChartCard
            id="per-month"
            title={t("insights.perMonth")}
            empty={months.length === 0}
            chart={
              <Chart
                type="bar"
                labels={monthLabels}
                series={monthSeries}
                asset={current}
                summary={t("insights.perMonthSummary", { count: count(months.length) })}
              />
            }
            table={(shown) => (
              <NumbersTable
                shown={shown}
                caption={t("insights.perMonth")}
                head={[t("insights.month"), t("insights.spent"), t("insights.payments")]}
                rows={months.map((d) => [month(d.key), money(d.spent, d.asset), count(d.payments)])}
              />
            )}
          />
          <ChartCard
            id="per-site"
            title={t("insights.perSite")}
            empty={bySite.length === 0}
            chart={
              <Chart
                type="bar"
                horizontal
                labels={siteLabels}
                series={siteSeries}
                asset={current}
                height={Math.max(160, top.length * 30 + 50)}
                summary={t("insights.perSiteSummary", {
                  count: count(top.length),
                  all: count(bySite.length),
                })}
              />
            }
            table={(shown) => (
              <NumbersTable
                shown={shown}
                caption={t("insights.perSite")}
                head={[
                  t("insights.site"),
                  t("insights.spent"),
                  t("insights.share"),
                  t("insights.payments"),
                ]}
                rows={bySite.map((d) => [
                  d.key || t("insights.noSite"),
                  money(d.spent, d.asset),
                  share(d.shareBp),
                  count(d.payments),
                ])}
              />
            )}
          />
          <ChartCard
            id="allowances"
            title={t("insights.allowances")}
            empty={allowances.length === 0}
            chart={
              <Chart
                type="bar"
                horizontal
                labels={allowanceLabels}
                series={allowanceSeries}
                asset={current}
                height={Math.max(160, allowances.length * 44 + 70)}
                summary={t("insights.allowancesSummary", { count: count(allowances.length) })}
              />
            }
            table={(shown) => (
              <NumbersTable
                shown={shown}
                caption={t("insights.allowances")}
                head={[
                  t("insights.site"),
                  t("insights.spentInPeriod"),
                  t("insights.allowance"),
                  t("insights.period"),
                ]}
                rows={allowances.map((a) => [
                  a.site.origin,
                  money(a.spent, current),
                  money(a.site.budget ?? "0", current),
                  a.site.period ? t(`period.current.${a.site.period}`) : "",
                ])}
              />
            )}
          />
        </>
      )}
    </>
  );
}
