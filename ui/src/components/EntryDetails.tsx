import { useEffect, useId, useRef, useState } from "react";
import type { MessageKey } from "../i18n";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type DocumentDto,
  type DocumentKind,
  type EntryDetailsDto,
  type EntryDto,
} from "../lib/backend";
import { copyText } from "../lib/clipboard";
import { restoreFocus, trapTab } from "../lib/focus";
import { useWallet } from "../lib/wallet";
import { usePreferences } from "../lib/preferences";
import { entryLabels, statusLabel } from "./entryLabels";
import { ErrorNote } from "./ErrorNote";

/** Every kind the wallet sends has its text in each locale (i18n.test.ts, from DOCUMENT_KINDS). */
function documentTitle(kind: DocumentKind, t: (k: MessageKey) => string) {
  return t(`details.doc.${kind}`);
}

function Document({ doc }: { doc: DocumentDto }) {
  const { t } = usePreferences();
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);
  const title = documentTitle(doc.kind, t);
  async function copy() {
    setCopied((await copyText(doc.raw)) ? "ok" : "failed");
  }
  return (
    <section className="doc" data-doc={doc.kind} aria-label={title}>
      <div className="doc-head">
        <h3>{title}</h3>
        <button type="button" onClick={() => void copy()}>
          {t("details.copyRaw")}
        </button>
      </div>
      {doc.signatureValid !== null && (
        <p
          className={`small ${doc.signatureValid ? "sig-ok" : "sig-bad"}`}
          data-testid={`signature-${doc.kind}`}
        >
          {doc.signatureValid ? t("details.signatureValid") : t("details.signatureInvalid")}
        </p>
      )}
      {copied && (
        <p className="small muted" role="status">
          {copied === "ok" ? t("details.copied") : t("details.copyFailed")}
        </p>
      )}
      {doc.claims.length > 0 ? (
        <table className="claims">
          <caption className="sr-only">{t("details.claimsOf", { document: title })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("details.claim")}</th>
              <th scope="col">{t("details.value")}</th>
            </tr>
          </thead>
          <tbody>
            {doc.claims.map((c, i) => (
              <tr key={`${c.name}-${i}`}>
                <th scope="row" className="mono">
                  {c.name}
                </th>
                <td className="mono break">{c.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">{t("details.noClaims")}</p>
      )}
      <details className="raw">
        <summary>{t("details.showRaw")}</summary>
        <pre className="mono break">{doc.raw}</pre>
      </details>
    </section>
  );
}

function EntryLine({ label, entry }: { label: string; entry: EntryDto }) {
  const { t, money, dateTime } = usePreferences();
  const { kind, status } = entryLabels(entry, t);
  return (
    <div className="note note-ok" data-testid="compensation">
      <p>
        <strong>{label}</strong>{" "}
        {t("details.compensationLine", {
          kind,
          amount: money(entry.amount, entry.asset),
          time: dateTime(entry.at),
          status,
        })}
      </p>
    </div>
  );
}

/** Everything about one entry, in a modal dialog: facts, status history, documents. */
export function EntryDetails({ entry, onClose }: { entry: EntryDto; onClose: () => void }) {
  const { t, money, dateTime } = usePreferences();
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const [details, setDetails] = useState<EntryDetailsDto | null>(null);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const { openModal } = useWallet();
  useEffect(() => openModal(), [openModal]);

  useEffect(() => {
    // Focus goes back where it was (the list) when the dialog goes away.
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    close.current?.focus();
    return () => {
      if (d?.open) d.close();
      restoreFocus(returnTo);
    };
  }, []);

  useEffect(() => {
    let live = true;
    backend.entryDetails(entry.id).then(
      (d) => live && setDetails(d),
      (e: unknown) => live && setError(toAppError(e)),
    );
    return () => {
      live = false;
    };
  }, [entry.id]);

  const e = details?.entry ?? entry;
  const { kind, status, out } = entryLabels(e, t);

  return (
    <dialog
      ref={dialog}
      className="details"
      aria-labelledby={titleId}
      onKeyDown={trapTab}
      onCancel={(ev) => {
        ev.preventDefault();
        onClose();
      }}
    >
      <header className="details-head">
        <div>
          <p className="prompt-kicker">{t("details.title", { kind })}</p>
          <h2 id={titleId} className="details-site">
            {e.site ?? kind}
          </h2>
        </div>
        <p className={`details-amount amount ${out ? "amount-out" : "amount-in"}`}>
          {money(e.amount, e.asset)}
        </p>
      </header>
      <dl className="facts">
        {details?.merchantName && (
          <div>
            <dt>{t("prompt.merchant")}</dt>
            <dd>
              {details.certified
                ? t("prompt.verifiedBy", {
                    name: details.certified.name,
                    issuer: details.certified.issuer,
                  })
                : `${details.merchantName} — ${t("prompt.notVerified")}`}
            </dd>
          </div>
        )}
        <div>
          <dt>{t("details.page")}</dt>
          <dd className="break">{e.description ?? e.resource ?? t("details.none")}</dd>
        </div>
        {e.resource && (
          <div>
            <dt>{t("details.address")}</dt>
            <dd className="break mono">{e.resource}</dd>
          </div>
        )}
        <div>
          <dt>{t("details.time")}</dt>
          <dd>
            <time dateTime={e.at}>{dateTime(e.at)}</time>
          </dd>
        </div>
        <div>
          <dt>{t("details.status")}</dt>
          <dd>
            <span className={`badge badge-${e.status}`}>{status}</span>
          </dd>
        </div>
        <div>
          <dt>{t("details.paymentId")}</dt>
          <dd className="break mono" data-testid="payment-id">
            {e.paymentId ?? t("details.none")}
          </dd>
        </div>
        <div>
          <dt>{t("details.network")}</dt>
          <dd className="break">{e.network}</dd>
        </div>
      </dl>
      {error && <ErrorNote title={t("details.loadFailed")} error={error} />}
      {!details && !error && <p className="muted">{t("app.loading")}</p>}
      {details && (
        <>
          {details.compensation && (
            <EntryLine label={t("details.compensation")} entry={details.compensation} />
          )}
          {details.compensates && (
            <EntryLine label={t("details.compensates")} entry={details.compensates} />
          )}
          {details.statusHistory.length > 0 && (
            <section aria-labelledby={`${titleId}-h`}>
              <h3 id={`${titleId}-h`}>{t("details.statusHistory")}</h3>
              <ol className="timeline">
                {details.statusHistory.map((s, i) => (
                  <li key={`${s.status}-${i}`}>
                    <span className={`badge badge-${s.status}`}>{statusLabel(s.status, t)}</span>{" "}
                    <time dateTime={s.at}>{dateTime(s.at)}</time>
                    {s.detail && <span className="muted small"> · {s.detail}</span>}
                  </li>
                ))}
              </ol>
            </section>
          )}
          {details.documents.length === 0 ? (
            <p className="muted small">{t("details.noDocuments")}</p>
          ) : (
            details.documents.map((d) => <Document key={d.kind} doc={d} />)
          )}
        </>
      )}
      <footer className="actions details-foot">
        <button ref={close} type="button" onClick={onClose}>
          {t("common.close")}
        </button>
      </footer>
    </dialog>
  );
}
