// The declarativeNetRequest session rules that carry an authorization: one per URL, resource
// type and tab, so a header paid for one page is sent nowhere else.
import { ext } from "./api.js";

export type Scope = "main_frame" | "xmlhttprequest";

const HEADER = "PAYMENT-SIGNATURE";

// `|url|` anchors both ends; `*` and `^` are the filter's own syntax, so a URL holding one is
// matched with an escaped regex instead.
function condition(
  url: string,
  scope: Scope,
  tabId: number,
): chrome.declarativeNetRequest.RuleCondition {
  const base = {
    resourceTypes: [scope as chrome.declarativeNetRequest.ResourceType],
    tabIds: [tabId],
  };
  if (/[*^|]/.test(url)) {
    return { ...base, regexFilter: `^${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$` };
  }
  return { ...base, urlFilter: `|${url}|` };
}

function matches(
  r: chrome.declarativeNetRequest.Rule,
  want: chrome.declarativeNetRequest.RuleCondition,
): boolean {
  const c = r.condition;
  return (
    c.urlFilter === want.urlFilter &&
    c.regexFilter === want.regexFilter &&
    JSON.stringify(c.tabIds) === JSON.stringify(want.tabIds) &&
    JSON.stringify(c.resourceTypes) === JSON.stringify(want.resourceTypes)
  );
}

export async function findRule(url: string, scope: Scope, tabId: number): Promise<number | null> {
  const want = condition(url, scope, tabId);
  const rules = await ext.declarativeNetRequest.getSessionRules();
  return rules.find((r) => matches(r, want))?.id ?? null;
}

/** Sets (or replaces) the header for this URL in this tab. */
export async function authorize(
  url: string,
  scope: Scope,
  tabId: number,
  header: string,
): Promise<void> {
  const want = condition(url, scope, tabId);
  const rules = await ext.declarativeNetRequest.getSessionRules();
  const old = rules.filter((r) => matches(r, want)).map((r) => r.id);
  const id = rules.reduce((max, r) => Math.max(max, r.id), 0) + 1;
  await ext.declarativeNetRequest.updateSessionRules({
    removeRuleIds: old,
    addRules: [
      {
        id,
        priority: 1,
        action: {
          type: "modifyHeaders" as chrome.declarativeNetRequest.RuleActionType,
          requestHeaders: [
            {
              header: HEADER,
              operation: "set" as chrome.declarativeNetRequest.HeaderOperation,
              value: header,
            },
          ],
        },
        condition: want,
      },
    ],
  });
}

export async function removeRule(id: number): Promise<void> {
  await ext.declarativeNetRequest.updateSessionRules({ removeRuleIds: [id] });
}

export async function forgetTabRules(tabId: number): Promise<void> {
  const rules = await ext.declarativeNetRequest.getSessionRules();
  const ids = rules.filter((r) => r.condition.tabIds?.includes(tabId)).map((r) => r.id);
  if (ids.length) await ext.declarativeNetRequest.updateSessionRules({ removeRuleIds: ids });
}
