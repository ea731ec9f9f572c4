// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64Url, paragraphs, parseReaderHash, render } from "./page";

const hashOf = (v: unknown) => `#${encodeBase64Url(JSON.stringify(v))}`;

beforeEach(() => {
  document.body.innerHTML =
    '<h1 id="title"></h1><p id="source"></p><div id="body"></div><p id="note"></p>';
  localStorage.setItem("centime.locale", "en");
});

describe("reader", () => {
  it("round-trips UTF-8 through base64url", () => {
    const s = "Café — 0,005 € ✓ /?+";
    expect(decodeBase64Url(encodeBase64Url(s))).toBe(s);
    expect(decodeBase64Url("not base64!")).toBeNull();
  });

  it("parses only {title, text, url} of strings", () => {
    expect(parseReaderHash(hashOf({ title: "T", text: "x", url: "https://a" }))).toEqual({
      title: "T",
      text: "x",
      url: "https://a",
    });
    expect(parseReaderHash(hashOf({ title: 1, text: "x", url: "u" }))).toBeNull();
    expect(parseReaderHash(hashOf([1]))).toBeNull();
    expect(parseReaderHash("#")).toBeNull();
  });

  it("splits paragraphs on blank lines", () => {
    expect(paragraphs("a\nb\n\n  \nc\r\n\r\nd")).toEqual(["a\nb", "c", "d"]);
  });

  it("writes the page as text: markup stays inert", () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    render(
      document,
      hashOf({ title: evil, text: `Hello\n\n${evil}`, url: "https://news.example/a" }),
    );
    expect(document.getElementById("title")?.textContent).toBe(evil);
    expect(document.querySelectorAll("img, script").length).toBe(0);
    expect(document.querySelectorAll("#body p").length).toBe(2);
    expect(document.getElementById("source")?.textContent).toBe("From https://news.example/a");
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it("says so when the fragment is not a page, in the chosen language", () => {
    localStorage.setItem("centime.locale", "fr");
    render(document, "#%%%");
    expect(document.getElementById("title")?.textContent).toBe(
      "Cette page n'a pas pu être affichée.",
    );
  });
});
