export const SCREENS = [
  "dashboard",
  "history",
  "insights",
  "topup",
  "open",
  "sites",
  "settings",
] as const;
export type Screen = (typeof SCREENS)[number];
