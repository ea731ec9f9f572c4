import { useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { AmountField, Field, SelectField } from "../components/Field";
import { LOCALES } from "../i18n";
import { focusFirstInvalid } from "../lib/focus";
import { normalizeAmountInput } from "../lib/amount";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type BrowserPairingDto,
  type IssuerDto,
  type LimitsDto,
} from "../lib/backend";
import { usePreferences, type LocalePref, type ThemePref } from "../lib/preferences";
import { errorWords, type SyncWords } from "../lib/syncText";
import { useWallet } from "../lib/wallet";

/** Runs an action with a busy flag and a translated error; returns whether it succeeded. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  async function run(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(toAppError(e));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, setError };
}

function LimitsForm({ limits, onSaved }: { limits: LimitsDto; onSaved: (l: LimitsDto) => void }) {
  const { t, amountInput } = usePreferences();
  const { notify } = useWallet();
  const [autoPayUnder, setAutoPayUnder] = useState(amountInput(limits.autoPayUnder));
  const [dailyCap, setDailyCap] = useState(amountInput(limits.dailyCap));
  const [maxPerPayment, setMaxPerPayment] = useState(amountInput(limits.maxPerPayment));
  const action = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await action.run(async () => {
      onSaved(
        await backend.updateLimits({
          autoPayUnder: normalizeAmountInput(autoPayUnder),
          dailyCap: normalizeAmountInput(dailyCap),
          maxPerPayment: normalizeAmountInput(maxPerPayment),
        }),
      );
      notify(t("settings.limitsSaved"));
    });
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="row">
        <AmountField
          label={t("settings.autoPayUnder")}
          value={autoPayUnder}
          onChange={(e) => setAutoPayUnder(e.target.value)}
        />
        <AmountField
          label={t("settings.dailyCap")}
          value={dailyCap}
          onChange={(e) => setDailyCap(e.target.value)}
        />
        <AmountField
          label={t("settings.maxPerPayment")}
          value={maxPerPayment}
          onChange={(e) => setMaxPerPayment(e.target.value)}
        />
      </div>
      {action.error && <ErrorNote title={t("settings.failed")} error={action.error} />}
      <div className="actions actions-start">
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t("common.saving") : t("common.save")}
        </button>
      </div>
    </form>
  );
}

function Limits() {
  const { t } = usePreferences();
  const [limits, setLimits] = useState<LimitsDto | null>(null);
  const [error, setError] = useState<AppErrorDto | null>(null);
  useEffect(() => {
    backend.limits().then(setLimits, (e) => setError(toAppError(e)));
  }, []);
  return (
    <section className="card" aria-labelledby="limits-h">
      <h2 id="limits-h">{t("settings.limits")}</h2>
      <p className="small muted">{t("settings.limitsHelp")}</p>
      {error && <ErrorNote title={t("settings.loadFailed")} error={error} />}
      {limits && <LimitsForm limits={limits} onSaved={setLimits} />}
    </section>
  );
}

/** A failed action in its error code's words, then the backend's own message. */
function errorText(error: AppErrorDto, t: SyncWords["t"]) {
  return `${errorWords(error.code, { t })} ${error.message}`;
}

/** Where one trusted issuer is reached: shown, and set or changed in place. */
function IssuerAddress({
  issuer,
  onSaved,
}: {
  issuer: IssuerDto;
  onSaved: (list: IssuerDto[]) => void;
}) {
  const { t } = usePreferences();
  const { notify } = useWallet();
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState(issuer.url ?? "");
  const action = useAction();
  const label = issuer.name ?? issuer.network;
  const form = useRef<HTMLFormElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);

  // Opening the editor takes focus to its field; closing it gives focus back to its button.
  const was = useRef(editing);
  useEffect(() => {
    if (!was.current && editing) form.current?.querySelector("input")?.focus();
    if (was.current && !editing) editButton.current?.focus();
    was.current = editing;
  }, [editing]);

  async function save(e: FormEvent) {
    e.preventDefault();
    const ok = await action.run(async () =>
      onSaved(await backend.setIssuerUrl(issuer.network, url.trim())),
    );
    if (ok) {
      notify(t("settings.issuerUrlSaved", { name: label }));
      setEditing(false);
    }
  }

  if (editing) {
    return (
      <form
        ref={form}
        className="stack editor"
        onSubmit={save}
        aria-label={t("a11y.issuerUrlForm", { name: label })}
      >
        <Field
          label={t("settings.issuerUrl")}
          hint={t("settings.issuerUrlHint")}
          value={url}
          required
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setUrl(e.target.value)}
        />
        {action.error && (
          <ErrorNote title={t("settings.failed")} error={errorText(action.error, t)} />
        )}
        <div className="actions actions-start">
          <button type="submit" className="button-primary" disabled={action.busy}>
            {action.busy ? t("common.saving") : t("common.save")}
          </button>
          <button
            type="button"
            disabled={action.busy}
            onClick={() => {
              action.setError(null);
              setUrl(issuer.url ?? "");
              setEditing(false);
            }}
          >
            {t("common.cancel")}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="issuer-address">
      {issuer.url ? (
        <span className="small block break">
          {t("settings.issuerAddress")} <span className="mono">{issuer.url}</span>
        </span>
      ) : (
        <span className="small block issuer-no-address">{t("settings.issuerNoAddress")}</span>
      )}
      <button
        ref={editButton}
        type="button"
        className="button-quiet"
        aria-label={t(issuer.url ? "a11y.changeIssuerUrl" : "a11y.setIssuerUrl", { name: label })}
        onClick={() => {
          setUrl(issuer.url ?? "");
          setEditing(true);
        }}
      >
        {issuer.url ? t("settings.changeIssuerUrl") : t("settings.setIssuerUrl")}
      </button>
    </div>
  );
}

/** The browser extensions paired with the app; Remove unpairs one from its next message on. */
function BrowserPairings() {
  const { t, dateTime } = usePreferences();
  const [list, setList] = useState<BrowserPairingDto[] | null>(null);
  const action = useAction();
  const { setError } = action;

  useEffect(() => {
    backend.browserPairings().then(setList, (e) => setError(toAppError(e)));
  }, [setError]);

  return (
    <section className="card" aria-labelledby="browser-h" data-testid="browser-pairings">
      <h2 id="browser-h">{t("settings.browser")}</h2>
      <p className="small muted">{t("settings.browserHelp")}</p>
      {list?.length === 0 && <p className="muted">{t("settings.noPairings")}</p>}
      {list && list.length > 0 && (
        <ul className="issuers">
          {list.map((p) => (
            <li key={p.id} className="issuer" aria-label={p.label}>
              <div className="issuer-head">
                <div className="issuer-text">
                  <span className="strong block">{p.label}</span>
                  <span className="small mono muted block break">{p.caller}</span>
                  <span className="small muted block">
                    {t("settings.pairedOn", {
                      time: dateTime(new Date(p.created * 1000).toISOString()),
                    })}
                    {p.lastUsed !== null &&
                      ` · ${t("settings.pairingUsed", { time: dateTime(new Date(p.lastUsed * 1000).toISOString()) })}`}
                  </span>
                </div>
                <button
                  type="button"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => setList(await backend.removeBrowserPairing(p.id)))
                  }
                >
                  {t("settings.removePairing", { name: p.label })}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {action.error && (
        <ErrorNote title={t("settings.failed")} error={errorText(action.error, t)} />
      )}
    </section>
  );
}

function Issuers() {
  const { t } = usePreferences();
  const { notify } = useWallet();
  const [list, setList] = useState<IssuerDto[] | null>(null);
  const [network, setNetwork] = useState("");
  const [publicKey, setPublicKey] = useState("");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const action = useAction();
  const { setError } = action;

  useEffect(() => {
    backend.issuers().then(setList, (e) => setError(toAppError(e)));
  }, [setError]);

  async function add(e: FormEvent) {
    e.preventDefault();
    const ok = await action.run(async () => {
      setList(
        await backend.addIssuer({
          network: network.trim(),
          publicKey: publicKey.trim(),
          name: name.trim() === "" ? null : name.trim(),
          url: url.trim() === "" ? null : url.trim(),
        }),
      );
    });
    if (ok) {
      notify(t("settings.issuerAdded"));
      setNetwork("");
      setPublicKey("");
      setName("");
      setUrl("");
    }
  }

  return (
    <section className="card" aria-labelledby="issuers-h">
      <h2 id="issuers-h">{t("settings.issuers")}</h2>
      <p className="small muted">{t("settings.issuersHelp")}</p>
      {list?.length === 0 && <p className="muted">{t("settings.noIssuers")}</p>}
      {list && list.length > 0 && (
        <ul className="issuers">
          {list.map((i) => (
            <li key={i.network} className="issuer" aria-label={i.name ?? i.network}>
              <div className="issuer-head">
                <div className="issuer-text">
                  <span className="strong block">{i.name ?? i.network}</span>
                  {i.name && <span className="small muted block">{i.network}</span>}
                  <span className="small mono muted block break">{i.publicKey}</span>
                </div>
                <button
                  type="button"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => setList(await backend.removeIssuer(i.network)))
                  }
                >
                  {t("settings.removeIssuer", { name: i.name ?? i.network })}
                </button>
              </div>
              <IssuerAddress issuer={i} onSaved={setList} />
            </li>
          ))}
        </ul>
      )}
      <form className="stack" onSubmit={add}>
        <div className="row">
          <Field
            label={t("settings.issuerNetwork")}
            value={network}
            required
            onChange={(e) => setNetwork(e.target.value)}
          />
          <Field
            label={t("settings.issuerName")}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Field
          label={t("settings.issuerKey")}
          value={publicKey}
          required
          className="mono"
          spellCheck={false}
          onChange={(e) => setPublicKey(e.target.value)}
        />
        <Field
          label={t("settings.issuerUrl")}
          hint={t("settings.issuerUrlAddHint")}
          value={url}
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setUrl(e.target.value)}
        />
        {action.error && (
          <ErrorNote title={t("settings.failed")} error={errorText(action.error, t)} />
        )}
        <div className="actions actions-start">
          <button type="submit" disabled={action.busy}>
            {t("settings.addIssuer")}
          </button>
        </div>
      </form>
    </section>
  );
}

function FileAction({ kind }: { kind: "backup" | "restore" }) {
  const { t } = usePreferences();
  const { notify, setStatus, refresh } = useWallet();
  const [path, setPath] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [missing, setMissing] = useState(false);
  const action = useAction();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (path.trim() === "" || passphrase === "") {
      setMissing(true);
      focusFirstInvalid(e.currentTarget);
      return;
    }
    const p = path.trim();
    const ok = await action.run(async () => {
      if (kind === "backup") {
        await backend.backupWallet(p, passphrase);
        notify(t("settings.backupDone", { path: p }));
      } else {
        setStatus(await backend.restoreWallet(p, passphrase));
        notify(t("settings.restoreDone"));
        void refresh();
      }
    });
    if (ok) setPassphrase("");
  }

  const k = kind === "backup" ? "backup" : "restore";
  return (
    <form className="stack sub" onSubmit={submit} noValidate>
      <h3>{t(`settings.${k}Title`)}</h3>
      <p className="small muted">{t(`settings.${k}Help`)}</p>
      <div className="row">
        <Field
          label={t("settings.backupPath")}
          value={path}
          className="mono"
          spellCheck={false}
          onChange={(e) => {
            setPath(e.target.value);
            setMissing(false);
          }}
        />
        <Field
          label={t("settings.backupPassphrase")}
          type="password"
          autoComplete={kind === "backup" ? "new-password" : "current-password"}
          value={passphrase}
          error={missing ? t("settings.needPathAndPassphrase") : null}
          onChange={(e) => {
            setPassphrase(e.target.value);
            setMissing(false);
          }}
        />
      </div>
      {action.error && <ErrorNote title={t("settings.failed")} error={action.error} />}
      <div className="actions actions-start">
        <button
          type="submit"
          className={kind === "restore" ? "button-danger" : undefined}
          disabled={action.busy}
        >
          {t(`settings.${k}Submit`)}
        </button>
      </div>
    </form>
  );
}

function Appearance() {
  const { t, localePref, setLocalePref, themePref, setThemePref, plainHttp, setPlainHttp } =
    usePreferences();
  return (
    <section className="card" aria-labelledby="appearance-h">
      <h2 id="appearance-h">{t("settings.appearance")}</h2>
      <div className="row">
        <SelectField
          label={t("settings.language")}
          value={localePref}
          onChange={(e) => setLocalePref(e.target.value as LocalePref)}
        >
          <option value="system">{t("settings.languageSystem")}</option>
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {t(`lang.${l}`)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("settings.theme")}
          value={themePref}
          onChange={(e) => setThemePref(e.target.value as ThemePref)}
        >
          <option value="system">{t("settings.themeSystem")}</option>
          <option value="light">{t("settings.themeLight")}</option>
          <option value="dark">{t("settings.themeDark")}</option>
        </SelectField>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={plainHttp}
          onChange={(e) => setPlainHttp(e.target.checked)}
        />
        <span>{t("settings.plainHttp")}</span>
      </label>
      <p className="muted small">{t("settings.plainHttpHelp")}</p>
    </section>
  );
}

export function Settings() {
  const { t } = usePreferences();
  const { status } = useWallet();
  return (
    <>
      <div className="screen-head">
        <h1>{t("settings.title")}</h1>
      </div>
      <Appearance />
      <Limits />
      <Issuers />
      <BrowserPairings />
      <section className="card" aria-labelledby="data-h">
        <h2 id="data-h">{t("settings.data")}</h2>
        <p className="small muted">{t("settings.dataDir")}</p>
        <p className="mono break" data-testid="data-dir">
          {status?.dataDir}
        </p>
        <FileAction kind="backup" />
        <FileAction kind="restore" />
      </section>
    </>
  );
}
