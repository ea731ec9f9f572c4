import { useCallback, useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { ErrorNote } from "../components/ErrorNote";
import { AmountField, SelectField } from "../components/Field";
import { normalizeAmountInput } from "../lib/amount";
import { focusHeading } from "../lib/focus";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type MoneyDto,
  type PeriodDto,
  type SiteDto,
} from "../lib/backend";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

const PERIODS: PeriodDto[] = ["day", "week", "month"];

function MoneyList({ items }: { items: MoneyDto[] }) {
  const { t, money } = usePreferences();
  if (items.length === 0) return <>{t("sites.nothing")}</>;
  return <>{items.map((m) => money(m.amount, m.asset)).join(" · ")}</>;
}

function SiteEditor({
  site,
  onSaved,
  onCancel,
}: {
  site: SiteDto;
  onSaved: (s: SiteDto) => void;
  onCancel: () => void;
}) {
  const { t, amountInput } = usePreferences();
  const [max, setMax] = useState(site.maxPerPayment ? amountInput(site.maxPerPayment) : "");
  const [budget, setBudget] = useState(site.budget ? amountInput(site.budget) : "");
  const [period, setPeriod] = useState<PeriodDto>(site.period ?? "month");
  const [autoPay, setAutoPay] = useState(site.autoPay);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const form = useRef<HTMLFormElement>(null);

  // Opening the editor takes focus to its first field.
  useEffect(() => form.current?.querySelector("input")?.focus(), []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await backend.updateSite({
          origin: site.origin,
          autoPay,
          blocked: null,
          maxPerPayment: normalizeAmountInput(max),
          budget: normalizeAmountInput(budget),
          period,
        }),
      );
    } catch (err) {
      setError(toAppError(err));
      setBusy(false);
    }
  }

  return (
    <form
      ref={form}
      className="stack editor"
      onSubmit={submit}
      aria-label={t("sites.editTitle", { origin: site.origin })}
    >
      <div className="row">
        <AmountField
          label={t("sites.maxPerPayment")}
          value={max}
          hint={t("sites.clearHint")}
          onChange={(e) => setMax(e.target.value)}
        />
        <AmountField
          label={t("sites.budget")}
          value={budget}
          hint={t("sites.clearHint")}
          onChange={(e) => setBudget(e.target.value)}
        />
        <SelectField
          label={t("sites.period")}
          value={period}
          onChange={(e) => setPeriod(e.target.value as PeriodDto)}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`period.${p}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <label className="check">
        <input type="checkbox" checked={autoPay} onChange={(e) => setAutoPay(e.target.checked)} />
        <span>{t("sites.autoPayLabel")}</span>
      </label>
      {error && <ErrorNote title={t("sites.failed")} error={error} />}
      <div className="actions actions-start">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? t("common.saving") : t("common.save")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function SiteCard({
  site,
  onChanged,
  onRemoved,
}: {
  site: SiteDto;
  onChanged: (s: SiteDto) => void;
  onRemoved: (origin: string) => void;
}) {
  const { t, decimal } = usePreferences();
  const { notify } = useWallet();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const periodNow = site.period ? t(`period.current.${site.period}`) : "";
  const editButton = useRef<HTMLButtonElement>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  // Focus follows the card's own changes: the editor closed (saved or cancelled) gives it back
  // to Edit; asking to remove moves it to the confirmation, cancelling back to Remove.
  const was = useRef({ editing, confirming });
  useEffect(() => {
    if (was.current.editing && !editing) editButton.current?.focus();
    if (!was.current.confirming && confirming) confirmButton.current?.focus();
    if (was.current.confirming && !confirming) removeButton.current?.focus();
    was.current = { editing, confirming };
  }, [editing, confirming]);

  async function act(run: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  const toggleBlock = () =>
    act(async () => {
      onChanged(
        await backend.updateSite({
          origin: site.origin,
          blocked: !site.blocked,
          autoPay: null,
          maxPerPayment: null,
          budget: null,
          period: null,
        }),
      );
    });
  const remove = () =>
    act(async () => {
      await backend.removeSite(site.origin);
      notify(t("sites.removed", { origin: site.origin }));
      onRemoved(site.origin);
    });

  const state = site.blocked ? "blocked" : site.autoPay ? "autoPay" : "asks";
  return (
    <li className="card site" aria-label={site.origin} data-origin={site.origin}>
      <div className="site-head">
        <h2 className="site-origin">{site.origin}</h2>
        <span className={`badge badge-site-${state}`}>{t(`sites.${state}`)}</span>
      </div>
      <dl className="facts facts-grid">
        <div>
          <dt>{t("sites.maxPerPayment")}</dt>
          <dd>{site.maxPerPayment ? decimal(site.maxPerPayment) : t("sites.noLimit")}</dd>
        </div>
        <div>
          <dt>{t("sites.budget")}</dt>
          <dd>
            {site.budget && site.period
              ? t("sites.budgetValue", {
                  amount: decimal(site.budget),
                  period: t(`period.${site.period}`),
                })
              : site.budget
                ? decimal(site.budget)
                : t("sites.noLimit")}
          </dd>
        </div>
        <div>
          <dt>{periodNow ? t("sites.periodSpent", { period: periodNow }) : t("sites.spent")}</dt>
          <dd>
            <MoneyList items={site.spentInPeriod} />
          </dd>
        </div>
        <div>
          <dt>{periodNow ? t("sites.periodLeft", { period: periodNow }) : t("sites.remaining")}</dt>
          <dd>{site.budget ? <MoneyList items={site.remaining} /> : t("sites.noLimit")}</dd>
        </div>
      </dl>
      {error && <ErrorNote title={t("sites.failed")} error={error} />}
      {editing ? (
        <SiteEditor
          site={site}
          onCancel={() => setEditing(false)}
          onSaved={(s) => {
            setEditing(false);
            notify(t("sites.saved", { origin: s.origin }));
            onChanged(s);
          }}
        />
      ) : (
        <div className="actions actions-start">
          <button
            ref={editButton}
            type="button"
            className="site-edit"
            aria-label={t("a11y.editSite", { origin: site.origin })}
            onClick={() => setEditing(true)}
            disabled={busy}
          >
            {t("common.edit")}
          </button>
          <button
            type="button"
            aria-label={t(site.blocked ? "a11y.unblockSite" : "a11y.blockSite", {
              origin: site.origin,
            })}
            onClick={() => void toggleBlock()}
            disabled={busy}
          >
            {site.blocked ? t("sites.unblock") : t("sites.block")}
          </button>
          {confirming ? (
            <>
              <button
                ref={confirmButton}
                type="button"
                className="button-danger"
                onClick={() => void remove()}
                disabled={busy}
              >
                {t("sites.confirmRemove", { origin: site.origin })}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t("common.cancel")}
              </button>
            </>
          ) : (
            <button
              ref={removeButton}
              type="button"
              aria-label={t("a11y.removeSite", { origin: site.origin })}
              onClick={() => setConfirming(true)}
              disabled={busy}
            >
              {t("common.remove")}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function Sites() {
  const { t } = usePreferences();
  const [list, setList] = useState<SiteDto[] | null>(null);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  // A removed card took focus with it: the card now in its place (or the last one) gets it.
  const removedAt = useRef<number | null>(null);
  useEffect(() => {
    const at = removedAt.current;
    if (at === null || list === null) return;
    removedAt.current = null;
    const edits = listRef.current?.querySelectorAll<HTMLElement>(".site-edit") ?? [];
    const next = edits[Math.min(at, edits.length - 1)];
    if (next) next.focus();
    else focusHeading();
  }, [list]);

  const load = useCallback(() => {
    backend.sites().then(
      (s) => {
        setList(s);
        setError(null);
      },
      (e) => setError(toAppError(e)),
    );
  }, []);
  useEffect(load, [load]);

  return (
    <>
      <div className="screen-head">
        <h1>{t("sites.title")}</h1>
      </div>
      <p className="lead">{t("sites.intro")}</p>
      {error && <ErrorNote title={t("settings.loadFailed")} error={error} />}
      {list === null && !error && <p className="muted">{t("app.loading")}</p>}
      {list?.length === 0 && <p className="card muted">{t("sites.empty")}</p>}
      {list && list.length > 0 && (
        <ul className="sites" ref={listRef}>
          {list.map((s) => (
            <SiteCard
              key={s.origin}
              site={s}
              onChanged={(n) => setList((l) => l?.map((x) => (x.origin === n.origin ? n : x)) ?? l)}
              onRemoved={(o) => {
                removedAt.current = list.findIndex((x) => x.origin === o);
                setList((l) => l?.filter((x) => x.origin !== o) ?? l);
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}
