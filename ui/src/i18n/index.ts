import { en, type MessageKey, type Messages } from "./en";
import { fr } from "./fr";

export type { MessageKey, Messages };
export type Locale = "en" | "fr";
export const LOCALES: readonly Locale[] = ["en", "fr"];
export const DICTIONARIES: Record<Locale, Messages> = { en, fr };

export type Vars = Record<string, string | number>;

/** Replaces each {name} with vars[name]; an unknown placeholder stays visible. */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  return interpolate(DICTIONARIES[locale][key], vars);
}

/** The UI language for a BCP 47 tag such as navigator.language: French for fr-*, else English. */
export function detectLocale(tag: string | undefined): Locale {
  return tag?.toLowerCase().startsWith("fr") ? "fr" : "en";
}

/**
 * Whether Intl accepts `tag`. A system in the POSIX locale (`LANG=C.UTF-8`) reports "C" as its
 * language in WebKitGTK, which Intl.NumberFormat rejects with a RangeError.
 */
function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/**
 * The tag handed to Intl: the system's own tag when it is in the chosen language (fr-CA keeps
 * its conventions), otherwise a plain tag for the language.
 */
export function intlTag(locale: Locale, systemTag: string | undefined): string {
  return systemTag && isLanguageTag(systemTag) && detectLocale(systemTag) === locale
    ? systemTag
    : locale === "fr"
      ? "fr-FR"
      : "en-GB";
}
