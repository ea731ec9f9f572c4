import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { detectLocale, intlTag, translate, type Locale, type MessageKey, type Vars } from "../i18n";
import { decimalSeparator, formatDecimal, formatMoney } from "./money";
import { formatCount, formatDateTime, formatDayKey, formatMonthKey, formatShare } from "./time";

export type LocalePref = "system" | Locale;
export type ThemePref = "system" | "light" | "dark";

const LOCALE_KEY = "centime.locale";
const THEME_KEY = "centime.theme";
const PLAIN_HTTP_KEY = "centime.plainHttp";

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = window.localStorage.getItem(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: string) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Storage can be unavailable; the choice then lasts for this session only.
  }
}

function darkQuery(): MediaQueryList | null {
  return typeof window !== "undefined" && typeof window.matchMedia === "function"
    ? window.matchMedia("(prefers-color-scheme: dark)")
    : null;
}

export interface Preferences {
  locale: Locale;
  localePref: LocalePref;
  setLocalePref: (p: LocalePref) => void;
  themePref: ThemePref;
  /** The theme in effect: the preference, or the system's when it is "system". */
  theme: "light" | "dark";
  setThemePref: (p: ThemePref) => void;
  /** The user allows paying merchants over plain HTTP across the network (off by default;
   * the backend refuses them otherwise, and the prompt warns in red when it is on). */
  plainHttp: boolean;
  setPlainHttp: (allowed: boolean) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  money: (amount: string, asset: string) => string;
  /** A decimal without currency, e.g. a limit whose asset is implied. */
  decimal: (amount: string) => string;
  /** A decimal string as the user would type it here ("0,50" in French), to prefill inputs. */
  amountInput: (amount: string) => string;
  dateTime: (iso: string) => string;
  /** A UTC day key from the core ("2026-11-24"); `short` leaves the year out. */
  day: (key: string, short?: boolean) => string;
  /** A month key from the core ("2026-11"). */
  month: (key: string) => string;
  count: (n: number) => string;
  /** A share in basis points as a percentage. */
  share: (bp: number) => string;
  /** The Intl tag amounts and dates are formatted with. */
  tag: string;
}

const PreferencesContext = createContext<Preferences | null>(null);

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const systemTag = typeof navigator === "undefined" ? undefined : navigator.language;
  const [localePref, setLocalePrefState] = useState<LocalePref>(() =>
    stored<LocalePref>(LOCALE_KEY, ["system", "en", "fr"], "system"),
  );
  const [themePref, setThemePrefState] = useState<ThemePref>(() =>
    stored<ThemePref>(THEME_KEY, ["system", "light", "dark"], "system"),
  );
  const [plainHttp, setPlainHttpState] = useState<boolean>(
    () => stored(PLAIN_HTTP_KEY, ["on", "off"], "off") === "on",
  );
  const [systemDark, setSystemDark] = useState(() => darkQuery()?.matches ?? false);
  useEffect(() => {
    const q = darkQuery();
    if (!q) return;
    const on = () => setSystemDark(q.matches);
    q.addEventListener("change", on);
    return () => q.removeEventListener("change", on);
  }, []);
  const theme = themePref === "system" ? (systemDark ? "dark" : "light") : themePref;
  const locale: Locale = localePref === "system" ? detectLocale(systemTag) : localePref;

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => {
    document.documentElement.dataset.theme = themePref;
  }, [themePref]);

  const setLocalePref = useCallback((p: LocalePref) => {
    store(LOCALE_KEY, p);
    setLocalePrefState(p);
  }, []);
  const setThemePref = useCallback((p: ThemePref) => {
    store(THEME_KEY, p);
    setThemePrefState(p);
  }, []);
  const setPlainHttp = useCallback((allowed: boolean) => {
    store(PLAIN_HTTP_KEY, allowed ? "on" : "off");
    setPlainHttpState(allowed);
  }, []);

  const value = useMemo<Preferences>(() => {
    const tag = intlTag(locale, systemTag);
    return {
      locale,
      localePref,
      setLocalePref,
      themePref,
      theme,
      setThemePref,
      plainHttp,
      setPlainHttp,
      t: (key, vars) => translate(locale, key, vars),
      money: (amount, asset) => formatMoney(amount, asset, tag),
      decimal: (amount) => formatDecimal(amount, tag, 2),
      amountInput: (amount) => amount.replace(".", decimalSeparator(tag)),
      dateTime: (iso) => formatDateTime(iso, tag),
      day: (key, short) => formatDayKey(key, tag, short),
      month: (key) => formatMonthKey(key, tag),
      count: (n) => formatCount(n, tag),
      share: (bp) => formatShare(bp, tag),
      tag,
    };
  }, [
    locale,
    localePref,
    setLocalePref,
    themePref,
    theme,
    setThemePref,
    plainHttp,
    setPlainHttp,
    systemTag,
  ]);

  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const p = useContext(PreferencesContext);
  if (!p) throw new Error("usePreferences outside PreferencesProvider");
  return p;
}
