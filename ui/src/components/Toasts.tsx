import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

export function Toasts() {
  const { toasts, dismissToast } = useWallet();
  const { t } = usePreferences();
  return (
    <section className="toasts" aria-label={t("common.notifications")} aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} role="status">
          <p>{toast.text}</p>
          <button
            type="button"
            className="button-quiet"
            aria-label={t("common.dismiss")}
            onClick={() => dismissToast(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
