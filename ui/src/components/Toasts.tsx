import { useEffect, useRef, useState } from "react";
import { usePreferences } from "../lib/preferences";
import { useWallet } from "../lib/wallet";

/** Whether two boxes overlap. */
function overlaps(a: DOMRect, b: DOMRect) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Notices in a live region that is always in the page (a region added with its text is not
 * reliably read). While a modal is open they wait, since the page behind it is inert. They go
 * to the top of the window when they would cover the focused control (at 200% zoom they did).
 */
export function Toasts() {
  const { toasts, dismissToast, modalOpen } = useWallet();
  const { t } = usePreferences();
  const region = useRef<HTMLElement>(null);
  const [top, setTop] = useState(false);

  const shown = modalOpen ? [] : toasts;
  const check = useRef(() => {
    const el = region.current;
    const focused = document.activeElement;
    if (!el || !(focused instanceof HTMLElement) || el.contains(focused)) return;
    const box = el.getBoundingClientRect();
    // Measured where the region sits at the bottom: moving it up must not flip it back.
    const bottom = new DOMRect(box.x, window.innerHeight - box.height - 16, box.width, box.height);
    setTop(box.height > 0 && overlaps(bottom, focused.getBoundingClientRect()));
  });
  useEffect(() => check.current(), [shown.length]);
  useEffect(() => {
    const c = check.current;
    document.addEventListener("focusin", c);
    window.addEventListener("resize", c);
    return () => {
      document.removeEventListener("focusin", c);
      window.removeEventListener("resize", c);
    };
  }, []);

  return (
    <section
      ref={region}
      className={`toasts${top ? " toasts-top" : ""}`}
      aria-label={t("common.notifications")}
      aria-live="polite"
    >
      {shown.map((toast) => (
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
