// The words of the dashboard's issuer panel, derived from the core's sync figures: which lines
// show and what each says. No figure is computed here; amounts stay the core's strings.
import type { MessageKey, Vars } from "../i18n";
import type {
  DiscrepancyDto,
  ErrorCode,
  FlaggedMerchantDto,
  IssuerSyncDto,
  SyncCountsDto,
} from "./backend";

export interface SyncWords {
  t: (key: MessageKey, vars?: Vars) => string;
  money: (amount: string, asset: string) => string;
}

/** The name a person knows the issuer by: the one the user gave it, else its network. */
export function issuerLabel(s: Pick<IssuerSyncDto, "issuerName" | "network">): string {
  return s.issuerName?.trim() || s.network;
}

const COUNT_KEYS: { field: keyof SyncCountsDto; one: MessageKey; other: MessageKey }[] = [
  {
    field: "markedSettled",
    one: "sync.done.markedSettled.one",
    other: "sync.done.markedSettled.other",
  },
  {
    field: "paymentsRecovered",
    one: "sync.done.paymentsRecovered.one",
    other: "sync.done.paymentsRecovered.other",
  },
  {
    field: "creditsRecovered",
    one: "sync.done.creditsRecovered.one",
    other: "sync.done.creditsRecovered.other",
  },
  {
    field: "refundsReversed",
    one: "sync.done.refundsReversed.one",
    other: "sync.done.refundsReversed.other",
  },
  {
    field: "refundsFinal",
    one: "sync.done.refundsFinal.one",
    other: "sync.done.refundsFinal.other",
  },
];

/** What the last sync changed, one line per count that is not zero, in words. */
export function doneLines(done: SyncCountsDto, { t }: Pick<SyncWords, "t">): string[] {
  return COUNT_KEYS.filter(({ field }) => done[field] > 0).map(({ field, one, other }) =>
    t(done[field] === 1 ? one : other, { count: done[field] }),
  );
}

/** A payment or credit id for people: its end is enough to find it in the history. */
export function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-10)}` : id;
}

/** One disagreement between the wallet and the issuer, in plain words. */
export function discrepancyText(d: DiscrepancyDto, { t, money }: SyncWords): string {
  switch (d.kind) {
    case "balanceDiffers":
      return t("sync.discrepancy.balanceDiffers", {
        wallet: money(d.wallet, d.asset),
        expected: money(d.expected, d.asset),
      });
    case "forked":
      return t("sync.discrepancy.forked", { payment: shortId(d.paymentId), seq: d.seq });
    case "unrecoverable":
      return t("sync.discrepancy.unrecoverable", { payment: shortId(d.paymentId), why: d.why });
    case "settledAfterFinal":
      return t("sync.discrepancy.settledAfterFinal", { payment: shortId(d.paymentId) });
    case "creditUnknownToIssuer":
      return t("sync.discrepancy.creditUnknownToIssuer", { credit: shortId(d.creditId) });
  }
}

/** Why the wallet does not pay on a held network, naming the issuer. */
export function holdText(
  s: Pick<IssuerSyncDto, "issuerName" | "network" | "hold" | "lastSync">,
  { t }: Pick<SyncWords, "t">,
): string | null {
  if (!s.hold) return null;
  const text = t(`sync.hold.${s.hold.reason}`, { issuer: issuerLabel(s), network: s.network });
  const why = s.hold.reason === "revoked" ? s.lastSync?.revoked : null;
  return why ? `${text} ${t(`sync.revocation.${why}`)}` : text;
}

/** A merchant that refused a payment and settled it anyway. */
export function flaggedText(f: FlaggedMerchantDto, { t, money }: SyncWords): string {
  const merchant = f.site ?? f.payTo;
  return f.amount
    ? t("sync.flagged.withAmount", { merchant, amount: money(f.amount.amount, f.amount.asset) })
    : t("sync.flagged", { merchant });
}

/** What an error code means for a person, in a sentence. */
export function errorWords(code: ErrorCode, { t }: Pick<SyncWords, "t">): string {
  return t(`error.${code}`);
}

/** "2 minutes ago", "in 10 minutes", "just now": `at` and `now` in Unix seconds (the wallet's clock). */
export function relativeTime(
  at: number,
  now: number,
  tag: string,
  { t }: Pick<SyncWords, "t">,
): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 45) return t(diff > 0 ? "sync.soon" : "sync.justNow");
  const rtf = new Intl.RelativeTimeFormat(tag, { numeric: "auto" });
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86400), "day");
}
