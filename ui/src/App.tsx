import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { ApprovalPrompt } from "./components/ApprovalPrompt";
import { ErrorNote } from "./components/ErrorNote";
import { PairingDialog } from "./components/PairingDialog";
import { Toasts } from "./components/Toasts";
import { focusHeading } from "./lib/focus";
import { usePreferences } from "./lib/preferences";
import { useWallet } from "./lib/wallet";
import { Dashboard } from "./screens/Dashboard";
import { History } from "./screens/History";
import { Onboarding } from "./screens/Onboarding";
import { OpenPage } from "./screens/OpenPage";
import { SCREENS, type Screen } from "./screens/screens";
import { Settings } from "./screens/Settings";
import { Sites } from "./screens/Sites";
import { Topup } from "./screens/Topup";
import { Unlock } from "./screens/Unlock";

// The charts library is loaded with the insights, not at start.
const Insights = lazy(() => import("./screens/Insights").then((m) => ({ default: m.Insights })));

function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <circle cx="16" cy="16" r="15" />
      <path d="M21 11.5a6.5 6.5 0 1 0 0 9" />
    </svg>
  );
}

/** `arrived`: the wallet was just created or unlocked (not ready at start). */
function Shell({ arrived }: { arrived: boolean }) {
  const { t } = usePreferences();
  const wallet = useWallet();
  const [screen, setScreen] = useState<Screen>("dashboard");

  // Arriving on a screen (from the sidebar, or from creating or unlocking the wallet) moves
  // focus to its heading, for keyboard and screen-reader users. At start, focus is left at
  // the page's top, where the skip link is first.
  const focused = useRef<Screen | null>(arrived ? null : screen);
  useEffect(() => {
    if (focused.current === screen) return;
    focused.current = screen;
    window.requestAnimationFrame(focusHeading);
  }, [screen]);
  const go = setScreen;

  const labels: Record<Screen, string> = {
    dashboard: t("nav.dashboard"),
    history: t("nav.history"),
    insights: t("nav.insights"),
    topup: t("nav.topup"),
    open: t("nav.open"),
    sites: t("nav.sites"),
    settings: t("nav.settings"),
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <nav className="sidebar" aria-label={t("nav.label")}>
        <div className="brand">
          <Logo />
          <span>{t("app.name")}</span>
        </div>
        <ul>
          {SCREENS.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="nav-item"
                aria-current={screen === s ? "page" : undefined}
                onClick={() => go(s)}
              >
                {labels[s]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1} data-screen={screen}>
        {wallet.status?.integrityWarning && (
          <ErrorNote title={t("dashboard.integrityTitle")} error={wallet.status.integrityWarning} />
        )}
        {wallet.linkError && (
          <ErrorNote
            title={t("linkRefused.title")}
            error={wallet.linkError}
            onDismiss={wallet.dismissLinkError}
            dismissLabel={t("common.dismiss")}
          />
        )}
        {screen === "dashboard" && <Dashboard go={go} />}
        {screen === "history" && <History />}
        {screen === "insights" && (
          <Suspense fallback={<p className="muted">{t("app.loading")}</p>}>
            <Insights />
          </Suspense>
        )}
        {screen === "topup" && <Topup />}
        {screen === "open" && <OpenPage />}
        {screen === "sites" && <Sites />}
        {screen === "settings" && <Settings />}
      </main>
    </div>
  );
}

export function App() {
  const { t } = usePreferences();
  const wallet = useWallet();
  const { status, startError, prompts } = wallet;
  const current = prompts[0];
  // The wallet's state when the app started: arriving at "ready" later moves focus.
  const [startState, setStartState] = useState<string | null>(null);
  if (status && startState === null) setStartState(status.state);

  let body;
  if (startError) {
    body = (
      <main id="main" className="welcome">
        <div className="card welcome-card">
          <ErrorNote title={t("app.startFailed")} error={startError} />
          <div className="actions">
            <button type="button" onClick={wallet.retryStart}>
              {t("app.retry")}
            </button>
          </div>
        </div>
      </main>
    );
  } else if (!status) {
    body = (
      <main id="main" className="welcome">
        <p className="muted">{t("app.loading")}</p>
      </main>
    );
  } else if (status.state === "no_wallet") body = <Onboarding status={status} />;
  else if (status.state === "locked") body = <Unlock />;
  else body = <Shell arrived={startState !== "ready"} />;

  return (
    <>
      {body}
      {status?.state === "ready" && current && (
        <ApprovalPrompt key={current.id} prompt={current} waiting={prompts.length - 1} />
      )}
      {status && <PairingDialog />}
      <Toasts />
    </>
  );
}
