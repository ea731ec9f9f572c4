import { describe, expect, it } from "vitest";

import { fill, language, messages } from "../src/i18n";

describe("the popup's words", () => {
  it("French has every English text, outcome and problem", () => {
    const en = messages("en");
    const fr = messages("fr");
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(fr.notes).sort()).toEqual(Object.keys(en.notes).sort());
    expect(Object.keys(fr.problems).sort()).toEqual(Object.keys(en.problems).sort());
  });
  it("follows navigator.language", () => {
    expect(language("fr-CA")).toBe("fr");
    expect(language("FR")).toBe("fr");
    expect(language("en-GB")).toBe("en");
    expect(language("de")).toBe("en");
  });
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(fill("{a} per {b} {c}", { a: "€1.00", b: "day" })).toBe("€1.00 per day {c}");
  });
});
