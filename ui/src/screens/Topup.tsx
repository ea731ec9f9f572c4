import { useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { AmountField, Field, SelectField } from "../components/Field";
import { normalizeAmountInput } from "../lib/amount";
import { focusFirstInvalid } from "../lib/focus";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type AppStatus,
  type TopupDto,
} from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

function useTopupResult() {
  const { t, money } = usePreferences();
  const { refresh } = useWallet();
  const [done, setDone] = useState<string | null>(null);
  return {
    done,
    clear: () => setDone(null),
    show: (r: TopupDto) => {
      setDone(
        t("topup.done", { amount: money(r.amount, r.asset), balance: money(r.balance, r.asset) }),
      );
      void refresh();
    },
  };
}

/** The result in a live region that is always in the page, so that it is announced. */
function Result({ text }: { text: string | null }) {
  return (
    <div role="status" className="live-slot">
      {text && <p className="note note-ok">{text}</p>}
    </div>
  );
}

function DemoTopup({ demo }: { demo: NonNullable<AppStatus["demo"]> }) {
  const { t } = usePreferences();
  const assets = demo.assets.length > 0 ? demo.assets : ["EUR"];
  const [amount, setAmount] = useState("");
  const [asset, setAsset] = useState(assets[0] ?? "EUR");
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const result = useTopupResult();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    result.clear();
    setError(null);
    if (amount.trim() === "") {
      setInvalid(true);
      focusFirstInvalid(e.currentTarget);
      return;
    }
    setBusy(true);
    try {
      result.show(await backend.topupDemo(normalizeAmountInput(amount), asset));
      setAmount("");
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="demo-h">
      <h2 id="demo-h">{t("topup.demoTitle")}</h2>
      <p className="small muted break">{t("topup.demoHelp", { url: demo.baseUrl })}</p>
      <form className="stack" onSubmit={submit} noValidate>
        <div className="row">
          <AmountField
            label={t("topup.amount")}
            value={amount}
            hint={t("amount.hint")}
            error={invalid ? t("amount.invalid") : null}
            onChange={(e) => {
              setAmount(e.target.value);
              setInvalid(false);
            }}
          />
          <SelectField
            label={t("topup.asset")}
            value={asset}
            onChange={(e) => setAsset(e.target.value)}
          >
            {assets.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </SelectField>
        </div>
        <Field label={t("topup.card")} value={demo.testCard} readOnly className="mono" />
        {error && <ErrorNote title={t("topup.failed")} error={error} />}
        <Result text={result.done} />
        <div className="actions actions-start">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? t("topup.working") : t("topup.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}

function Redeem() {
  const { t } = usePreferences();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const result = useTopupResult();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    result.clear();
    setError(null);
    if (text.trim() === "") {
      setEmpty(true);
      focusFirstInvalid(e.currentTarget);
      return;
    }
    setBusy(true);
    try {
      result.show(await backend.redeemCredit(text.trim()));
      setText("");
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="redeem-h">
      <h2 id="redeem-h">{t("topup.redeemTitle")}</h2>
      <p className="small muted">{t("topup.redeemHelp")}</p>
      <form className="stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="redeem-text">{t("topup.redeemLabel")}</label>
          <textarea
            id="redeem-text"
            rows={4}
            className="mono"
            spellCheck={false}
            value={text}
            aria-invalid={empty ? true : undefined}
            aria-describedby={empty ? "redeem-empty" : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setEmpty(false);
            }}
          />
          {empty && (
            <p id="redeem-empty" className="field-error">
              {t("topup.empty")}
            </p>
          )}
        </div>
        {error && <ErrorNote title={t("topup.failed")} error={error} />}
        <Result text={result.done} />
        <div className="actions actions-start">
          <button type="submit" disabled={busy}>
            {busy ? t("topup.working") : t("topup.redeemSubmit")}
          </button>
        </div>
      </form>
    </section>
  );
}

export function Topup() {
  const { t } = usePreferences();
  const { status } = useWallet();
  return (
    <>
      <div className="screen-head">
        <h1>{t("topup.title")}</h1>
      </div>
      {status?.demo && <DemoTopup demo={status.demo} />}
      <Redeem />
    </>
  );
}
