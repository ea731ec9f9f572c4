import { useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { Field } from "../components/Field";
import { focusFirstInvalid } from "../lib/focus";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type AppStatus,
  type KeystoreKindDto,
} from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

export const MIN_PASSPHRASE = 8;

/** What is wrong with a file-keystore passphrase pair, if anything. */
export function passphraseProblem(
  passphrase: string,
  confirmation: string,
): "tooShort" | "mismatch" | null {
  if ([...passphrase].length < MIN_PASSPHRASE) return "tooShort";
  if (passphrase !== confirmation) return "mismatch";
  return null;
}

export function Onboarding({ status }: { status: AppStatus }) {
  const { t } = usePreferences();
  const { setStatus } = useWallet();
  const osOk = status.osKeyringAvailable;
  const [keystore, setKeystore] = useState<KeystoreKindDto>(osOk ? "os" : "file");
  const [passphrase, setPassphrase] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [trustDemo, setTrustDemo] = useState(status.demo !== null);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);

  const problem = keystore === "file" ? passphraseProblem(passphrase, confirmation) : null;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSubmitted(true);
    if (problem) {
      focusFirstInvalid(e.currentTarget);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setStatus(
        await backend.createWallet({
          keystore,
          passphrase: keystore === "file" ? passphrase : null,
          trustDemoIssuer: status.demo !== null && trustDemo,
        }),
      );
    } catch (err) {
      setError(toAppError(err));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="welcome" tabIndex={-1}>
      <form className="card welcome-card" onSubmit={submit} noValidate>
        <h1>{t("onboarding.title")}</h1>
        <p className="lead">{t("onboarding.intro")}</p>

        {!osOk && (
          <div className="note note-warn" role="note">
            <p className="strong">{t("onboarding.keyringUnavailable")}</p>
            {status.osKeyringProblem && (
              <p className="small">
                {t("onboarding.keyringProblem", { problem: status.osKeyringProblem })}
              </p>
            )}
          </div>
        )}

        <fieldset className="choices">
          <legend>{t("onboarding.keystoreLegend")}</legend>
          <label className={`choice ${osOk ? "" : "choice-disabled"}`}>
            <input
              type="radio"
              name="keystore"
              value="os"
              checked={keystore === "os"}
              disabled={!osOk}
              onChange={() => setKeystore("os")}
            />
            <span>
              <span className="block strong">{t("onboarding.keystoreOs")}</span>
              <span className="block small muted">{t("onboarding.keystoreOsHelp")}</span>
            </span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="keystore"
              value="file"
              checked={keystore === "file"}
              onChange={() => setKeystore("file")}
            />
            <span>
              <span className="block strong">{t("onboarding.keystoreFile")}</span>
              <span className="block small muted">{t("onboarding.keystoreFileHelp")}</span>
            </span>
          </label>
        </fieldset>

        {keystore === "file" && (
          <div className="stack">
            <Field
              label={t("onboarding.passphrase")}
              type="password"
              autoComplete="new-password"
              value={passphrase}
              hint={t("onboarding.passphraseHint")}
              error={
                submitted && problem === "tooShort" ? t("onboarding.passphraseTooShort") : null
              }
              onChange={(e) => setPassphrase(e.target.value)}
            />
            <Field
              label={t("onboarding.passphraseConfirm")}
              type="password"
              autoComplete="new-password"
              value={confirmation}
              error={
                submitted && problem === "mismatch" ? t("onboarding.passphraseMismatch") : null
              }
              onChange={(e) => setConfirmation(e.target.value)}
            />
          </div>
        )}

        {status.demo && (
          <label className="check">
            <input
              type="checkbox"
              checked={trustDemo}
              onChange={(e) => setTrustDemo(e.target.checked)}
            />
            <span>{t("onboarding.trustDemo", { network: status.demo.network })}</span>
          </label>
        )}

        {error && <ErrorNote title={t("onboarding.failed")} error={error} />}

        <p className="small muted break">{t("onboarding.dataDir", { dir: status.dataDir })}</p>
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? t("onboarding.creating") : t("onboarding.create")}
          </button>
        </div>
      </form>
    </main>
  );
}
