import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { ReactNode } from "react";
import {
  backend,
  subscribe,
  toAppError,
  type AppErrorDto,
  type AppStatus,
  type Dashboard,
  type PaymentResultDto,
  type PromptDto,
} from "./backend";
import { paymentText } from "./paymentText";
import { usePreferences } from "./preferences";

export interface Toast {
  id: number;
  kind: "info" | "error";
  text: string;
}

export interface Wallet {
  status: AppStatus | null;
  startError: AppErrorDto | null;
  dashboard: Dashboard | null;
  dashboardError: AppErrorDto | null;
  prompts: PromptDto[];
  toasts: Toast[];
  linkError: AppErrorDto | null;
  retryStart: () => void;
  setStatus: (s: AppStatus) => void;
  setDashboard: (d: Dashboard) => void;
  refresh: () => Promise<void>;
  pushPrompt: (p: PromptDto) => void;
  dropPrompt: (id: string) => void;
  /** Drops every prompt of a site ("Decline all from this site"). */
  dropPromptsOf: (origin: string) => void;
  notify: (text: string, kind?: Toast["kind"]) => void;
  /** Tells the user about a payment once, however many times it is reported (the command's
   * reply and the backend's payment-made event both carry it), and refreshes the numbers. */
  announcePayment: (result: PaymentResultDto) => void;
  dismissToast: (id: number) => void;
  dismissLinkError: () => void;
  /** Whether a modal dialog is open: toasts wait for it to close (the page behind is inert,
   * so a screen reader would never hear them). */
  modalOpen: boolean;
  /** Called by a modal as it opens; the returned function is called as it closes. */
  openModal: () => () => void;
}

/** How long an information toast stays once shown; error toasts stay until dismissed. */
const TOAST_MS = 8000;

const WalletContext = createContext<Wallet | null>(null);

export function WalletProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [startError, setStartError] = useState<AppErrorDto | null>(null);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [dashboardError, setDashboardError] = useState<AppErrorDto | null>(null);
  const [prompts, setPrompts] = useState<PromptDto[]>([]);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [linkError, setLinkError] = useState<AppErrorDto | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [modals, setModals] = useState(0);
  const nextToast = useRef(1);
  const prefs = usePreferences();
  const prefsRef = useRef(prefs);
  const statusRef = useRef(status);
  useEffect(() => {
    prefsRef.current = prefs;
    statusRef.current = status;
  });
  const ready = status?.state === "ready";

  const notify = useCallback((text: string, kind: Toast["kind"] = "info") => {
    const id = nextToast.current++;
    setToasts((ts) => [...ts.slice(-3), { id, kind, text }]);
  }, []);

  const openModal = useCallback(() => {
    setModals((m) => m + 1);
    return () => setModals((m) => m - 1);
  }, []);

  // An information toast's time starts when it is shown, that is once no modal is open.
  const timed = useRef(new Set<number>());
  useEffect(() => {
    if (modals > 0) return;
    for (const toast of toasts) {
      if (toast.kind === "error" || timed.current.has(toast.id)) continue;
      timed.current.add(toast.id);
      window.setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== toast.id)), TOAST_MS);
    }
  }, [toasts, modals]);

  const refresh = useCallback(
    () =>
      backend.dashboard().then(
        (d) => {
          setDashboard(d);
          setDashboardError(null);
        },
        (e: unknown) => setDashboardError(toAppError(e)),
      ),
    [],
  );

  const pushPrompt = useCallback((p: PromptDto) => {
    setPrompts((ps) => (ps.some((x) => x.id === p.id) ? ps : [...ps, p]));
  }, []);
  const dropPrompt = useCallback((id: string) => {
    setPrompts((ps) => ps.filter((x) => x.id !== id));
  }, []);
  const dropPromptsOf = useCallback((origin: string) => {
    setPrompts((ps) => ps.filter((x) => x.origin !== origin));
  }, []);

  const announced = useRef(new Set<string>());
  const handlePayment = useCallback(
    (r: PaymentResultDto) => {
      if (announced.current.has(r.paymentId)) return;
      announced.current.add(r.paymentId);
      notify(paymentText(r, prefsRef.current), r.status === "rejected" ? "error" : "info");
      void refresh();
    },
    [refresh, notify],
  );

  // The backend's own words (notifications, the tray menu) follow the window's language.
  const locale = prefs.locale;
  useEffect(() => {
    backend.setLocale(locale).catch(() => undefined);
  }, [locale]);
  // The backend starts refusing plain HTTP; the user's choice is told to it at every start.
  const plainHttp = prefs.plainHttp;
  useEffect(() => {
    backend.setPlainHttp(plainHttp).catch(() => undefined);
  }, [plainHttp]);

  // Start: where the wallet stands.
  useEffect(() => {
    let live = true;
    backend.appStatus().then(
      (s) => live && (setStatus(s), setStartError(null)),
      (e) => live && setStartError(toAppError(e)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  // Once ready: the numbers, and any prompt that was raised before the window listened.
  useEffect(() => {
    if (!ready) return;
    void refresh();
    backend.pendingPrompts().then(
      (ps) => ps.forEach(pushPrompt),
      () => undefined,
    );
  }, [ready, refresh, pushPrompt]);

  useEffect(
    () =>
      subscribe({
        onPrompt: pushPrompt,
        onPaymentMade: handlePayment,
        onWalletChanged: () => {
          backend.appStatus().then(setStatus, () => undefined);
          if (statusRef.current?.state === "ready") void refresh();
        },
        onLinkRefused: setLinkError,
      }),
    [pushPrompt, handlePayment, refresh],
  );

  const value = useMemo<Wallet>(
    () => ({
      status,
      startError,
      dashboard,
      dashboardError,
      prompts,
      toasts,
      linkError,
      retryStart: () => setAttempt((a) => a + 1),
      setStatus,
      setDashboard,
      refresh,
      pushPrompt,
      dropPrompt,
      dropPromptsOf,
      notify,
      announcePayment: handlePayment,
      dismissToast: (id) => setToasts((ts) => ts.filter((x) => x.id !== id)),
      dismissLinkError: () => setLinkError(null),
      modalOpen: modals > 0,
      openModal,
    }),
    [
      status,
      startError,
      dashboard,
      dashboardError,
      prompts,
      toasts,
      linkError,
      refresh,
      pushPrompt,
      dropPrompt,
      dropPromptsOf,
      notify,
      handlePayment,
      modals,
      openModal,
    ],
  );
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallet(): Wallet {
  const w = useContext(WalletContext);
  if (!w) throw new Error("useWallet outside WalletProvider");
  return w;
}
