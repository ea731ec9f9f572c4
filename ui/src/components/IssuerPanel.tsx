import { useCallback, useEffect, useState } from "react";
import {
  backend,
  onSyncFinished,
  toAppError,
  type AppErrorDto,
  type AssetViewDto,
  type IssuerSyncDto,
  type SyncStatusDto,
} from "../lib/backend";
import type { MessageKey } from "../i18n";
import { usePreferences } from "../lib/preferences";
import {
  discrepancyText,
  doneLines,
  errorWords,
  flaggedText,
  holdText,
  issuerLabel,
  relativeTime,
} from "../lib/syncText";
import { ErrorNote } from "./ErrorNote";

/** Read again this often, so that "2 minutes ago" stays true while the window is open. */
const REFRESH_MS = 30_000;

export interface SyncPanelState {
  status: SyncStatusDto | null;
  loadError: AppErrorDto | null;
  /** "Sync now" is running. */
  busy: boolean;
  /** "Sync now" itself failed (the wallet closed...); each issuer's failure is in `status`. */
  nowError: AppErrorDto | null;
  syncNow: () => void;
}

/**
 * The issuers' sync status: read at start, after each sync the backend reports, and every 30 s;
 * `onSynced` runs after each sync (the balances may have changed).
 */
export function useSyncStatus(onSynced: () => void): SyncPanelState {
  const [status, setStatus] = useState<SyncStatusDto | null>(null);
  const [loadError, setLoadError] = useState<AppErrorDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [nowError, setNowError] = useState<AppErrorDto | null>(null);

  const load = useCallback(
    () =>
      backend.syncStatus().then(
        (s) => {
          setStatus(s);
          setLoadError(null);
        },
        (e: unknown) => setLoadError(toAppError(e)),
      ),
    [],
  );

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    const stop = onSyncFinished(() => {
      void load();
      onSynced();
    });
    return () => {
      window.clearInterval(timer);
      stop();
    };
  }, [load, onSynced]);

  const syncNow = useCallback(() => {
    setBusy(true);
    setNowError(null);
    backend
      .syncNow()
      .then(
        (s) => {
          setStatus(s);
          onSynced();
        },
        (e: unknown) => setNowError(toAppError(e)),
      )
      .finally(() => setBusy(false));
  }, [onSynced]);

  return { status, loadError, busy, nowError, syncNow };
}

/** Held networks, at the top of the dashboard: the wallet does not pay on them. */
export function HoldNotes({ status }: { status: SyncStatusDto | null }) {
  const { t } = usePreferences();
  const held = status?.issuers.filter((s) => s.hold) ?? [];
  return (
    <>
      {held.map((s) => (
        <div
          key={s.network}
          className={`note ${s.hold?.reason === "revoked" ? "note-error" : "note-warn"}`}
          role="status"
          data-testid={`hold-${s.network}`}
        >
          <p>
            <strong>{holdText(s, { t })}</strong>
          </p>
        </div>
      ))}
    </>
  );
}

type Figure = Exclude<keyof AssetViewDto, "asset">;
/** The rows of each asset's table, in order, with their labels. */
const FIGURES: Record<Figure, MessageKey> = {
  credited: "sync.view.credited",
  spent: "sync.view.spent",
  balance: "sync.view.balance",
  unsettled: "sync.view.unsettled",
};

function Views({ s }: { s: IssuerSyncDto }) {
  const { t, money } = usePreferences();
  const last = s.lastSync;
  if (!last) return null;
  const assets = [
    ...new Set([...last.issuerView.map((v) => v.asset), ...last.walletView.map((v) => v.asset)]),
  ];
  const cell = (v: AssetViewDto | undefined, f: Figure) => {
    const amount = v?.[f];
    return v && amount != null ? money(amount, v.asset) : t("sync.view.none");
  };
  return (
    <div className="table-wrap">
      <table className="numbers" data-testid={`sync-views-${s.network}`}>
        <caption className="sr-only">{t("sync.view.caption")}</caption>
        {assets.map((asset) => {
          const issuer = last.issuerView.find((v) => v.asset === asset);
          const wallet = last.walletView.find((v) => v.asset === asset);
          return (
            <tbody key={asset}>
              <tr>
                <th scope="col">{asset}</th>
                <th scope="col">{t("sync.view.issuer")}</th>
                <th scope="col">{t("sync.view.wallet")}</th>
              </tr>
              {(Object.keys(FIGURES) as Figure[]).map((f) => (
                <tr key={f}>
                  <th scope="row">{t(FIGURES[f])}</th>
                  <td>{cell(issuer, f)}</td>
                  <td>{cell(wallet, f)}</td>
                </tr>
              ))}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function IssuerSection({ s, now }: { s: IssuerSyncDto; now: number }) {
  const { t, money, tag } = usePreferences();
  const words = { t, money };
  const when = (at: number) => relativeTime(at, now, tag, { t });
  const last = s.lastSync;
  const done = last ? doneLines(last.done, { t }) : [];
  const hold = holdText(s, { t });
  return (
    <section className="stack" aria-label={issuerLabel(s)} data-testid={`sync-${s.network}`}>
      <h3 className="sync-issuer">
        {t("sync.network", { issuer: issuerLabel(s), network: s.network })}
      </h3>
      {s.issuerUrl === null ? (
        <p className="muted small">{t("sync.noUrl")}</p>
      ) : (
        <p className="small" data-testid={`sync-last-${s.network}`}>
          {last ? t("sync.lastSync", { time: when(last.syncedAt) }) : t("sync.never")}
          {s.nextSyncAt !== null && !s.syncing && (
            <span className="muted"> {t("sync.next", { time: when(s.nextSyncAt) })}</span>
          )}
        </p>
      )}
      {hold && (
        <p className={s.hold?.reason === "revoked" ? "error-text" : "warn-text"}>
          <strong>{hold}</strong>
        </p>
      )}
      {s.lastError && s.lastErrorAt !== null && (
        <ErrorNote
          title={t("sync.failed", { time: when(s.lastErrorAt) })}
          error={`${errorWords(s.lastError.code, { t })} ${s.lastError.message}`}
        />
      )}
      <Views s={s} />
      {last && (
        <div>
          <h4 className="label">{t("sync.done.title")}</h4>
          {done.length === 0 ? (
            <p className="small muted">{t("sync.done.nothing")}</p>
          ) : (
            <ul className="small" data-testid={`sync-done-${s.network}`}>
              {done.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {last && last.discrepancies.length > 0 && (
        <div className="note note-warn">
          <p>
            <strong>{t("sync.discrepancies")}</strong>
          </p>
          <ul className="small">
            {last.discrepancies.map((d, i) => (
              <li key={i}>{discrepancyText(d, words)}</li>
            ))}
          </ul>
        </div>
      )}
      {s.flagged.length > 0 && (
        <div className="note note-warn">
          <p>
            <strong>{t("sync.flagged.title")}</strong>
          </p>
          <ul className="small">
            {s.flagged.map((f) => (
              <li key={f.paymentId}>{flaggedText(f, words)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The dashboard's "Issuer" card: each trusted issuer's view against the wallet's. */
export function IssuerPanel({ sync }: { sync: SyncPanelState }) {
  const { t } = usePreferences();
  const { status, loadError, busy, nowError, syncNow } = sync;
  if (!status && !loadError) return null;
  if (status && status.issuers.length === 0) return null;
  const running = busy || (status?.issuers.some((s) => s.syncing) ?? false);
  const canSync = status?.issuers.some((s) => s.issuerUrl !== null) ?? false;
  return (
    <section className="card" aria-labelledby="issuer-h" data-testid="issuer-panel">
      <div className="screen-head">
        <h2 id="issuer-h">{t("sync.title")}</h2>
        {canSync && (
          <button type="button" onClick={syncNow} disabled={running} aria-busy={running}>
            {running && <span className="spinner" aria-hidden="true" />}
            {running ? t("sync.syncing") : t("sync.now")}
          </button>
        )}
      </div>
      {loadError && <ErrorNote title={t("dashboard.loadFailed")} error={loadError} />}
      {nowError && (
        <ErrorNote
          title={t("sync.failed", { time: t("sync.justNow") })}
          error={`${errorWords(nowError.code, { t })} ${nowError.message}`}
        />
      )}
      {status?.issuers.map((s) => (
        <IssuerSection key={s.network} s={s} now={status.now} />
      ))}
    </section>
  );
}
