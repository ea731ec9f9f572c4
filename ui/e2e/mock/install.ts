// Test-only: a stateful stand-in for the Rust backend, installed with mockIPC before the app
// loads (Playwright adds this bundle as an init script). Never part of the app's build.
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  AppStatus,
  Dashboard,
  EntryDto,
  EntryKind,
  EntryStatus,
  ExportArgs,
  ExportResultDto,
  HistoryFilterDto,
  IssuerDto,
  LimitsDto,
  PaymentResultDto,
  PromptDto,
  SiteDto,
  SyncStatusDto,
} from "../../src/lib/backend/bindings";
import { GeneratedHistory } from "./history";
import type { MockConfig, MockHandle } from "./types";

declare global {
  interface Window {
    __CENTIME_MOCK_CONFIG__?: MockConfig;
    __centime: MockHandle;
  }
}

const config: MockConfig = window.__CENTIME_MOCK_CONFIG__ ?? {};
const ASSET = "EUR";
const NETWORK = "demo";

// Money in the fake backend: BigInt micro-units, as strings at the edge.
const SCALE = 1_000_000n;
function micro(s: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (!m)
    throw {
      code: "invalid_input",
      message: `“${s}” is not an amount: use digits and a decimal point.`,
    };
  const v = BigInt(m[2] ?? "0") * SCALE + BigInt((m[3] ?? "").padEnd(6, "0") || "0");
  return m[1] ? -v : v;
}
function dec(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % SCALE).toString().padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${neg ? "-" : ""}${a / SCALE}.${frac}`;
}

let balance = micro(config.balance ?? "0");
let paused = false;
const recent: EntryDto[] = [];
const history = new GeneratedHistory(config.entries ?? 0, config.historySites ?? 12, () => [
  ...recent,
  ...unconfirmed,
]);
let entryId = history.size + 1;
const exports: { path: string; rows: number; format: string }[] = [];
let exportCancelled = false;
const unconfirmed: EntryDto[] = config.unconfirmed
  ? [entry("payment", "unconfirmed", "-0.20", "https://slow.example", "A slow article")]
  : [];
let spentToday = 0n;
const calls: { cmd: string; args: unknown }[] = [];
const prompts = new Map<string, PromptDto>();

const status: AppStatus = {
  state: config.state ?? "ready",
  keystore: config.state === "no_wallet" ? null : config.state === "locked" ? "file" : "os",
  osKeyringAvailable: config.osKeyringAvailable ?? true,
  osKeyringProblem:
    config.osKeyringAvailable === false
      ? "No Secret Service on the session bus (org.freedesktop.secrets)."
      : null,
  walletId: config.state === "no_wallet" ? null : "w-1",
  dataDir: "/home/reader/.local/share/centime",
  demo:
    config.demo === false
      ? null
      : {
          baseUrl: "http://127.0.0.1:8787",
          network: NETWORK,
          publicKey: "demo-issuer-key",
          testCard: "4242 4242 4242 4242",
          assets: ["EUR", "USD"],
        },
  integrityWarning: config.integrityWarning ?? null,
};

let sites: SiteDto[] = config.sites ?? [
  {
    origin: "https://news.example",
    blocked: false,
    autoPay: true,
    maxPerPayment: "0.50",
    budget: "2.00",
    period: "month",
    spentInPeriod: [{ amount: "0.35", asset: ASSET }],
    remaining: [{ amount: "1.65", asset: ASSET }],
  },
  {
    origin: "https://blog.example",
    blocked: true,
    autoPay: false,
    maxPerPayment: null,
    budget: null,
    period: null,
    spentInPeriod: [],
    remaining: [],
  },
];
let limits: LimitsDto = {
  paused: false,
  autoPayUnder: "0.05",
  dailyCap: "5.00",
  maxPerPayment: "1.00",
};
let issuers: IssuerDto[] = [
  {
    network: NETWORK,
    publicKey: "demo-issuer-key",
    name: "Demo issuer",
    url: "http://127.0.0.1:8787",
  },
];

/** Like the core's check of an issuer's address: an http(s) URL with a host. */
function checkIssuerUrl(url: string) {
  let ok: boolean;
  try {
    const u = new URL(url);
    ok = (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    ok = false;
  }
  if (!ok) {
    throw {
      code: "invalid_input",
      message: `the issuer's address ${JSON.stringify(url)} must be an http(s) URL`,
    };
  }
}

function entry(
  kind: EntryKind,
  st: EntryStatus,
  amount: string,
  site: string | null,
  description: string | null,
): EntryDto {
  return {
    id: entryId++,
    at: new Date(Date.UTC(2026, 10, 24, 9, 30 + entryId)).toISOString(),
    kind,
    status: st,
    amount,
    asset: ASSET,
    network: NETWORK,
    site,
    resource: site ? `${site}/article` : null,
    description,
    paymentId: kind === "payment" ? `pay-${entryId}` : null,
    settledWithoutReceipt: false,
  };
}

function dashboard(): Dashboard {
  return {
    balances:
      balance === 0n && recent.length === 0
        ? []
        : [{ network: NETWORK, amount: dec(balance), asset: ASSET, held: "0", heldUntil: null }],
    spentToday: spentToday === 0n ? [] : [{ amount: dec(spentToday), asset: ASSET }],
    spentThisMonth:
      spentToday === 0n ? [] : [{ amount: dec(spentToday + micro("1.20")), asset: ASSET }],
    recent: [...recent].reverse().slice(0, 10),
    unconfirmed,
    paused,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
let syncedAt = nowSeconds() - 180;
let syncHeld = config.sync === "held";

function syncStatus(): SyncStatusDto {
  const failing = config.sync === "failing";
  return {
    now: nowSeconds(),
    issuers: [
      {
        network: NETWORK,
        issuerName: "Demo issuer",
        issuerUrl: "http://127.0.0.1:8787",
        lastSync: {
          syncedAt,
          statementIssuedAt: syncedAt,
          done: {
            markedSettled: 2,
            refundsReversed: 1,
            refundsFinal: 0,
            paymentsRecovered: 0,
            creditsRecovered: 0,
          },
          issuerView: [
            { asset: ASSET, credited: "5.00", spent: "1.60", balance: "3.40", unsettled: null },
          ],
          walletView: [
            {
              asset: ASSET,
              credited: "5.00",
              spent: "1.80",
              balance: dec(balance),
              unsettled: "0.20",
            },
          ],
          issuerHighestSeq: "7",
          walletHighestSeq: "8",
          revoked: null,
          revokedAt: null,
          discrepancies: [],
          mayPay: !syncHeld,
        },
        hold: syncHeld ? { reason: "restored", detail: null, since: syncedAt } : null,
        flagged: [
          {
            paymentId: "pay-refused-1",
            payTo: "acct-news",
            site: "https://news.example",
            amount: { amount: "0.20", asset: ASSET },
            refusal: "expired",
            issuerSettledAt: syncedAt,
            flaggedAt: syncedAt,
          },
        ],
        syncing: false,
        nextSyncAt: nowSeconds() + (syncHeld ? 60 : 600),
        lastError: failing
          ? {
              code: "network",
              message: "http://127.0.0.1:8787/issuer/statements: connection refused",
            }
          : null,
        lastErrorAt: failing ? nowSeconds() - 30 : null,
      },
    ],
  };
}

function prompt(url: string): PromptDto {
  const origin = new URL(url).origin;
  const price = config.price ?? "0.05";
  const refuse = url.includes("refuse");
  const p: PromptDto = {
    id: `prompt-${prompts.size + 1}`,
    origin,
    merchantName: "Le Quotidien Exemple",
    certified: url.includes("unverified")
      ? null
      : { name: "Le Quotidien Exemple SA", issuer: "Demo issuer" },
    pageTitle: "Why cents add up",
    resource: url,
    price,
    asset: ASSET,
    network: NETWORK,
    balance: dec(balance),
    balanceAfter: dec(balance - micro(price)),
    allowanceLeft: url.includes("allowance") ? "1.65" : null,
    allowancePeriod: url.includes("allowance") ? "month" : null,
    decision: refuse ? "refuse" : "ask",
    reason: refuse
      ? "https://news.example is blocked"
      : "0.05 EUR is over your auto-pay ceiling of 0.01 EUR",
    reasonCode: refuse ? "blocked" : "over_auto_pay",
    reasonParams: refuse
      ? [{ name: "origin", value: "https://news.example" }]
      : [
          { name: "price", value: price },
          { name: "ceiling", value: "0.01" },
          { name: "asset", value: ASSET },
        ],
    expiresAt: Math.floor(Date.now() / 1000) + (url.includes("expire") ? 3 : 300),
    returnUrl: null,
    source: "typed",
    plainHttp: new URL(url).protocol === "http:",
  };
  prompts.set(p.id, p);
  return p;
}

function pay(p: PromptDto, automatic: boolean): PaymentResultDto {
  const price = micro(p.price);
  if (price > balance)
    throw { code: "insufficient_funds", message: `Your balance is ${dec(balance)} EUR.` };
  balance -= price;
  spentToday += price;
  recent.push(entry("payment", "settled", dec(-price), p.origin, p.pageTitle));
  return {
    paymentId: `pay-${entryId}`,
    origin: p.origin,
    amount: p.price,
    asset: p.asset,
    status: "settled",
    message: "Paid.",
    openedReturnUrl: null,
    shownInReader: true,
    automatic,
  };
}

/** Like the backend: rows go out in steps, with a progress event after each; cancel stops it. */
function runExport(args: ExportArgs): Promise<ExportResultDto> {
  const rows = [...history.ascending(args.filter)].length;
  const step = config.exportRowsPerTick ?? 2000;
  exportCancelled = false;
  return new Promise((resolve, reject) => {
    let done = 0;
    const tick = () => {
      if (exportCancelled) {
        reject({ code: "cancelled", message: "The export was cancelled." });
        return;
      }
      done = Math.min(rows, done + step);
      window.__centime.emit("export-progress", { rows: done, total: rows });
      if (done < rows) setTimeout(tick, 20);
      else {
        exports.push({ path: args.path, rows, format: args.format });
        resolve({ rows, path: args.path });
      }
    };
    setTimeout(tick, 20);
  });
}

function handle(cmd: string, a: Record<string, unknown>): unknown {
  switch (cmd) {
    case "app_status":
      return status;
    case "create_wallet": {
      const args = a.args as { keystore: "os" | "file"; passphrase: string | null };
      if (args.keystore === "os" && !status.osKeyringAvailable)
        throw { code: "keystore", message: "The OS keyring is not available." };
      if (args.keystore === "file" && (args.passphrase ?? "").length < 8)
        throw { code: "invalid_input", message: "The passphrase is too short." };
      Object.assign(status, { state: "ready", keystore: args.keystore, walletId: "w-1" });
      return status;
    }
    case "unlock":
      if (a.passphrase !== "correct horse")
        throw { code: "locked", message: "Wrong passphrase for the wallet's key file." };
      status.state = "ready";
      return status;
    case "dashboard":
      return dashboard();
    case "set_paused":
      paused = a.paused as boolean;
      return dashboard();
    case "topup_demo": {
      const amount = micro(a.amount as string);
      balance += amount;
      recent.push(entry("credit", "posted", dec(amount), null, "Demo top-up"));
      return {
        creditId: `c-${entryId}`,
        network: NETWORK,
        amount: dec(amount),
        asset: a.asset,
        balance: dec(balance),
      };
    }
    case "redeem_credit": {
      if (!String(a.text).startsWith("centime://topup"))
        throw {
          code: "invalid_input",
          message: "This is not a credit note or a centime://topup link.",
        };
      balance += micro("2");
      recent.push(entry("credit", "posted", "2.00", null, "Credit note"));
      return {
        creditId: "c-note",
        network: NETWORK,
        amount: "2.00",
        asset: ASSET,
        balance: dec(balance),
      };
    }
    case "open_priced_page": {
      const url = String(a.url);
      if (!/^https?:\/\//.test(url))
        throw { code: "invalid_input", message: "Type a web address starting with https://." };
      if (url.includes("free")) return { kind: "free", url };
      const p = prompt(url);
      if (url.includes("auto")) {
        prompts.delete(p.id);
        return { kind: "paid", result: pay(p, true) };
      }
      return { kind: "prompt", prompt: p };
    }
    case "pending_prompts":
      return [];
    case "approve_prompt": {
      const args = a.args as { promptId: string };
      const p = prompts.get(args.promptId);
      if (!p) throw { code: "expired", message: "This payment request has expired." };
      prompts.delete(p.id);
      const result = pay(p, false);
      // Like the real backend: every payment is also announced by a payment-made event.
      setTimeout(() => window.__centime.emit("payment-made", result), 0);
      return result;
    }
    case "decline_prompt":
      prompts.delete(a.promptId as string);
      return null;
    case "decline_site_prompts": {
      let n = 0;
      for (const [id, p] of prompts) {
        if (p.origin === a.origin) {
          prompts.delete(id);
          n += 1;
        }
      }
      return n;
    }
    case "history":
      return history.page(
        a.filter as HistoryFilterDto,
        a.cursor as string | null,
        a.limit as number,
      );
    case "history_summary":
      return history.summary(a.filter as HistoryFilterDto);
    case "history_sites":
      return [
        ...new Set([...history.sites, ...recent.flatMap((e) => (e.site ? [e.site] : []))]),
      ].sort();
    case "insights":
      return history.insights(a.filter as HistoryFilterDto);
    case "entry_details":
      return history.details(a.id as number);
    case "export_history":
      return runExport(a.args as ExportArgs);
    case "cancel_export":
      exportCancelled = true;
      return null;
    case "plugin:dialog|save":
      return config.savePath === undefined ? "/home/reader/centime-history.csv" : config.savePath;
    case "sites":
      return sites;
    case "update_site": {
      const c = a.change as Record<string, unknown> & { origin: string };
      const s = sites.find((x) => x.origin === c.origin);
      if (!s) throw { code: "invalid_input", message: "Unknown site." };
      if (c.budget !== null && c.budget !== "") micro(c.budget as string);
      if (c.maxPerPayment !== null && c.maxPerPayment !== "") micro(c.maxPerPayment as string);
      const n: SiteDto = {
        ...s,
        autoPay: (c.autoPay as boolean | null) ?? s.autoPay,
        blocked: (c.blocked as boolean | null) ?? s.blocked,
        maxPerPayment:
          c.maxPerPayment === null ? s.maxPerPayment : (c.maxPerPayment as string) || null,
        budget: c.budget === null ? s.budget : (c.budget as string) || null,
        period: (c.period as SiteDto["period"]) ?? s.period,
      };
      sites = sites.map((x) => (x.origin === n.origin ? n : x));
      return n;
    }
    case "remove_site":
      sites = sites.filter((x) => x.origin !== a.origin);
      return null;
    case "limits":
      return limits;
    case "update_limits": {
      const c = a.change as Record<string, string | null>;
      for (const v of Object.values(c)) if (v !== null) micro(v);
      limits = {
        ...limits,
        autoPayUnder: c.autoPayUnder ?? limits.autoPayUnder,
        dailyCap: c.dailyCap ?? limits.dailyCap,
        maxPerPayment: c.maxPerPayment ?? limits.maxPerPayment,
      };
      return limits;
    }
    case "issuers":
      return issuers;
    case "add_issuer": {
      const i = a.issuer as IssuerDto;
      if (i.url !== null) checkIssuerUrl(i.url);
      issuers = [...issuers, { ...i, url: i.url?.replace(/\/+$/, "") ?? null }];
      return issuers;
    }
    case "set_issuer_url": {
      const url = a.url as string;
      checkIssuerUrl(url);
      if (!issuers.some((i) => i.network === a.network)) {
        throw {
          code: "invalid_input",
          message: `untrusted issuer: ${String(a.network)}: add it in Settings, Issuers you trust`,
        };
      }
      issuers = issuers.map((i) =>
        i.network === a.network ? { ...i, url: url.replace(/\/+$/, "") } : i,
      );
      return issuers;
    }
    case "remove_issuer":
      issuers = issuers.filter((i) => i.network !== a.network);
      return issuers;
    case "backup_wallet":
      return null;
    case "restore_wallet":
      return status;
    case "set_locale":
    case "set_plain_http":
      return null;
    case "sync_status":
      return syncStatus();
    case "sync_now":
      if (config.sync !== "failing") {
        syncedAt = nowSeconds();
        syncHeld = false;
      }
      return new Promise((resolve) => setTimeout(() => resolve(syncStatus()), 300));
    case "pending_pairings":
    case "browser_pairings":
      return [];
    case "answer_pairing":
      return null;
    case "remove_browser_pairing":
      return [];
    default:
      throw { code: "internal", message: `The mock has no command ${cmd}.` };
  }
}

mockIPC(
  (cmd, args) => {
    calls.push({ cmd, args });
    // Through JSON, like the real IPC: fresh objects, numbers where Rust has i64.
    const result = handle(cmd, (args ?? {}) as Record<string, unknown>);
    const json = (r: unknown) => (r === undefined ? null : JSON.parse(JSON.stringify(r)));
    return result instanceof Promise ? result.then(json) : json(result);
  },
  { shouldMockEvents: true },
);

window.__centime = {
  calls,
  emit: (event, payload) =>
    void (
      window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => unknown } }
    ).__TAURI_INTERNALS__.invoke("plugin:event|emit", { event, payload }),
  makePrompt: (url) => prompt(url),
  exports,
};
