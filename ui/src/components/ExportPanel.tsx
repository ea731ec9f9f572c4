import { useEffect, useRef, useState } from "react";
import {
  backend,
  onExportProgress,
  toAppError,
  type AppErrorDto,
  type ExportFormatDto,
  type ExportProgressDto,
  type HistoryFilterDto,
} from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";
import { ErrorNote } from "./ErrorNote";

const FORMATS: ExportFormatDto[] = ["csv", "json"];

/** Exports the rows of the current filter to a file the user picks, with progress and cancel. */
export function ExportPanel({ filter, count }: { filter: HistoryFilterDto; count: number }) {
  const { t, count: fmtCount } = usePreferences();
  const { notify } = useWallet();
  const [running, setRunning] = useState<ExportFormatDto | null>(null);
  const [progress, setProgress] = useState<ExportProgressDto | null>(null);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);

  useEffect(() => (running ? onExportProgress(setProgress) : undefined), [running]);
  useEffect(() => {
    if (running) cancelButton.current?.focus();
  }, [running]);

  async function start(format: ExportFormatDto) {
    setError(null);
    let path: string | null;
    try {
      path = await backend.chooseExportPath(
        format,
        `centime-history.${format}`,
        t("export.dialogTitle"),
      );
    } catch (e) {
      setError(toAppError(e));
      return;
    }
    if (!path) return;
    setRunning(format);
    setProgress({ rows: 0, total: count });
    setCancelling(false);
    try {
      const r = await backend.exportHistory({ filter, format, path });
      notify(t("export.done", { count: fmtCount(r.rows), path: r.path }));
    } catch (e) {
      const err = toAppError(e);
      if (err.code === "cancelled") notify(t("export.cancelled"));
      else setError(err);
    } finally {
      setRunning(null);
      setProgress(null);
    }
  }

  async function cancel() {
    setCancelling(true);
    try {
      await backend.cancelExport();
    } catch (e) {
      setError(toAppError(e));
    }
  }

  const total = progress?.total ?? count;
  const rows = progress?.rows ?? 0;
  return (
    <div className="export">
      {/* Start and end only: the end is the toast (or the error); the running count is not
          read out at every step. */}
      <p className="sr-only" role="status">
        {running ? t("a11y.exporting", { format: running.toUpperCase() }) : ""}
      </p>
      {running ? (
        <div className="export-running">
          <label htmlFor="export-progress" className="small">
            {t("export.progress", {
              format: running.toUpperCase(),
              rows: fmtCount(rows),
              total: fmtCount(total),
            })}
          </label>
          <progress id="export-progress" max={Math.max(total, 1)} value={Math.min(rows, total)} />
          <button
            ref={cancelButton}
            type="button"
            onClick={() => void cancel()}
            disabled={cancelling}
          >
            {cancelling ? t("export.cancelling") : t("export.cancel")}
          </button>
        </div>
      ) : (
        <div className="actions">
          {FORMATS.map((f) => (
            <button key={f} type="button" onClick={() => void start(f)} disabled={count === 0}>
              {t("export.button", { format: f.toUpperCase() })}
            </button>
          ))}
        </div>
      )}
      {error && <ErrorNote title={t("export.failed")} error={error} />}
    </div>
  );
}
