import { describe, expect, it } from "vitest";
import { translate } from "../i18n";
import type { PaymentResultDto } from "../lib/backend";
import { formatMoney } from "../lib/money";
import { paymentText } from "../lib/paymentText";
import { passphraseProblem } from "./Onboarding";

describe("onboarding passphrase", () => {
  it("needs 8 characters (counted as characters, not UTF-16 units) and a matching copy", () => {
    expect(passphraseProblem("1234567", "1234567")).toBe("tooShort");
    expect(passphraseProblem("12345678", "1234567")).toBe("mismatch");
    expect(passphraseProblem("12345678", "12345678")).toBeNull();
    expect(passphraseProblem("🔑🔑🔑🔑", "🔑🔑🔑🔑")).toBe("tooShort");
  });
});

describe("payment result text", () => {
  const base: PaymentResultDto = {
    paymentId: "p",
    origin: "https://news.example",
    amount: "0.005",
    asset: "EUR",
    status: "settled",
    message: "",
    openedReturnUrl: null,
    shownInReader: false,
    automatic: false,
  };
  const fr = {
    t: (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) =>
      translate("fr", k, v),
    money: (a: string, s: string) => formatMoney(a, s, "fr-FR"),
  };
  const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

  it("says what happened, in the user's language", () => {
    expect(plain(paymentText(base, fr))).toBe("0,005 € payés à https://news.example.");
    expect(plain(paymentText({ ...base, status: "rejected" }, fr))).toContain(
      "a refusé le paiement de 0,005 €",
    );
    expect(
      plain(
        paymentText({ ...base, status: "unconfirmed", automatic: true, shownInReader: true }, fr),
      ),
    ).toBe(
      "Paiement de 0,005 € envoyé à https://news.example ; le site ne l'a pas encore confirmé. " +
        "Payé automatiquement, dans les limites que vous avez fixées. La page s'est ouverte dans le lecteur.",
    );
  });
});
