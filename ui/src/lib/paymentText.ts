import type { PaymentResultDto } from "./backend";
import type { Preferences } from "./preferences";

/** The sentences telling the user what a payment did, in their language. */
export function paymentText(r: PaymentResultDto, p: Pick<Preferences, "t" | "money">): string {
  const vars = { amount: p.money(r.amount, r.asset), origin: r.origin };
  const key =
    r.status === "settled"
      ? "payment.settled"
      : r.status === "rejected"
        ? "payment.rejected"
        : "payment.unconfirmed";
  const parts = [p.t(key, vars)];
  if (r.automatic) parts.push(p.t("payment.automatic"));
  if (r.shownInReader) parts.push(p.t("payment.inReader"));
  if (r.openedReturnUrl) parts.push(p.t("payment.returnOpened", { url: r.openedReturnUrl }));
  return parts.join(" ");
}
