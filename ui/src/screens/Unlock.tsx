import { useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { Field } from "../components/Field";
import { backend, toAppError, type AppErrorDto } from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

export function Unlock() {
  const { t } = usePreferences();
  const { setStatus } = useWallet();
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setStatus(await backend.unlock(passphrase));
    } catch (err) {
      setError(toAppError(err));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="welcome" tabIndex={-1}>
      <form className="card welcome-card narrow" onSubmit={submit}>
        <h1>{t("unlock.title")}</h1>
        <p className="lead">{t("unlock.intro")}</p>
        <Field
          label={t("unlock.passphrase")}
          type="password"
          autoComplete="current-password"
          autoFocus
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
        />
        {error && <ErrorNote title={t("unlock.failed")} error={error} />}
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy || passphrase === ""}>
            {busy ? t("unlock.working") : t("unlock.submit")}
          </button>
        </div>
      </form>
    </main>
  );
}
