// Which responses are a Centime offer to pay (the 402 loop starts on these only).

export const OFFER_HEADER = "payment-required";

export interface Response402 {
  tabId: number;
  url: string;
  type: string;
  statusCode: number;
  responseHeaders?: { name: string; value?: string }[];
}

export function isOffer(d: Response402): boolean {
  return (
    d.statusCode === 402 &&
    d.tabId >= 0 &&
    (d.type === "main_frame" || d.type === "xmlhttprequest") &&
    /^https?:/.test(d.url) &&
    (d.responseHeaders ?? []).some((h) => h.name.toLowerCase() === OFFER_HEADER && !!h.value)
  );
}
