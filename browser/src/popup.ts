// The toolbar popup: balance, this tab's payments, the site's rule and last payments, pause,
// and the pairing (with its code while pairing). Everything is asked of the background; text
// goes in with textContent only.
import { ext } from "./api.js";
import { fill, language, messages } from "./i18n.js";
import type { PopupAnswer, PopupRequest, PopupState } from "./messages.js";
import { display } from "./money.js";
import { totals } from "./tabstate.js";

const lang = language(navigator.language);
const t = messages(lang);
document.documentElement.lang = lang;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: { class?: string; text?: string; id?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (attrs.class) e.className = attrs.class;
  if (attrs.id) e.id = attrs.id;
  if (attrs.text !== undefined) e.textContent = attrs.text;
  for (const c of children) e.append(c);
  return e;
}

function send(req: PopupRequest): Promise<PopupAnswer> {
  return ext.runtime.sendMessage(req) as Promise<PopupAnswer>;
}

/** The tab the popup is about: the active one, or `?tab=` when opened as a page (tests). */
async function currentTab(): Promise<number | null> {
  const given = new URLSearchParams(location.search).get("tab");
  if (given && /^\d+$/.test(given)) return Number.parseInt(given, 10);
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function problemText(code: string): string {
  return t.problems[code] ?? fill(t.problemOther, { code });
}

function pairingSection(s: PopupState, refresh: () => void): HTMLElement {
  const sec = el("section", { id: "pairing" });
  const p = s.pairing;
  if (p.state === "paired") {
    sec.append(el("p", { class: "small", text: `✓ ${t.paired}` }));
    return sec;
  }
  if (p.state === "pairing") {
    if (p.code) {
      sec.append(
        el("p", { text: t.pairingCode }),
        el("p", { class: "code", id: "code", text: p.code }),
      );
    } else {
      sec.append(el("p", { text: t.asking }));
    }
    return sec;
  }
  sec.append(el("p", { text: t.notPaired }));
  if (p.reason) sec.append(el("p", { class: "warn", text: problemText(p.reason) }));
  const b = el("button", { text: p.reason ? t.pairAgain : t.pair, id: "pair" });
  b.addEventListener("click", () => {
    b.disabled = true;
    void send({ type: "pair" }).finally(refresh);
  });
  sec.append(b);
  return sec;
}

function statusSection(status: Record<string, unknown>, refresh: () => void): HTMLElement {
  const sec = el("section", { id: "status" });
  const balances = Array.isArray(status.balances)
    ? (status.balances as Record<string, unknown>[])
    : [];
  sec.append(el("h2", { text: t.balance }));
  for (const b of balances) {
    sec.append(el("p", { class: "balance", text: display(str(b.amount), str(b.asset), lang) }));
  }
  if (status.locked === true) sec.append(el("p", { class: "warn", text: t.locked }));
  if (status.paused === true) sec.append(el("p", { class: "warn", id: "paused", text: t.paused }));
  const pause = el("button", { class: "secondary", text: t.pause, id: "pause" });
  pause.disabled = status.paused === true;
  pause.addEventListener("click", () => {
    pause.disabled = true;
    void send({ type: "pause" }).finally(refresh);
  });
  sec.append(pause);
  return sec;
}

function tabSection(s: PopupState): HTMLElement {
  const sec = el("section", { id: "tab" }, el("h2", { text: t.thisTab }));
  const pays = s.tab.payments;
  if (pays.length === 0) {
    sec.append(el("p", { class: "small", text: t.tabNothing }));
  } else {
    const total = totals(pays)
      .map((x) => display(x.amount, x.asset, lang))
      .join(" + ");
    sec.append(el("p", { text: `${t.tabPaid}: ${total}` }));
    const ul = el("ul");
    for (const p of pays) {
      const path = new URL(p.url).pathname;
      const auto = p.automatic ? ` (${t.automatic})` : "";
      ul.append(el("li", { text: `${display(p.amount, p.asset, lang)} · ${path}${auto}` }));
    }
    sec.append(ul);
  }
  const n = s.tab.note;
  if (n && n.url === s.tabUrl && n.outcome !== "paid") {
    sec.append(el("p", { class: "small", id: "note", text: t.notes[n.outcome] ?? n.outcome }));
  }
  return sec;
}

function ruleText(rule: Record<string, unknown>, asset: string): string {
  switch (rule.mode) {
    case "auto_pay": {
      const period = str(rule.period);
      return fill(t.ruleAutoPay, {
        budget: display(str(rule.budget) || "0", asset, lang),
        period: (t as unknown as Record<string, string>)[period] ?? period,
        spent: display(str(rule.spent) || "0", asset, lang),
      });
    }
    case "blocked":
      return t.ruleBlocked;
    default:
      return t.ruleAsk;
  }
}

function siteSection(site: Record<string, unknown>, asset: string): HTMLElement {
  const sec = el(
    "section",
    { id: "site" },
    el("h2", { text: t.site }),
    el("p", { class: "origin", text: str(site.origin) }),
  );
  const rule = (site.rule ?? {}) as Record<string, unknown>;
  sec.append(el("p", { id: "rule", text: ruleText(rule, asset) }));
  const pays = Array.isArray(site.payments) ? (site.payments as Record<string, unknown>[]) : [];
  sec.append(el("h2", { text: t.lastPayments }));
  if (pays.length === 0) {
    sec.append(el("p", { class: "small", text: t.noPayments }));
    return sec;
  }
  const fmt = new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
  });
  const ul = el("ul", { id: "site-payments" });
  for (const p of pays) {
    const at = new Date(str(p.at));
    const when = Number.isNaN(at.getTime()) ? "" : fmt.format(at);
    let path = str(p.resource) || str(p.description);
    try {
      path = new URL(path).pathname;
    } catch {
      // not a URL: shown as it is
    }
    ul.append(
      el("li", { text: `${display(str(p.amount), str(p.asset), lang)} · ${path} · ${when}` }),
    );
  }
  sec.append(ul);
  return sec;
}

async function render(tabId: number | null): Promise<PopupState | null> {
  const root = document.getElementById("root");
  if (!root) return null;
  const got = await send({ type: "state", tabId });
  const refresh = () => void watch(tabId);
  root.replaceChildren(el("h1", { text: t.title }));
  if (!got.ok || !got.state) {
    root.append(el("p", { class: "warn", text: problemText(got.ok ? "bad_answer" : got.code) }));
    return null;
  }
  const s = got.state;
  if (s.status) root.append(statusSection(s.status, refresh));
  root.append(tabSection(s));
  const asset = str(
    ((s.status?.balances as Record<string, unknown>[] | undefined) ?? [])[0]?.asset ?? "",
  );
  if (s.site) root.append(siteSection(s.site, asset));
  if (s.problem) root.append(el("p", { class: "warn", text: problemText(s.problem) }));
  root.append(pairingSection(s, refresh));
  root.dataset.state = s.pairing.state;
  return s;
}

let watching = 0;

/** While pairing the code arrives, then the app's answer: look again until paired or not. */
async function watch(tabId: number | null): Promise<void> {
  watching += 1;
  const mine = watching;
  for (;;) {
    const s = await render(tabId);
    if (mine !== watching || s?.pairing.state !== "pairing") return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

void currentTab().then(watch);
