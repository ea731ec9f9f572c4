import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import {
  EVENTS,
  type AppErrorDto,
  type ExportProgressDto,
  type PairingRequestDto,
  type PaymentResultDto,
  type PromptDto,
} from "./bindings";

export interface BackendEventHandlers {
  onPrompt: (prompt: PromptDto) => void;
  onPaymentMade: (result: PaymentResultDto) => void;
  onWalletChanged: () => void;
  onLinkRefused: (error: AppErrorDto) => void;
}

/** Subscribes to every backend event; the returned function unsubscribes them all. */
export function subscribe(handlers: BackendEventHandlers): () => void {
  const pending: Promise<UnlistenFn>[] = [
    listen<PromptDto>(EVENTS.paymentPrompt, (e) => handlers.onPrompt(e.payload)),
    listen<PaymentResultDto>(EVENTS.paymentMade, (e) => handlers.onPaymentMade(e.payload)),
    listen<unknown>(EVENTS.walletChanged, () => handlers.onWalletChanged()),
    listen<AppErrorDto>(EVENTS.linkRefused, (e) => handlers.onLinkRefused(e.payload)),
  ];
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    for (const p of pending) {
      p.then((unlisten) => unlisten()).catch(() => undefined);
    }
  };
}

/** Listens to the running export's progress; the returned function stops listening. */
export function onExportProgress(handler: (p: ExportProgressDto) => void): () => void {
  const pending = listen<ExportProgressDto>(EVENTS.exportProgress, (e) => handler(e.payload));
  return () => void pending.then((unlisten) => unlisten()).catch(() => undefined);
}

/** Calls `handler` each time a sync with an issuer ends; the returned function stops it. */
export function onSyncFinished(handler: () => void): () => void {
  const pending = listen<unknown>(EVENTS.syncFinished, () => handler());
  return () => void pending.then((unlisten) => unlisten()).catch(() => undefined);
}

/** Pairing requests from the browser extension as they arrive, and as they end (answered or
 * expired); the returned function stops listening. */
export function onPairing(
  onRequest: (r: PairingRequestDto) => void,
  onEnded: (id: string) => void,
): () => void {
  const pending = [
    listen<PairingRequestDto>(EVENTS.pairingRequest, (e) => onRequest(e.payload)),
    listen<string>(EVENTS.pairingEnded, (e) => onEnded(e.payload)),
  ];
  return () => {
    for (const p of pending) p.then((unlisten) => unlisten()).catch(() => undefined);
  };
}
