import { useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { Field } from "../components/Field";
import { backend, toAppError, type AppErrorDto } from "../lib/backend";
import { focusFirstInvalid } from "../lib/focus";
import { paymentText } from "../lib/paymentText";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

export function OpenPage() {
  const prefs = usePreferences();
  const { t } = prefs;
  const { pushPrompt, refresh } = useWallet();
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setOutcome(null);
    if (url.trim() === "") {
      setEmpty(true);
      focusFirstInvalid(e.currentTarget);
      return;
    }
    setBusy(true);
    try {
      const r = await backend.openPricedPage(url.trim());
      if (r.kind === "free") setOutcome(t("open.free", { url: r.url }));
      else if (r.kind === "prompt") {
        pushPrompt(r.prompt);
        setOutcome(t("open.prompted"));
      } else {
        setOutcome(paymentText(r.result, prefs));
        void refresh();
      }
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="screen-head">
        <h1>{t("open.title")}</h1>
      </div>
      <section className="card">
        <p className="lead">{t("open.intro")}</p>
        <form className="stack" onSubmit={submit} noValidate>
          <Field
            label={t("open.url")}
            type="url"
            inputMode="url"
            placeholder="https://"
            autoComplete="url"
            spellCheck={false}
            value={url}
            error={empty ? t("open.empty") : null}
            onChange={(e) => {
              setUrl(e.target.value);
              setEmpty(false);
            }}
          />
          {error && <ErrorNote title={t("open.failed")} error={error} />}
          {/* Always in the page, so that the outcome is announced when it appears. */}
          <div role="status" className="live-slot">
            {outcome && (
              <p className="note note-ok break" data-testid="open-outcome">
                {outcome}
              </p>
            )}
          </div>
          <div className="actions actions-start">
            <button type="submit" className="button-primary" disabled={busy}>
              {busy ? t("open.working") : t("open.submit")}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
