import { describe, expect, it } from "vitest";
import { LOCALES, translate } from "../i18n";
import type { PromptDto } from "./backend";
import { REASON_CODES } from "./backend/bindings";
import { formatMoney } from "./money";
import { reasonText } from "./reason";

const prompt: Pick<PromptDto, "reasonCode" | "reasonParams" | "asset"> = {
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

  it.each(LOCALES)("%s words every rule the wallet names", (locale) => {
    for (const reasonCode of REASON_CODES) {
      const text = reasonText(
        { ...prompt, reasonCode },
        (k, v) => translate(locale, k, v),
        (a, c) => formatMoney(a, c, "en-US"),
      );
      expect(text, reasonCode).not.toContain(`reason.${reasonCode}`);
      expect(text.trim(), reasonCode).not.toBe("");
    }
  });
});
