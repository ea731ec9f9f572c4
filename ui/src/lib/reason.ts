import type { PromptDto } from "./backend";
import type { MessageKey } from "../i18n";

const AMOUNTS = new Set(["price", "max", "total", "cap", "budget", "spent", "left", "ceiling"]);

type T = (key: MessageKey, vars?: Record<string, string>) => string;
type Money = (amount: string, asset: string) => string;

/** The rule behind a prompt, in the user's language (every code has its text: i18n.test.ts). */
export function reasonText(
  prompt: Pick<PromptDto, "reasonCode" | "reasonParams" | "asset">,
  t: T,
  money: Money,
): string {
  const params = Object.fromEntries(prompt.reasonParams.map((p) => [p.name, p.value]));
  const asset = params.asset ?? prompt.asset;
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (AMOUNTS.has(name)) vars[name] = money(value, asset);
    else if (name === "period" && ["day", "week", "month"].includes(value))
      vars[name] = t(`period.${value}` as MessageKey);
    else vars[name] = value;
  }
  return t(`reason.${prompt.reasonCode}` as MessageKey, vars);
}
