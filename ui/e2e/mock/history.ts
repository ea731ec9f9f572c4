// Test-only: a generated wallet history for the IPC mock, computed from each entry's id (so a
// million entries cost no memory), with the core's filters, keyset pages, totals and details.
import type {
  DocumentDto,
  EntryDetailsDto,
  EntryDto,
  HistoryFilterDto,
  HistoryPageDto,
  HistorySummaryDto,
  InsightsDto,
  SpendDto,
} from "../../src/lib/backend/bindings";

const SCALE = 1_000_000n;
export function dec(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % SCALE).toString().padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${neg ? "-" : ""}${a / SCALE}.${frac}`;
}
function micro(s: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw { code: "invalid_input", message: `“${s}” is not an amount.` };
  const v = BigInt(m[2] ?? "0") * SCALE + BigInt((m[3] ?? "").padEnd(6, "0") || "0");
  return m[1] ? -v : v;
}

const NAMED = [
  "https://news.example",
  "https://le-quotidien.example",
  "https://science-weekly.example",
  "https://recipes.example",
  "https://maps.example",
  "https://longreads.example",
  "https://photo.example",
  "https://podcasts.example",
  "https://weather.example",
  "https://chess.example",
  "https://poetry.example",
  "https://music.example",
];
const TITLES = [
  "Why cents add up",
  "Le prix d'une page",
  "A penny for a letter",
  "Four hundred and two",
  "Tokens, meters and coin slots",
  "The page is the unit",
  "Small change, big ideas",
  "Une brève histoire du centime",
];
/** Minutes between two generated entries. */
const STEP_MINUTES = 37;

export class GeneratedHistory {
  readonly sites: string[];
  private readonly newest: number;

  constructor(
    readonly size: number,
    siteCount: number,
    /** Entries added by the tests (top-ups, payments), with ids after the generated ones. */
    private readonly extra: () => EntryDto[],
  ) {
    this.sites =
      siteCount <= NAMED.length
        ? NAMED.slice(0, siteCount)
        : Array.from(
            { length: siteCount },
            (_, i) => `https://site-${String(i + 1).padStart(3, "0")}.example`,
          );
    const now = new Date();
    // The newest generated entry: an hour ago, on the minute.
    this.newest = Math.floor(now.getTime() / 60_000) * 60_000 - 3_600_000;
  }

  /** The generated entry `id` (1..size). */
  generated(id: number): EntryDto {
    const at = new Date(this.newest - (this.size - id) * STEP_MINUTES * 60_000).toISOString();
    const site = this.sites[id % this.sites.length] ?? null;
    const title = TITLES[id % TITLES.length] ?? null;
    const base = {
      id,
      at,
      asset: "EUR",
      network: "demo",
    };
    const price = (1n + BigInt((id * 7) % 40)) * 10_000n; // 0.01 .. 0.40
    if (id % 97 === 0)
      // Credits back the rejected payment just before it.
      return {
        ...base,
        kind: "refund",
        status: "posted",
        amount: dec(this.price(id - 1)),
        site: this.sites[(id - 1) % this.sites.length] ?? null,
        resource: `${this.sites[(id - 1) % this.sites.length]}/articles/${id - 1}`,
        description: `Refund: ${TITLES[(id - 1) % TITLES.length]}`,
        paymentId: null,
        settledWithoutReceipt: false,
      };
    if (id % 50 === 1 && id % 97 !== 96)
      return {
        ...base,
        kind: "credit",
        status: "posted",
        amount: "5.00",
        site: null,
        resource: null,
        description: "Demo top-up",
        paymentId: null,
        settledWithoutReceipt: false,
      };
    return {
      ...base,
      kind: "payment",
      status: id % 97 === 96 ? "rejected" : id % 211 === 5 ? "unconfirmed" : "settled",
      amount: dec(-price),
      site,
      resource: `${site}/articles/${id}`,
      description: title,
      paymentId: `pay-${id.toString(16).padStart(8, "0")}`,
      settledWithoutReceipt: false,
    };
  }

  private price(id: number): bigint {
    return (1n + BigInt((id * 7) % 40)) * 10_000n;
  }

  entry(id: number): EntryDto | undefined {
    if (id >= 1 && id <= this.size) return this.generated(id);
    return this.extra().find((e) => e.id === id);
  }

  private matcher(f: HistoryFilterDto) {
    const since = f.since ? Date.parse(f.since) : null;
    const until = f.until ? Date.parse(f.until) : null;
    const q = f.search?.trim().toLowerCase() ?? "";
    return (e: EntryDto) => {
      const t = Date.parse(e.at);
      if (since !== null && t < since) return false;
      if (until !== null && t >= until) return false;
      if (f.site && e.site !== f.site) return false;
      if (f.kind && e.kind !== f.kind) return false;
      if (f.status && e.status !== f.status) return false;
      if (q) {
        const hay = `${e.site ?? ""} ${e.description ?? ""} ${e.resource ?? ""}`.toLowerCase();
        if (!hay.includes(q)) return false;
      }
      return true;
    };
  }

  /** Every entry newest first, starting below `before`. */
  private *descending(before: number | null): Generator<EntryDto> {
    const extra = [...this.extra()].sort((a, b) => b.id - a.id);
    for (const e of extra) if (before === null || e.id < before) yield e;
    for (let id = Math.min(this.size, before === null ? this.size : before - 1); id >= 1; id--) {
      yield this.generated(id);
    }
  }

  page(f: HistoryFilterDto, cursor: string | null, limit: number): HistoryPageDto {
    const match = this.matcher(f);
    const entries: EntryDto[] = [];
    const max = Math.min(Math.max(limit, 1), 1000);
    for (const e of this.descending(cursor === null ? null : Number(cursor))) {
      if (!match(e)) continue;
      if (entries.length === max) return { entries, next: String(entries.at(-1)?.id) };
      entries.push(e);
    }
    return { entries, next: null };
  }

  /** Every filtered entry, oldest first (the order of an export). */
  *ascending(f: HistoryFilterDto): Generator<EntryDto> {
    const match = this.matcher(f);
    for (let id = 1; id <= this.size; id++) {
      const e = this.generated(id);
      if (match(e)) yield e;
    }
    for (const e of [...this.extra()].sort((a, b) => a.id - b.id)) if (match(e)) yield e;
  }

  summary(f: HistoryFilterDto): HistorySummaryDto {
    let count = 0;
    let spent = 0n;
    let payments = 0;
    let any = false;
    for (const e of this.ascending(f)) {
      count++;
      if (e.kind === "payment" || e.kind === "refund") {
        any = true;
        spent -= micro(e.amount);
        if (e.kind === "payment") payments++;
      }
    }
    return { count, totals: any ? [{ asset: "EUR", spent: dec(spent), payments }] : [] };
  }

  insights(f: HistoryFilterDto): InsightsDto {
    const day = new Map<string, [bigint, number]>();
    const month = new Map<string, [bigint, number]>();
    const site = new Map<string, [bigint, number]>();
    let total = 0n;
    const add = (m: Map<string, [bigint, number]>, k: string, v: bigint, pay: number) => {
      const cur = m.get(k) ?? [0n, 0];
      m.set(k, [cur[0] + v, cur[1] + pay]);
    };
    for (const e of this.ascending(f)) {
      if (e.kind !== "payment" && e.kind !== "refund") continue;
      const v = -micro(e.amount);
      const pay = e.kind === "payment" ? 1 : 0;
      add(day, e.at.slice(0, 10), v, pay);
      add(month, e.at.slice(0, 7), v, pay);
      add(site, e.site ?? "", v, pay);
      total += v;
    }
    const list = (m: Map<string, [bigint, number]>, share: boolean): SpendDto[] =>
      [...m.entries()].map(([key, [v, n]]) => ({
        key,
        asset: "EUR",
        spent: dec(v),
        payments: n,
        shareBp: share && total > 0n ? Number((v * 10000n) / total) : 0,
      }));
    const bySite = list(site, true).sort((a, b) => {
      const d = micro(b.spent) - micro(a.spent);
      return d > 0n ? 1 : d < 0n ? -1 : a.key.localeCompare(b.key);
    });
    const byKey = (a: SpendDto, b: SpendDto) => a.key.localeCompare(b.key);
    return { byDay: list(day, false).sort(byKey), byMonth: list(month, false).sort(byKey), bySite };
  }

  details(id: number): EntryDetailsDto {
    const entry = this.entry(id);
    if (!entry) throw { code: "invalid_input", message: `No entry ${id}.` };
    const at = Date.parse(entry.at);
    const later = (s: number) => new Date(at + s * 1000).toISOString();
    const documents: DocumentDto[] = [];
    let statusHistory: EntryDetailsDto["statusHistory"] = [];
    let compensation: EntryDto | null = null;
    let compensates: EntryDto | null = null;
    if (entry.kind === "payment") {
      const price = entry.amount.replace("-", "");
      const request = {
        x402Version: 2,
        resource: entry.resource,
        accepts: [
          { scheme: "exact", network: "demo", amount: price, asset: "EUR", payTo: "acct-news" },
        ],
      };
      documents.push({
        kind: "request",
        raw: JSON.stringify(request),
        claims: [
          { name: "resource", value: entry.resource ?? "" },
          { name: "amount", value: price },
          { name: "asset", value: "EUR" },
          { name: "payTo", value: "acct-news" },
        ],
        signatureValid: null,
      });
      documents.push({
        kind: "authorization",
        raw: `eyJhbGciOiJFZERTQSJ9.eyJwYXltZW50SWQiOiIke2VudHJ5LnBheW1lbnRJZH0ifQ.c2lnbmF0dXJlLW9mLSR7aWR9`,
        signatureValid: true,
        claims: [
          { name: "header.alg", value: "EdDSA" },
          { name: "paymentId", value: entry.paymentId ?? "" },
          { name: "amount", value: price },
          { name: "iat", value: entry.at },
        ],
      });
      if (entry.status === "settled")
        documents.push({
          kind: "receipt",
          raw: `eyJhbGciOiJFZERTQSJ9.eyJzdGF0dXMiOiJzZXR0bGVkIn0.cmVjZWlwdA`,
          signatureValid: true,
          claims: [
            { name: "status", value: "settled" },
            { name: "paymentId", value: entry.paymentId ?? "" },
            { name: "merchant", value: entry.site ?? "" },
          ],
        });
      statusHistory = [
        { status: "pending", at: entry.at, detail: null },
        {
          // A payment's entry is never `posted`: that is for what has nothing to settle.
          status: entry.status === "posted" ? "settled" : entry.status,
          at: later(1),
          detail: entry.status === "rejected" ? "insufficient_funds: the merchant refused" : null,
        },
      ];
      if (entry.status === "rejected") compensation = this.entry(id + 1) ?? null;
    }
    if (entry.kind === "refund") compensates = this.entry(id - 1) ?? null;
    // Odd payments are of a certified merchant, even ones of a merchant that serves no certificate.
    const payment = entry.kind === "payment";
    const certified = payment && id % 2 === 1 ? { name: "News SA", issuer: "Demo issuer" } : null;
    const merchantName = certified ? certified.name : payment ? "News" : null;
    return { entry, merchantName, certified, statusHistory, documents, compensation, compensates };
  }
}
