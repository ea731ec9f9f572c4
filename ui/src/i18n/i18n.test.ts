import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DICTIONARIES, LOCALES, detectLocale, interpolate, intlTag, translate } from ".";
import { en } from "./en";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("dictionaries", () => {
  const reference = Object.keys(en).sort();

  it.each(LOCALES)("%s has exactly the English keys", (locale) => {
    expect(Object.keys(DICTIONARIES[locale]).sort()).toEqual(reference);
  });

  it.each(LOCALES)("%s has no empty string and the same placeholders as English", (locale) => {
    const dict = DICTIONARIES[locale];
    for (const key of reference) {
      const value = dict[key as keyof typeof en];
      expect(value.trim(), key).not.toBe("");
      expect(placeholders(value), key).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it("every key used in the source exists", () => {
    // t("some.key") and translate(locale, "some.key") literals across src/.
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !name.includes(".test.")) files.push(path);
      }
    };
    walk(join(import.meta.dirname, ".."));
    const used = new Set<string>();
    for (const f of files) {
      const src = readFileSync(f, "utf8");
      for (const m of src.matchAll(/\bt\(\s*"([\w.]+)"/g)) used.add(m[1] as string);
      for (const m of src.matchAll(/translate\(\s*\w+,\s*"([\w.]+)"/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) expect(reference, key).toContain(key);
  });
});

describe("keys built at run time", () => {
  it("every history preset, kind, status, document kind, error code and hold has its text", async () => {
    const { PRESETS } = await import("../lib/dateRange");
    const {
      DOCUMENT_KINDS,
      ENTRY_KINDS,
      ENTRY_STATUSES,
      ERROR_CODES,
      HOLD_REASONS,
      REASON_CODES,
      REVOCATION_REASONS,
    } = await import("../lib/backend/bindings");
    const keys = [
      ...PRESETS.map((p) => `range.${p}`),
      // Every variant the wallet can send (generated from its enums): a new one without its
      // text in each locale fails here.
      ...ENTRY_KINDS.map((k) => `entry.kind.${k}`),
      ...ENTRY_STATUSES.map((s) => `entry.status.${s}`),
      ...REASON_CODES.map((c) => `reason.${c}`),
      ...DOCUMENT_KINDS.map((d) => `details.doc.${d}`),
      ...ERROR_CODES.map((c) => `error.${c}`),
      ...HOLD_REASONS.map((r) => `sync.hold.${r}`),
      ...REVOCATION_REASONS.map((r) => `sync.revocation.${r}`),
      ...["day", "week", "month"].map((p) => `period.current.${p}`),
    ];
    for (const locale of LOCALES) {
      for (const key of keys)
        expect(DICTIONARIES[locale], `${locale}: ${key}`).toHaveProperty([key]);
    }
  });
});

describe("translation helpers", () => {
  it("interpolates and keeps unknown placeholders visible", () => {
    expect(interpolate("Pay {amount} to {origin}", { amount: "1 €" })).toBe("Pay 1 € to {origin}");
    expect(translate("fr", "prompt.pay", { amount: "0,05 €" })).toBe("Payer 0,05 €");
  });
  it("detects French from the system tag, English otherwise", () => {
    expect(detectLocale("fr-FR")).toBe("fr");
    expect(detectLocale("fr")).toBe("fr");
    expect(detectLocale("FR-ca")).toBe("fr");
    expect(detectLocale("en-US")).toBe("en");
    expect(detectLocale("de-DE")).toBe("en");
    expect(detectLocale(undefined)).toBe("en");
  });
  it("formats with the system's own conventions when they match the language", () => {
    expect(intlTag("fr", "fr-CA")).toBe("fr-CA");
    expect(intlTag("fr", "en-US")).toBe("fr-FR");
    expect(intlTag("en", "en-US")).toBe("en-US");
  });
  it('ignores a system tag Intl would reject (the POSIX locale reports "C")', () => {
    expect(intlTag("en", "C")).toBe("en-GB");
    expect(intlTag("en", "c")).toBe("en-GB");
    expect(intlTag("en", "en_US")).toBe("en-GB");
    expect(() => new Intl.NumberFormat(intlTag("en", "C"))).not.toThrow();
  });
});
