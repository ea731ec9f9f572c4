import { describe, expect, it } from "vitest";

import { isOffer } from "../src/offer";

const base = {
  tabId: 3,
  url: "http://127.0.0.1:8080/articles/a/1",
  type: "main_frame",
  statusCode: 402,
  responseHeaders: [{ name: "PAYMENT-REQUIRED", value: "eyJ4IjoxfQ" }],
};

describe("what counts as a Centime offer", () => {
  it("a top-level or XHR 402 with PAYMENT-REQUIRED in a tab", () => {
    expect(isOffer(base)).toBe(true);
    expect(isOffer({ ...base, type: "xmlhttprequest" })).toBe(true);
    expect(
      isOffer({ ...base, responseHeaders: [{ name: "payment-required", value: "e30" }] }),
    ).toBe(true);
  });
  it("not another status, a 402 without the header, outside a tab, or another type", () => {
    expect(isOffer({ ...base, statusCode: 200 })).toBe(false);
    expect(isOffer({ ...base, responseHeaders: [] })).toBe(false);
    expect(isOffer({ ...base, responseHeaders: [{ name: "PAYMENT-REQUIRED", value: "" }] })).toBe(
      false,
    );
    expect(isOffer({ ...base, tabId: -1 })).toBe(false);
    expect(isOffer({ ...base, type: "image" })).toBe(false);
    expect(isOffer({ ...base, url: "ftp://x/y" })).toBe(false);
  });
});
