// Between the popup and the background (runtime messages; only the popup sends them: there is
// no content script, and no page can message this extension).
import type { PairingView } from "./bridge.js";
import type { TabState } from "./tabstate.js";

export type PopupRequest =
  { type: "state"; tabId: number | null } | { type: "pair" } | { type: "pause" };

export interface PopupState {
  pairing: PairingView;
  /** The app's `status` answer, when paired and reachable. */
  status: Record<string, unknown> | null;
  /** The app's `site` answer for the tab's URL. */
  site: Record<string, unknown> | null;
  tab: TabState;
  tabUrl: string | null;
  /** Why status or site could not be had (a code, shown translated). */
  problem: string | null;
}

export type PopupAnswer = { ok: true; state?: PopupState } | { ok: false; code: string };
