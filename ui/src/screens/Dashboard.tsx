import { useCallback, useState } from "react";
import { EntryList } from "../components/EntryList";
import { ErrorNote } from "../components/ErrorNote";
import { HoldNotes, IssuerPanel, useSyncStatus } from "../components/IssuerPanel";
import { Switch } from "../components/Switch";
import { backend, toAppError, type AppErrorDto, type MoneyDto } from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";
import type { Screen } from "./screens";

function Totals({ items }: { items: MoneyDto[] }) {
  const { t, money } = usePreferences();
  if (items.length === 0) return <span className="muted">{t("dashboard.nothingSpent")}</span>;
  return (
    <>
      {items.map((m) => (
        <span key={m.asset} className="block">
          {money(m.amount, m.asset)}
        </span>
      ))}
    </>
  );
}

export function Dashboard({ go }: { go: (s: Screen) => void }) {
  const { t, money, dateTime } = usePreferences();
  const { dashboard, dashboardError, setDashboard, refresh } = useWallet();
  const onSynced = useCallback(() => void refresh(), [refresh]);
  const sync = useSyncStatus(onSynced);
  const [pauseError, setPauseError] = useState<AppErrorDto | null>(null);
  const [pausing, setPausing] = useState(false);

  async function setPaused(paused: boolean) {
    setPausing(true);
    setPauseError(null);
    try {
      setDashboard(await backend.setPaused(paused));
    } catch (e) {
      setPauseError(toAppError(e));
    } finally {
      setPausing(false);
    }
  }

  return (
    <>
      <div className="screen-head">
        <h1>{t("dashboard.title")}</h1>
        {dashboard && (
          <Switch
            checked={dashboard.paused}
            label={t("dashboard.pause")}
            disabled={pausing}
            onChange={(p) => void setPaused(p)}
          />
        )}
      </div>
      {pauseError && <ErrorNote title={t("dashboard.pauseFailed")} error={pauseError} />}
      {dashboardError && <ErrorNote title={t("dashboard.loadFailed")} error={dashboardError} />}
      {!dashboard && !dashboardError && <p className="muted">{t("app.loading")}</p>}
      {dashboard && (
        <>
          <HoldNotes status={sync.status} />
          {dashboard.paused && (
            <div className="note note-warn" role="status">
              <p>{t("dashboard.pausedNote")}</p>
            </div>
          )}
          <section className="card balance-card" aria-labelledby="balance-h">
            <h2 id="balance-h" className="label">
              {t("dashboard.balance")}
            </h2>
            {dashboard.balances.length === 0 ? (
              <p className="muted">{t("dashboard.noBalance")}</p>
            ) : (
              <ul className="balances">
                {dashboard.balances.map((b) => (
                  <li key={`${b.network}/${b.asset}`}>
                    <span className="balance-amount" data-testid={`balance-${b.asset}`}>
                      {money(b.amount, b.asset)}
                    </span>
                    <span className="muted small">{b.network}</span>
                    {b.held !== "0" && b.heldUntil !== null && (
                      <span className="small held" data-testid={`held-${b.asset}`}>
                        {t("dashboard.held", {
                          amount: money(b.held, b.asset),
                          time: dateTime(new Date(b.heldUntil * 1000).toISOString()),
                        })}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <div className="actions actions-start">
              <button type="button" className="button-primary" onClick={() => go("topup")}>
                {t("nav.topup")}
              </button>
              <button type="button" onClick={() => go("open")}>
                {t("nav.open")}
              </button>
            </div>
          </section>

          <div className="grid-2">
            <section className="card" aria-labelledby="today-h">
              <h2 id="today-h" className="label">
                {t("dashboard.spentToday")}
              </h2>
              <p className="stat">
                <Totals items={dashboard.spentToday} />
              </p>
            </section>
            <section className="card" aria-labelledby="month-h">
              <h2 id="month-h" className="label">
                {t("dashboard.spentMonth")}
              </h2>
              <p className="stat">
                <Totals items={dashboard.spentThisMonth} />
              </p>
            </section>
          </div>

          <IssuerPanel sync={sync} />

          {dashboard.unconfirmed.length > 0 && (
            <section className="card card-warn" aria-labelledby="unconfirmed-h">
              <h2 id="unconfirmed-h">{t("dashboard.unconfirmed")}</h2>
              <p className="small muted">{t("dashboard.unconfirmedHelp")}</p>
              <EntryList entries={dashboard.unconfirmed} label={t("dashboard.unconfirmed")} />
            </section>
          )}

          <section className="card" aria-labelledby="recent-h">
            <h2 id="recent-h">{t("dashboard.recent")}</h2>
            {dashboard.recent.length === 0 ? (
              <p className="muted">{t("dashboard.noActivity")}</p>
            ) : (
              <EntryList entries={dashboard.recent} label={t("dashboard.recent")} />
            )}
          </section>
        </>
      )}
    </>
  );
}
