import { describe, expect, it } from "vitest";
import { translate } from "../i18n";
import { formatMoney } from "./money";
import { reasonText } from "./reason";

const prompt = {
  reason: "English text from the wallet",
  reasonCode: "over_site_budget",
  reasonParams: [
    { name: "budget", value: "2.00" },
    { name: "period", value: "month" },
    { name: "spent", value: "1.95" },
    { name: "left", value: "0.05" },
    { name: "asset", value: "EUR" },
  ],
  asset: "EUR",
};

describe("reasonText", () => {
  it("translates the rule with amounts per locale", () => {
    const fr = reasonText(
      prompt,
      (k, v) => translate("fr", k, v),
      (a, c) => formatMoney(a, c, "fr-FR"),
    );
    expect(fr).toContain("par mois");
    expect(fr).toMatch(/0,05\s€/);
    const en = reasonText(
      prompt,
      (k, v) => translate("en", k, v),
      (a, c) => formatMoney(a, c, "en-US"),
    );
    expect(en).toContain("€2.00 per month");
  });

  it("falls back to the wallet's text for an unknown code", () => {
    const text = reasonText(
      { ...prompt, reasonCode: "something_new" },
      (k, v) => translate("en", k, v),
      (a, c) => formatMoney(a, c, "en-US"),
    );
    expect(text).toBe("English text from the wallet");
  });
});
