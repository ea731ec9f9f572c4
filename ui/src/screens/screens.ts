export const SCREENS = ["dashboard", "topup", "open", "sites", "settings"] as const;
export type Screen = (typeof SCREENS)[number];
