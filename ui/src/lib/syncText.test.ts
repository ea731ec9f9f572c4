import { describe, expect, it } from "vitest";
import { translate, type Locale, type MessageKey, type Vars } from "../i18n";
import type { DiscrepancyDto, IssuerSyncDto } from "./backend";
import { ERROR_CODES, HOLD_REASONS } from "./backend/bindings";
import { formatMoney } from "./money";
import {
  discrepancyText,
  doneLines,
  errorWords,
  flaggedText,
  holdText,
  issuerLabel,
  relativeTime,
} from "./syncText";

const words = (locale: Locale) => ({
  t: (k: MessageKey, v?: Vars) => translate(locale, k, v),
  money: (a: string, s: string) => formatMoney(a, s, locale === "fr" ? "fr-FR" : "en-GB"),
});
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
const zero = {
  markedSettled: 0,
  refundsReversed: 0,
  refundsFinal: 0,
  paymentsRecovered: 0,
  creditsRecovered: 0,
};

const issuer: IssuerSyncDto = {
  network: "centime:demo",
  issuerName: "Centime demo issuer",
  issuerUrl: "http://127.0.0.1:8402",
  lastSync: null,
  hold: null,
  flagged: [],
  syncing: false,
  nextSyncAt: null,
  lastError: null,
  lastErrorAt: null,
};

describe("what the last sync changed", () => {
  it("shows only the counts that are not zero, singular or plural", () => {
    expect(doneLines(zero, words("en"))).toEqual([]);
    expect(doneLines({ ...zero, markedSettled: 1, refundsFinal: 3 }, words("en"))).toEqual([
      "1 payment marked settled: the issuer has paid the merchant.",
      "3 refunds are now final: the merchants can no longer settle the payments.",
    ]);
    expect(doneLines({ ...zero, paymentsRecovered: 2, creditsRecovered: 1 }, words("fr"))).toEqual([
      "2 paiements oubliés par ce portefeuille ont été retrouvés dans le relevé de l'émetteur.",
      "1 recharge oubliée par ce portefeuille a été retrouvée dans le relevé de l'émetteur.",
    ]);
    expect(doneLines({ ...zero, refundsReversed: 1 }, words("en"))).toEqual([
      "1 refund reversed: the merchant refused the payment but settled it anyway.",
    ]);
  });
});

describe("discrepancies in plain words", () => {
  const all: DiscrepancyDto[] = [
    { kind: "balanceDiffers", asset: "EUR", wallet: "4.50", expected: "4.75" },
    { kind: "forked", paymentId: "pay_0123456789abcdef0123", seq: "4294967301" },
    { kind: "unrecoverable", paymentId: "pay_short", why: "signed by another key" },
    { kind: "settledAfterFinal", paymentId: "pay_short" },
    { kind: "creditUnknownToIssuer", creditId: "cr_1" },
  ];

  it("each kind has its sentence in both languages, amounts formatted, no key left raw", () => {
    for (const locale of ["en", "fr"] as const) {
      for (const d of all) {
        const text = discrepancyText(d, words(locale));
        expect(text, d.kind).not.toMatch(/sync\.|\{\w+\}/);
      }
    }
    expect(plain(discrepancyText(all[0]!, words("en")))).toBe(
      "This wallet's balance is €4.50; the issuer's figures, less the payments not settled yet, give €4.75.",
    );
    expect(plain(discrepancyText(all[0]!, words("fr")))).toContain("4,50 €");
    expect(discrepancyText(all[1]!, words("en"))).toContain("…abcdef0123 (number 4294967301)");
    expect(discrepancyText(all[2]!, words("en"))).toContain("pay_short");
    expect(discrepancyText(all[2]!, words("en"))).toContain("signed by another key");
  });
});

describe("holds", () => {
  it("names the issuer and says why, for every reason", () => {
    expect(holdText(issuer, words("en"))).toBeNull();
    for (const reason of HOLD_REASONS) {
      const s = { ...issuer, hold: { reason, detail: null, since: 0 } };
      for (const locale of ["en", "fr"] as const) {
        expect(holdText(s, words(locale)), reason).toContain("Centime demo issuer");
      }
    }
    const restored = { ...issuer, hold: { reason: "restored" as const, detail: null, since: 0 } };
    expect(holdText(restored, words("en"))).toBe(
      "Payments paused until the wallet has synced with Centime demo issuer: restored from a backup.",
    );
  });

  it("a revocation says what the issuer found, and the network without a name", () => {
    const revoked = {
      ...issuer,
      issuerName: null,
      hold: { reason: "revoked" as const, detail: null, since: 0 },
      lastSync: {
        syncedAt: 0,
        statementIssuedAt: 0,
        done: zero,
        issuerView: [],
        walletView: [],
        issuerHighestSeq: "1",
        walletHighestSeq: "1",
        revoked: "fork" as const,
        revokedAt: 0,
        discrepancies: [],
        mayPay: false,
      },
    };
    expect(issuerLabel(revoked)).toBe("centime:demo");
    expect(holdText(revoked, words("en"))).toBe(
      "Your key was revoked by centime:demo: this wallet no longer pays on centime:demo. " +
        "Two different payments were signed with one number: a copy of this wallet, or an old backup, paid.",
    );
    expect(holdText(revoked, words("fr"))).toContain("Votre clé a été révoquée par centime:demo");
  });
});

describe("flagged merchants and errors", () => {
  it("names the site (or the account) and the amount when known", () => {
    const f = {
      paymentId: "pay_1",
      payTo: "acct-magazine",
      site: "https://magazine.example",
      amount: { amount: "0.05", asset: "EUR" },
      refusal: "expired",
      issuerSettledAt: 0,
      flaggedAt: 0,
    };
    expect(plain(flaggedText(f, words("en")))).toBe(
      "https://magazine.example refused a payment of €0.05 and settled it anyway: refund reversed.",
    );
    expect(flaggedText({ ...f, site: null, amount: null }, words("fr"))).toBe(
      "acct-magazine a refusé un paiement et l'a encaissé quand même : remboursement annulé.",
    );
  });

  it("every error code has its words, the sync's four included", () => {
    for (const code of ERROR_CODES) {
      for (const locale of ["en", "fr"] as const) {
        expect(errorWords(code, words(locale)), code).not.toMatch(/^error\./);
      }
    }
    expect(errorWords("sync_required", words("en"))).toBe(
      "Payments wait until the wallet has synced with its issuer.",
    );
    expect(errorWords("bad_statement", words("fr"))).toContain("rien n'a été changé");
  });
});

describe("relative times", () => {
  it("reads against the wallet's clock, in the user's language", () => {
    expect(relativeTime(1000, 1010, "en-GB", words("en"))).toBe("just now");
    expect(relativeTime(1020, 1000, "fr-FR", words("fr"))).toBe("dans un instant");
    expect(relativeTime(1000 - 180, 1000, "en-GB", words("en"))).toBe("3 minutes ago");
    expect(relativeTime(1000 + 600, 1000, "fr-FR", words("fr"))).toBe("dans 10 minutes");
    expect(relativeTime(1000 - 7200, 1000, "en-GB", words("en"))).toBe("2 hours ago");
    expect(relativeTime(1000 - 86400, 1000, "fr-FR", words("fr"))).toBe("hier");
  });
});
