// What each tab paid, kept in storage.session (it outlives a service worker restart, not the
// browser session), and the toolbar badge that shows it.
import { ext } from "./api.js";
import { badgeText, sum } from "./money.js";

export interface TabPayment {
  url: string;
  amount: string;
  asset: string;
  paymentId: string;
  automatic: boolean;
  at: string;
}

/** The last thing the wallet said about this tab's page, for the popup. */
export interface TabNote {
  url: string;
  outcome: string;
  detail?: string;
}

export interface TabState {
  payments: TabPayment[];
  note?: TabNote;
}

const key = (tabId: number) => `tab:${tabId}`;

export async function tabState(tabId: number): Promise<TabState> {
  const got = await ext.storage.session.get(key(tabId));
  const v = got[key(tabId)] as TabState | undefined;
  return v ?? { payments: [] };
}

async function save(tabId: number, state: TabState): Promise<void> {
  await ext.storage.session.set({ [key(tabId)]: state });
}

export async function recordPayment(tabId: number, p: TabPayment): Promise<void> {
  const s = await tabState(tabId);
  if (!s.payments.some((q) => q.paymentId === p.paymentId)) s.payments.push(p);
  await save(tabId, s);
  await showBadge(tabId);
}

export async function note(tabId: number, n: TabNote): Promise<void> {
  const s = await tabState(tabId);
  s.note = n;
  await save(tabId, s);
}

export async function forgetTab(tabId: number): Promise<void> {
  await ext.storage.session.remove(key(tabId));
}

/** The sum per asset; the badge shows it when the tab paid in one asset only. */
export function totals(payments: readonly TabPayment[]): { asset: string; amount: string }[] {
  const by = new Map<string, string[]>();
  for (const p of payments) by.set(p.asset, [...(by.get(p.asset) ?? []), p.amount]);
  return [...by].map(([asset, amounts]) => ({ asset, amount: sum(amounts) }));
}

export async function showBadge(tabId: number): Promise<void> {
  const t = totals((await tabState(tabId)).payments);
  const text = t.length === 1 && t[0] ? badgeText(t[0].amount) : t.length > 1 ? "+" : "";
  try {
    await ext.action.setBadgeBackgroundColor({ tabId, color: "#1f6f43" });
    await ext.action.setBadgeText({ tabId, text });
  } catch {
    // the tab closed meanwhile
  }
}
