import type { PromptDto } from "./backend";
import { AMOUNT_PARAMS, type ReasonParam } from "./backend/bindings";
import type { MessageKey } from "../i18n";

// The parameters that are amounts, generated from the wallet's `ParamName::is_amount`.
const AMOUNTS: ReadonlySet<ReasonParam> = new Set(AMOUNT_PARAMS);

type T = (key: MessageKey, vars?: Record<string, string>) => string;
type Money = (amount: string, asset: string) => string;

/** The rule behind a prompt, in the user's language (every code has its text: i18n.test.ts). */
export function reasonText(
  prompt: Pick<PromptDto, "reasonCode" | "reasonParams" | "asset">,
  t: T,
  money: Money,
): string {
  const params: Partial<Record<ReasonParam, string>> = Object.fromEntries(
    prompt.reasonParams.map((p) => [p.name, p.value]),
  );
  const asset = params.asset ?? prompt.asset;
  const vars: Record<string, string> = {};
  for (const { name, value } of prompt.reasonParams) {
    if (AMOUNTS.has(name)) vars[name] = money(value, asset);
    else if (name === "period" && ["day", "week", "month"].includes(value))
      vars[name] = t(`period.${value}` as MessageKey);
    else vars[name] = value;
  }
  return t(`reason.${prompt.reasonCode}` as MessageKey, vars);
}
