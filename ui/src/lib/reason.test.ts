import { describe, expect, it } from "vitest";
import { LOCALES, translate } from "../i18n";
import type { PromptDto } from "./backend";
import { AMOUNT_PARAMS, REASON_CODES, REASON_PARAMS } from "./backend/bindings";
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

describe("reason parameters", () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

  it.each(LOCALES)("%s words only the parameters the wallet sends, and each of them", (locale) => {
    const used = new Set<string>();
    for (const code of REASON_CODES) {
      for (const name of placeholders(translate(locale, `reason.${code}`, {}))) {
        expect(REASON_PARAMS as readonly string[], `reason.${code}: {${name}}`).toContain(name);
        used.add(name);
      }
    }
    // The asset is shown through the amounts; every other parameter a rule can carry is
    // worded somewhere, so a new one (generated from the wallet's enum) fails here until it is.
    for (const name of REASON_PARAMS.filter((n) => n !== "asset"))
      expect([...used], name).toContain(name);
  });

  it("formats exactly the generated amount parameters as money", () => {
    const seen: string[] = [];
    reasonText(
      {
        ...prompt,
        reasonParams: REASON_PARAMS.map((name) => ({
          name,
          value: name === "period" ? "day" : "1",
        })),
      },
      (k, v) => translate("en", k, v),
      (a, c) => {
        seen.push(`${a} ${c}`);
        return `${a} ${c}`;
      },
    );
    expect(seen.length).toBe(AMOUNT_PARAMS.length);
  });
});
