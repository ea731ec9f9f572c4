// The 402 loop (docs/browser.md, "The extension"): a top-level 402 with a Centime offer asks the
// app to pay the URL (the app fetches it itself and decides); an authorization back becomes a
// header rule for that URL and tab, then the tab reloads. Sub-resources go the same way under
// the site's auto-pay rule only, without a reload (the page's script retries).
import { ext } from "./api.js";
import { BridgeError, type Bridge } from "./bridge.js";
import { authorize, findRule, removeRule, type Scope } from "./rules.js";
import { isOffer, type Response402 } from "./offer.js";
import { note, recordPayment } from "./tabstate.js";

/** Outcomes that carry an authorization to send (docs/browser.md, the `pay` answer). */
const WITH_HEADER = new Set(["paid", "entitled", "already_paid"]);

export class Paywall {
  private inFlight = new Set<string>();
  /** Rules just set whose request has not been answered yet: a 402 to one of them is final. */
  private fresh = new Set<string>();

  constructor(private readonly bridge: Bridge) {}

  /** Every top-level and XHR response of a tab; returns at once, pays in the background. */
  onResponse(d: Response402): void {
    const scope: Scope = d.type === "main_frame" ? "main_frame" : "xmlhttprequest";
    const key = `${d.tabId} ${scope} ${d.url}`;
    const justAuthorized = this.fresh.delete(key);
    if (!isOffer(d)) return;
    void this.on402(d, scope, key, justAuthorized);
  }

  private async on402(d: Response402, scope: Scope, key: string, final: boolean): Promise<void> {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      const existing = await findRule(d.url, scope, d.tabId);
      if (existing !== null) await removeRule(existing);
      if (final) {
        // A 402 again with the authorization just set: the site's 402 stays; no loop.
        await note(d.tabId, { url: d.url, outcome: "refused_by_site" });
        return;
      }
      if (!(await this.bridge.paired())) {
        await note(d.tabId, { url: d.url, outcome: "unpaired" });
        return;
      }
      await this.pay(d, scope);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async pay(d: Response402, scope: Scope): Promise<void> {
    const kind = scope === "main_frame" ? "page" : "resource";
    let answer: Record<string, unknown>;
    try {
      answer = await this.bridge.request({ type: "pay", url: d.url, kind });
    } catch (e) {
      const code = e instanceof BridgeError ? e.code : "error";
      await note(d.tabId, { url: d.url, outcome: "error", detail: code });
      return;
    }
    const outcome = String(answer.outcome ?? "");
    const header = typeof answer.header === "string" ? answer.header : "";
    const reason = typeof answer.reason === "string" ? answer.reason : undefined;
    await note(d.tabId, { url: d.url, outcome, detail: reason });
    if (!WITH_HEADER.has(outcome) || !header) return;
    await authorize(d.url, scope, d.tabId, header);
    this.fresh.add(`${d.tabId} ${scope} ${d.url}`);
    if (outcome === "paid" && typeof answer.amount === "string") {
      await recordPayment(d.tabId, {
        url: d.url,
        amount: answer.amount,
        asset: String(answer.asset ?? ""),
        paymentId: String(answer.paymentId ?? ""),
        automatic: answer.automatic === true,
        at: new Date().toISOString(),
      });
    }
    if (scope !== "main_frame") return;
    // An automatic payment can come back before the 402 page is even committed; a reload then
    // would be lost in the navigation still under way.
    const tab = await loaded(d.tabId);
    // The reader may have gone elsewhere while the prompt waited: reload only the page paid for.
    if (tab && tab.url === d.url) await ext.tabs.reload(d.tabId);
  }
}

const LOAD_WAIT_MS = 15_000;

/** The tab once it has finished loading (null if it closed, or after LOAD_WAIT_MS as it is). */
async function loaded(tabId: number): Promise<chrome.tabs.Tab | null> {
  const now = await ext.tabs.get(tabId).catch(() => null);
  if (!now || now.status === "complete") return now;
  return new Promise((resolve) => {
    const done = (t: chrome.tabs.Tab | null) => {
      clearTimeout(timer);
      ext.tabs.onUpdated.removeListener(onUpdated);
      resolve(t);
    };
    const onUpdated = (id: number, info: { status?: string }, t: chrome.tabs.Tab) => {
      if (id === tabId && info.status === "complete") done(t);
    };
    const timer = setTimeout(
      () => void ext.tabs.get(tabId).then(done, () => done(null)),
      LOAD_WAIT_MS,
    );
    ext.tabs.onUpdated.addListener(onUpdated);
    // It may have completed between the first look and the listener.
    void ext.tabs.get(tabId).then(
      (t) => t.status === "complete" && done(t),
      () => done(null),
    );
  });
}
