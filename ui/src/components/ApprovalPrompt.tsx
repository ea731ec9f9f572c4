import { useEffect, useId, useRef, useState } from "react";
import {
  backend,
  toAppError,
  type AppErrorDto,
  type PeriodDto,
  type PromptDto,
} from "../lib/backend";
import { normalizeAmountInput, looksLikeAmount } from "../lib/amount";
import { restoreFocus, trapTab } from "../lib/focus";
import { usePreferences } from "../lib/preferences";
import { payDelayMs, promptPhase } from "../lib/promptTiming";
import { reasonText } from "../lib/reason";
import { formatCountdown } from "../lib/time";
import { useWallet } from "../lib/wallet";
import { AmountField, SelectField } from "./Field";
import { ErrorNote } from "./ErrorNote";

const PERIODS: PeriodDto[] = ["day", "week", "month"];
/** How often the countdowns are redrawn. */
const TICK_MS = 200;

/** A modal that traps focus; Escape declines. */
export function ApprovalPrompt({ prompt, waiting }: { prompt: PromptDto; waiting: number }) {
  const { t, money } = usePreferences();
  const wallet = useWallet();
  const dialog = useRef<HTMLDialogElement>(null);
  const declineButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  // What a screen reader says on opening, after the title: who asks, and for how much.
  const originId = `${titleId}-origin`;
  const asksId = `${titleId}-asks`;
  const [armedAt, setArmedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorDto | null>(null);
  const [always, setAlways] = useState(false);
  const [budget, setBudget] = useState("");
  const [period, setPeriod] = useState<PeriodDto>("month");
  const [budgetError, setBudgetError] = useState<string | null>(null);

  const refused = prompt.decision === "refuse";
  const phase = promptPhase(now, armedAt, prompt.expiresAt, payDelayMs(prompt.source));
  const fromSite = wallet.prompts.filter((p) => p.origin === prompt.origin).length;
  const price = money(prompt.price, prompt.asset);

  const { openModal } = wallet;
  useEffect(() => openModal(), [openModal]);

  useEffect(() => {
    // After Pay, Decline or Escape, focus goes back where it was (or to the screen's heading).
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    declineButton.current?.focus();
    const tick = window.setInterval(() => setNow(Date.now()), TICK_MS);
    // Coming back to the window re-arms the delay: a click meant for something else that lands
    // here as the window appears must not pay.
    const rearm = () => setArmedAt(Date.now());
    window.addEventListener("focus", rearm);
    return () => {
      window.clearInterval(tick);
      window.removeEventListener("focus", rearm);
      if (d?.open) d.close();
      restoreFocus(returnTo);
    };
  }, []);

  // New content under the pointer (another request, a changed price) re-arms the delay too:
  // adjusted while rendering, so the new content is never shown with Pay already armed.
  const content = `${prompt.id}|${prompt.price}|${prompt.asset}|${prompt.origin}|${prompt.resource}`;
  const [armedFor, setArmedFor] = useState(content);
  if (armedFor !== content) {
    setArmedFor(content);
    // `now` is at most one tick old: arm from the tick's end, so the wait is never shorter.
    setArmedAt(now + TICK_MS);
  }

  const expired = phase.expired;
  const { dropPrompt, notify } = wallet;
  const expiryHandled = useRef(false);
  useEffect(() => {
    if (!expired || expiryHandled.current) return;
    expiryHandled.current = true;
    dropPrompt(prompt.id);
    notify(t("prompt.expired", { origin: prompt.origin }), "error");
  }, [expired, prompt.id, prompt.origin, t, dropPrompt, notify]);

  async function pay() {
    if (!phase.payEnabled || busy || refused) return;
    let alwaysAllow = null;
    if (always) {
      if (!looksLikeAmount(budget)) {
        setBudgetError(t("amount.invalid"));
        return;
      }
      alwaysAllow = { budget: normalizeAmountInput(budget), period };
    }
    setBusy(true);
    setError(null);
    try {
      const result = await backend.approvePrompt({ promptId: prompt.id, alwaysAllow });
      wallet.dropPrompt(prompt.id);
      wallet.announcePayment(result);
    } catch (e) {
      setError(toAppError(e));
      setBusy(false);
    }
  }

  async function decline() {
    if (busy) return;
    setBusy(true);
    try {
      await backend.declinePrompt(prompt.id);
    } catch {
      // Declining a request the backend no longer holds changes nothing: it is gone either way.
    }
    wallet.dropPrompt(prompt.id);
    if (!refused) wallet.notify(t("prompt.declined", { origin: prompt.origin }));
  }

  async function declineSite() {
    if (busy) return;
    setBusy(true);
    try {
      await backend.declineSitePrompts(prompt.origin);
    } catch {
      // As for one prompt: what the backend no longer holds is gone either way.
    }
    wallet.dropPromptsOf(prompt.origin);
    wallet.notify(t("prompt.declinedSite", { origin: prompt.origin }));
  }

  const allowance =
    prompt.allowanceLeft !== null && prompt.allowancePeriod !== null
      ? t("prompt.allowanceValue", {
          amount: money(prompt.allowanceLeft, prompt.asset),
          period: t(`period.current.${prompt.allowancePeriod}`),
        })
      : prompt.allowanceLeft !== null
        ? money(prompt.allowanceLeft, prompt.asset)
        : t("prompt.noAllowance");

  return (
    <dialog
      ref={dialog}
      className="prompt"
      aria-labelledby={titleId}
      aria-describedby={`${originId} ${asksId}`}
      onKeyDown={trapTab}
      onPointerEnter={() => setArmedAt(Date.now())}
      onCancel={(e) => {
        e.preventDefault();
        void decline();
      }}
    >
      <header className="prompt-head">
        <p className="prompt-kicker" id={titleId}>
          {t("prompt.title")}
          {waiting > 0 && (
            <span className="prompt-more"> · {t("prompt.more", { count: waiting })}</span>
          )}
        </p>
        <p className="prompt-origin" id={originId}>
          {prompt.origin}
        </p>
        <p className="prompt-asks" id={asksId}>
          {t("prompt.asks")} <strong className="prompt-price">{price}</strong>
        </p>
      </header>

      {prompt.plainHttp && (
        <div className="note note-error" role="alert">
          <p className="strong">{t("prompt.plainHttp")}</p>
        </div>
      )}

      <dl className="facts">
        {/* The certified name says who is paid; the page's own name is only its claim. */}
        <div>
          <dt>{t("prompt.merchant")}</dt>
          {prompt.certified ? (
            <dd>
              {t("prompt.verifiedBy", {
                name: prompt.certified.name,
                issuer: prompt.certified.issuer,
              })}
            </dd>
          ) : (
            <dd>
              {prompt.merchantName && <span className="block">{prompt.merchantName}</span>}
              <span className="muted">{t("prompt.notVerified")}</span>
            </dd>
          )}
        </div>
        <div>
          <dt>{t("prompt.page")}</dt>
          <dd className="break">
            {prompt.pageTitle && <span className="block">{prompt.pageTitle}</span>}
            <span className="muted">{prompt.resource}</span>
          </dd>
        </div>
        <div>
          <dt>{t("prompt.price")}</dt>
          <dd>{price}</dd>
        </div>
        <div>
          <dt>{t("prompt.balanceAfter")}</dt>
          <dd>{money(prompt.balanceAfter, prompt.asset)}</dd>
        </div>
        <div>
          <dt>{t("prompt.allowanceLeft")}</dt>
          <dd>{allowance}</dd>
        </div>
      </dl>

      <div className={`note ${refused ? "note-error" : "note-info"}`}>
        {refused && <p className="strong">{t("prompt.refused")}</p>}
        <p>
          <strong>{refused ? t("prompt.whyRefused") : t("prompt.why")}:</strong>{" "}
          {reasonText(prompt, t, money)}
        </p>
        <p className="muted small">
          {prompt.source === "browser"
            ? t("prompt.source.browser", { origin: prompt.origin })
            : t(prompt.source === "link" ? "prompt.source.link" : "prompt.source.typed")}
        </p>
      </div>

      {!refused && (
        <fieldset className="always">
          <label className="check">
            <input type="checkbox" checked={always} onChange={(e) => setAlways(e.target.checked)} />
            <span>{t("prompt.alwaysAllow")}</span>
          </label>
          <div className="always-row">
            <AmountField
              label={t("prompt.budget")}
              value={budget}
              disabled={!always}
              error={budgetError}
              onChange={(e) => {
                setBudget(e.target.value);
                setBudgetError(null);
              }}
            />
            <SelectField
              label={t("prompt.period")}
              value={period}
              disabled={!always}
              onChange={(e) => setPeriod(e.target.value as PeriodDto)}
            >
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  {t(`period.${p}`)}
                </option>
              ))}
            </SelectField>
          </div>
        </fieldset>
      )}

      {error && <ErrorNote title={t("prompt.failed")} error={error} />}

      <footer className="prompt-foot">
        <p className="muted small" aria-live="off">
          {t("prompt.expiresIn", { time: formatCountdown(phase.secondsLeft) })}
        </p>
        <div className="actions">
          {fromSite > 1 && (
            <button type="button" onClick={() => void declineSite()} disabled={busy}>
              {t("prompt.declineSite", { count: String(fromSite) })}
            </button>
          )}
          <button ref={declineButton} type="button" onClick={() => void decline()} disabled={busy}>
            {refused ? t("common.close") : t("prompt.decline")}
          </button>
          {!refused && (
            <button
              type="button"
              className="button-primary"
              onClick={() => void pay()}
              disabled={!phase.payEnabled || busy}
            >
              {busy
                ? t("prompt.paying")
                : phase.payEnabled
                  ? t("prompt.pay", { amount: price })
                  : t("prompt.payIn", { seconds: Math.max(1, phase.payInSeconds) })}
            </button>
          )}
        </div>
      </footer>
    </dialog>
  );
}
