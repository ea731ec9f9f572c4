// The background (Chromium's service worker, Firefox's background script). Listeners are
// registered synchronously at the top so that a restarted worker sees the first event.
import { ext } from "./api.js";
import { Bridge, BridgeError } from "./bridge.js";
import type { PopupAnswer, PopupRequest, PopupState } from "./messages.js";
import type { Response402 } from "./offer.js";
import { Paywall } from "./paywall.js";
import { forgetTabRules } from "./rules.js";
import { forgetTab, showBadge, tabState } from "./tabstate.js";

const bridge = new Bridge();
const paywall = new Paywall(bridge);
const ASK_TIMEOUT_MS = 10_000;

ext.webRequest.onHeadersReceived.addListener(
  (d) => {
    paywall.onResponse(d as Response402);
    return undefined;
  },
  { urls: ["http://*/*", "https://*/*"], types: ["main_frame", "xmlhttprequest"] },
  ["responseHeaders"],
);

ext.tabs.onRemoved.addListener((tabId) => {
  void forgetTabRules(tabId);
  void forgetTab(tabId);
});

// Firefox resets a tab's badge when it navigates; set it again.
ext.tabs.onUpdated.addListener((tabId, info) => {
  if (info.status === "complete") void showBadge(tabId);
});

ext.runtime.onMessage.addListener((msg: PopupRequest, sender, reply: (a: PopupAnswer) => void) => {
  if (sender.id !== ext.runtime.id || !sender.url?.startsWith(ext.runtime.getURL("popup.html"))) {
    return false;
  }
  answer(msg).then(reply, (e: unknown) =>
    reply({ ok: false, code: e instanceof BridgeError ? e.code : "error" }),
  );
  return true;
});

async function answer(msg: PopupRequest): Promise<PopupAnswer> {
  switch (msg.type) {
    case "pair":
      await bridge.pair();
      return { ok: true };
    case "pause":
      await bridge.request({ type: "pause" }, ASK_TIMEOUT_MS);
      return { ok: true };
    case "state":
      return { ok: true, state: await popupState(msg.tabId) };
  }
}

async function popupState(tabId: number | null): Promise<PopupState> {
  const tab = tabId === null ? null : await ext.tabs.get(tabId).catch(() => null);
  const tabUrl = tab?.url && /^https?:/.test(tab.url) ? tab.url : null;
  const state: PopupState = {
    pairing: await bridge.view(),
    status: null,
    site: null,
    tab: tabId === null ? { payments: [] } : await tabState(tabId),
    tabUrl,
    problem: null,
  };
  if (state.pairing.state !== "paired") return state;
  try {
    state.status = await bridge.request({ type: "status" }, ASK_TIMEOUT_MS);
    if (tabUrl) state.site = await bridge.request({ type: "site", url: tabUrl }, ASK_TIMEOUT_MS);
  } catch (e) {
    state.problem = e instanceof BridgeError ? e.code : "error";
    state.pairing = await bridge.view();
  }
  return state;
}

// The end-to-end tests wait for this before the first navigation (a listener added later would
// miss it).
(globalThis as { centimeReady?: boolean }).centimeReady = true;
