// The paid page reader: a window with no IPC. It reads the page from location.hash and writes
// it with textContent only, so nothing in the page can become markup or script.
import { detectLocale, translate, type Locale } from "../i18n";

export interface ReaderPage {
  title: string;
  text: string;
  url: string;
}

/** base64url (no padding needed) → UTF-8 string; null if malformed. */
export function decodeBase64Url(input: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(input)) return null;
  const b64 = input.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  try {
    const bin = atob(padded);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function encodeBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The page in a `#<base64url(JSON)>` fragment, or null when it is not one. */
export function parseReaderHash(hash: string): ReaderPage | null {
  const json = decodeBase64Url(hash.replace(/^#/, ""));
  if (json === null) return null;
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v !== "object" || v === null) return null;
    const { title, text, url } = v as Record<string, unknown>;
    if (typeof title !== "string" || typeof text !== "string" || typeof url !== "string") {
      return null;
    }
    return { title, text, url };
  } catch {
    return null;
  }
}

/** Paragraphs split on blank lines. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

function readerLocale(): Locale {
  try {
    const pref = window.localStorage.getItem("centime.locale");
    if (pref === "en" || pref === "fr") return pref;
  } catch {
    // No storage: use the system language.
  }
  return detectLocale(navigator.language);
}

export function render(doc: Document, hash: string): void {
  const locale = readerLocale();
  doc.documentElement.lang = locale;
  try {
    const theme = window.localStorage.getItem("centime.theme");
    if (theme === "light" || theme === "dark") doc.documentElement.dataset.theme = theme;
  } catch {
    // Follow the system theme.
  }
  const title = doc.getElementById("title");
  const source = doc.getElementById("source");
  const body = doc.getElementById("body");
  const note = doc.getElementById("note");
  if (!title || !source || !body || !note) return;
  body.replaceChildren();
  const page = parseReaderHash(hash);
  if (!page) {
    title.textContent = translate(locale, "reader.invalid");
    source.textContent = "";
    note.textContent = "";
    doc.title = translate(locale, "app.name");
    return;
  }
  doc.title = `${page.title} · ${translate(locale, "app.name")}`;
  title.textContent = page.title;
  source.textContent = translate(locale, "reader.source", { url: page.url });
  for (const para of paragraphs(page.text)) {
    const p = doc.createElement("p");
    p.textContent = para;
    body.append(p);
  }
  note.textContent = translate(locale, "reader.note");
}
