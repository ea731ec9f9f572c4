import { useEffect, useId, useRef, useState } from "react";
import { backend, onPairing, type PairingRequestDto } from "../lib/backend";
import { trapTab } from "../lib/focus";
import { usePreferences } from "../lib/preferences";

/**
 * The browser extension asks to be paired: the caller, its label and the code its popup shows
 * too, so that the user compares two screens before clicking Pair. Escape or closing declines.
 */
export function PairingDialog() {
  const { t } = usePreferences();
  const [requests, setRequests] = useState<PairingRequestDto[]>([]);
  const dialog = useRef<HTMLDialogElement>(null);
  const declineButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const current = requests[0];

  useEffect(() => {
    const add = (r: PairingRequestDto) =>
      setRequests((list) => (list.some((x) => x.id === r.id) ? list : [...list, r]));
    const stop = onPairing(add, (id) => setRequests((list) => list.filter((r) => r.id !== id)));
    // Asked before the window listened (started in the background).
    backend.pendingPairings().then(
      (list) => list.forEach(add),
      () => undefined,
    );
    return stop;
  }, []);

  useEffect(() => {
    const d = dialog.current;
    if (!current || !d) return;
    if (!d.open) d.showModal();
    declineButton.current?.focus();
  }, [current]);

  if (!current) return null;

  async function answer(accept: boolean) {
    const id = current?.id;
    if (!id) return;
    setRequests((list) => list.filter((r) => r.id !== id));
    dialog.current?.close();
    try {
      await backend.answerPairing(id, accept);
    } catch {
      // Expired meanwhile: the extension was told already.
    }
  }

  return (
    <dialog
      ref={dialog}
      className="prompt"
      aria-labelledby={titleId}
      data-testid="pairing-dialog"
      onKeyDown={trapTab}
      onCancel={(e) => {
        e.preventDefault();
        void answer(false);
      }}
    >
      <header className="prompt-head">
        <p className="prompt-kicker" id={titleId}>
          {t("pairing.title")}
        </p>
      </header>
      <p>{t("pairing.asks", { label: current.label })}</p>
      <p className="small mono muted break">{current.caller}</p>
      <p>{t("pairing.compare")}</p>
      <p className="strong mono pairing-code" data-testid="pairing-code">
        {current.code}
      </p>
      <p className="small muted">{t("pairing.help")}</p>
      <div className="actions">
        <button ref={declineButton} type="button" onClick={() => void answer(false)}>
          {t("pairing.decline")}
        </button>
        <button
          type="button"
          className="button-primary"
          data-testid="pairing-pair"
          onClick={() => void answer(true)}
        >
          {t("pairing.pair")}
        </button>
      </div>
    </dialog>
  );
}
