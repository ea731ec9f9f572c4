// Generated from crates/app-models by `make bindings`. Do not edit: change the Rust types.

export type ErrorCode = "internal" | "needs_approval" | "refused" | "insufficient_funds" | "invalid_input" | "keystore" | "integrity" | "busy" | "disk_full" | "read_only" | "disk_io" | "cancelled" | "network" | "site_unconfirmed" | "refused_by_merchant" | "unconfirmed" | "wallet_closed" | "private_address" | "plain_http" | "no_wallet" | "locked" | "expired" | "too_many_prompts" | "sync_required" | "payer_revoked" | "bad_statement" | "certificate_mismatch";

export type ReasonCode = "paused" | "blocked" | "over_max_per_payment" | "over_daily_cap" | "over_site_max" | "over_site_budget" | "over_auto_pay" | "ask_each_payment" | "no_rule" | "auto_pay" | "link_pace";

export type ReasonParam = "origin" | "price" | "max" | "total" | "cap" | "budget" | "period" | "spent" | "left" | "ceiling" | "asset" | "links" | "seconds";

export type EntryKind = "credit" | "payment" | "refund" | "adjustment" | "transfer_out" | "transfer_in";

export type EntryStatus = "pending" | "settled" | "rejected" | "unconfirmed" | "posted";

export type PaymentStatus = "pending" | "settled" | "rejected" | "unconfirmed";

export type PromptSource = "link" | "typed" | "browser";

export type AppErrorDto = { code: ErrorCode, message: string, };

export type KeystoreKindDto = "os" | "file";

export type WalletState = "no_wallet" | "locked" | "ready";

export type DemoDto = { baseUrl: string, network: string, publicKey: string, testCard: string, 
/**
 * Currencies the demo issuer sells.
 */
assets: Array<string>, };

export type AppStatus = { state: WalletState, keystore: KeystoreKindDto | null, 
/**
 * Whether the OS keyring answered when probed (onboarding offers the file keystore if not).
 */
osKeyringAvailable: boolean, 
/**
 * Why the OS keyring is unavailable, in words.
 */
osKeyringProblem: string | null, walletId: string | null, dataDir: string, demo: DemoDto | null, 
/**
 * Set when `verify` failed on start: shown as a warning banner.
 */
integrityWarning: string | null, };

export type CreateWalletArgs = { keystore: KeystoreKindDto, 
/**
 * Required for the file keystore (at least 8 characters).
 */
passphrase: string | null, 
/**
 * Trust the demo issuer (only offered in demo mode).
 */
trustDemoIssuer: boolean, };

export type MoneyDto = { 
/**
 * Decimal string, e.g. "0.10", "0.005", "-1.20".
 */
amount: string, 
/**
 * ISO 4217 code.
 */
asset: string, };

export type BalanceDto = { network: string, amount: string, asset: string, 
/**
 * Of `amount`, refunds of refused payments not spendable yet ("0" when none).
 */
held: string, 
/**
 * When they become spendable (Unix seconds).
 */
heldUntil: number | null, };

export type EntryDto = { id: number, 
/**
 * RFC 3339.
 */
at: string, kind: EntryKind, status: EntryStatus, 
/**
 * Signed decimal: payments are negative.
 */
amount: string, asset: string, network: string, site: string | null, resource: string | null, description: string | null, paymentId: string | null, 
/**
 * Settled on the merchant's word: its answer said success without a signed receipt.
 */
settledWithoutReceipt: boolean, };

export type Dashboard = { balances: Array<BalanceDto>, spentToday: Array<MoneyDto>, spentThisMonth: Array<MoneyDto>, recent: Array<EntryDto>, unconfirmed: Array<EntryDto>, paused: boolean, };

export type TopupDto = { creditId: string, network: string, amount: string, asset: string, balance: string, };

export type PeriodDto = "day" | "week" | "month";

export type LocaleDto = "en" | "fr";

export type DecisionDto = "auto" | "ask" | "refuse";

export type ReasonParamDto = { name: ReasonParam, value: string, };

export type CertifiedMerchantDto = { 
/**
 * The name the issuer registered, shown instead of the page's claim.
 */
name: string, 
/**
 * Who vouches for it: the issuer's name as the wallet stores it, else its network.
 */
issuer: string, };

export type PromptDto = { id: string, 
/**
 * The site asking, `scheme://host[:port]`: shown prominently.
 */
origin: string, 
/**
 * The page's own `merchantName`: only its claim.
 */
merchantName: string | null, 
/**
 * The merchant as the wallet's trusted issuer certifies it; `null`: not verified.
 */
certified: CertifiedMerchantDto | null, pageTitle: string | null, resource: string, price: string, asset: string, network: string, balance: string, balanceAfter: string, 
/**
 * What is left of the site's budget in its period, before this payment.
 */
allowanceLeft: string | null, allowancePeriod: PeriodDto | null, decision: DecisionDto, 
/**
 * The rule that made it ask (or refuse), in the window's language (`set_locale`).
 */
reason: string, 
/**
 * The same as a code to translate.
 */
reasonCode: ReasonCode, 
/**
 * Its parameters (amounts are decimal strings in `asset`; `period` is day/week/month).
 */
reasonParams: Array<ReasonParamDto>, 
/**
 * Unix seconds after which the prompt is void.
 */
expiresAt: number, 
/**
 * Where the browser goes after paying (per-fee link flow).
 */
returnUrl: string | null, source: PromptSource, 
/**
 * The merchant is reached over plain HTTP across the network, which anyone on the way can
 * read and change (only possible once the user allowed plain HTTP: `set_plain_http`): the
 * prompt says so in red.
 */
plainHttp: boolean, };

export type AlwaysAllowDto = { budget: string, period: PeriodDto, };

export type ApproveArgs = { promptId: string, 
/**
 * Also allow this site to charge without asking up to a budget.
 */
alwaysAllow: AlwaysAllowDto | null, };

export type PaymentResultDto = { paymentId: string, origin: string, amount: string, asset: string, 
/**
 * Never `pending`: a payment the merchant did not answer is `unconfirmed`.
 */
status: PaymentStatus, message: string, 
/**
 * The return URL opened in the browser, if any.
 */
openedReturnUrl: string | null, 
/**
 * The paid page was opened in the reader window (which has no access to the wallet).
 */
shownInReader: boolean, automatic: boolean, };

export type OpenResultDto = { "kind": "free", url: string, } | { "kind": "prompt", prompt: PromptDto, } | { "kind": "paid", result: PaymentResultDto, };

export type SiteDto = { origin: string, blocked: boolean, autoPay: boolean, maxPerPayment: string | null, budget: string | null, period: PeriodDto | null, 
/**
 * Spent in the current period, per asset the site charged in.
 */
spentInPeriod: Array<MoneyDto>, 
/**
 * Left of the budget in the current period, per asset.
 */
remaining: Array<MoneyDto>, };

export type SiteChangeDto = { origin: string, autoPay: boolean | null, blocked: boolean | null, 
/**
 * `Some("")` clears the limit.
 */
maxPerPayment: string | null, 
/**
 * `Some("")` clears the budget.
 */
budget: string | null, period: PeriodDto | null, };

export type LimitsDto = { paused: boolean, autoPayUnder: string, dailyCap: string, maxPerPayment: string, };

export type LimitsChangeDto = { autoPayUnder: string | null, dailyCap: string | null, maxPerPayment: string | null, };

export type IssuerDto = { network: string, publicKey: string, name: string | null, 
/**
 * Where the wallet asks for its statement (`http(s)://`); none: the network never syncs.
 * Defaulted so a caller that predates it still parses.
 */
url: string | null, };

export type HistoryFilterDto = { 
/**
 * RFC 3339 or YYYY-MM-DD, inclusive.
 */
since: string | null, 
/**
 * RFC 3339 or YYYY-MM-DD, exclusive.
 */
until: string | null, site: string | null, kind: EntryKind | null, status: EntryStatus | null, search: string | null, };

export type HistoryPageDto = { entries: Array<EntryDto>, next: string | null, };

export type HistorySummaryDto = { count: number, 
/**
 * One line per asset the filtered entries are in.
 */
totals: Array<SummaryTotalDto>, };

export type SummaryTotalDto = { asset: string, 
/**
 * Payments minus refunds among the filtered entries, a decimal string.
 */
spent: string, 
/**
 * How many payments.
 */
payments: number, };

export type SpendDto = { key: string, asset: string, 
/**
 * Payments minus refunds, a decimal string.
 */
spent: string, payments: number, 
/**
 * Share of the asset's total in basis points (0 to 10000), for per-site rankings; 0 elsewhere.
 */
shareBp: number, };

export type InsightsDto = { 
/**
 * Oldest first.
 */
byDay: Array<SpendDto>, 
/**
 * Oldest first.
 */
byMonth: Array<SpendDto>, 
/**
 * Largest first, with each site's share of its asset's total.
 */
bySite: Array<SpendDto>, };

export type ClaimDto = { name: string, value: string, };

export type DocumentKind = "request" | "authorization" | "receipt" | "credit_note";

export type DocumentDto = { kind: DocumentKind, 
/**
 * As stored, byte for byte (JSON or a compact JWS): what "copy raw" copies.
 */
raw: string, 
/**
 * Decoded, in order (a signed document's protected header members come first, named
 * `header.<name>`).
 */
claims: Array<ClaimDto>, 
/**
 * For a signed document: whether its signature verifies under the key it names.
 */
signatureValid: boolean | null, };

export type StatusChangeDto = { status: PaymentStatus, 
/**
 * RFC 3339.
 */
at: string, 
/**
 * What the merchant or the wallet said, if anything.
 */
detail: string | null, };

export type EntryDetailsDto = { entry: EntryDto, 
/**
 * Whom a payment paid: the certified name when its issuer certified the merchant, else the
 * page's own claim.
 */
merchantName: string | null, 
/**
 * The merchant as its issuer certified it when the payment was made; `null`: not verified.
 */
certified: CertifiedMerchantDto | null, 
/**
 * Oldest first.
 */
statusHistory: Array<StatusChangeDto>, documents: Array<DocumentDto>, 
/**
 * For a rejected payment: the entry that credited it back.
 */
compensation: EntryDto | null, 
/**
 * For a refund: the payment it compensates.
 */
compensates: EntryDto | null, };

export type ExportFormatDto = "csv" | "json";

export type ExportArgs = { filter: HistoryFilterDto, format: ExportFormatDto, 
/**
 * Chosen by the user in the save dialog.
 */
path: string, };

export type ExportResultDto = { rows: number, path: string, };

export type ExportProgressDto = { rows: number, 
/**
 * How many rows the export will write in all.
 */
total: number, };

export type HoldReasonDto = "restored" | "behind" | "revoked";

export type RevocationReasonDto = "fork" | "overdrawn";

export type SyncHoldDto = { reason: HoldReasonDto, 
/**
 * More, in the core's words.
 */
detail: string | null, 
/**
 * Unix seconds.
 */
since: number, };

export type SyncCountsDto = { markedSettled: number, refundsReversed: number, refundsFinal: number, paymentsRecovered: number, creditsRecovered: number, };

export type AssetViewDto = { asset: string, credited: string, spent: string, balance: string, 
/**
 * The wallet's only: its payments the issuer has not settled yet.
 */
unsettled: string | null, };

export type DiscrepancyDto = { "kind": "balanceDiffers", asset: string, wallet: string, expected: string, } | { "kind": "forked", paymentId: string, 
/**
 * Decimal string: a number past 2^53 would not survive JSON in the window.
 */
seq: string, } | { "kind": "unrecoverable", paymentId: string, why: string, } | { "kind": "settledAfterFinal", paymentId: string, } | { "kind": "creditUnknownToIssuer", creditId: string, };

export type SyncResultDto = { 
/**
 * When the wallet applied the statement (Unix seconds, the wallet's clock).
 */
syncedAt: number, statementIssuedAt: number, done: SyncCountsDto, issuerView: Array<AssetViewDto>, walletView: Array<AssetViewDto>, issuerHighestSeq: string, walletHighestSeq: string, revoked: RevocationReasonDto | null, revokedAt: number | null, discrepancies: Array<DiscrepancyDto>, mayPay: boolean, };

export type FlaggedMerchantDto = { paymentId: string, payTo: string, 
/**
 * The site the payment was made to, when the wallet still has the payment.
 */
site: string | null, amount: MoneyDto | null, 
/**
 * Its refusal, as the wallet stored it.
 */
refusal: string | null, issuerSettledAt: number, flaggedAt: number, };

export type IssuerSyncDto = { network: string, issuerName: string | null, 
/**
 * Where the wallet reaches the issuer; without one it cannot sync.
 */
issuerUrl: string | null, lastSync: SyncResultDto | null, hold: SyncHoldDto | null, flagged: Array<FlaggedMerchantDto>, 
/**
 * A sync of this network is running now.
 */
syncing: boolean, 
/**
 * When the background sync runs next (Unix seconds, the wallet's clock).
 */
nextSyncAt: number | null, 
/**
 * The last attempt's failure, when it failed (cleared by a sync that succeeds).
 */
lastError: AppErrorDto | null, lastErrorAt: number | null, };

export type SyncStatusDto = { issuers: Array<IssuerSyncDto>, now: number, };

export type PairingRequestDto = { id: string, 
/**
 * Who asked, as the browser named it (`chrome-extension://…/`, `moz-extension:…`).
 */
caller: string, 
/**
 * The label the extension gave itself ("Chromium"); the extension's words, shown as such.
 */
label: string, 
/**
 * The code the extension's popup shows too ("123 456").
 */
code: string, 
/**
 * Unix seconds.
 */
expiresAt: number, };

export type BrowserPairingDto = { id: string, caller: string, label: string, 
/**
 * Unix seconds.
 */
created: number, lastUsed: number | null, };

export const ERROR_CODES: readonly ErrorCode[] = [
  "internal",
  "needs_approval",
  "refused",
  "insufficient_funds",
  "invalid_input",
  "keystore",
  "integrity",
  "busy",
  "disk_full",
  "read_only",
  "disk_io",
  "cancelled",
  "network",
  "site_unconfirmed",
  "refused_by_merchant",
  "unconfirmed",
  "wallet_closed",
  "private_address",
  "plain_http",
  "no_wallet",
  "locked",
  "expired",
  "too_many_prompts",
  "sync_required",
  "payer_revoked",
  "bad_statement",
  "certificate_mismatch",
];

export const REASON_CODES: readonly ReasonCode[] = [
  "paused",
  "blocked",
  "over_max_per_payment",
  "over_daily_cap",
  "over_site_max",
  "over_site_budget",
  "over_auto_pay",
  "ask_each_payment",
  "no_rule",
  "auto_pay",
  "link_pace",
];

export const REASON_PARAMS: readonly ReasonParam[] = [
  "origin",
  "price",
  "max",
  "total",
  "cap",
  "budget",
  "period",
  "spent",
  "left",
  "ceiling",
  "asset",
  "links",
  "seconds",
];

export const AMOUNT_PARAMS: readonly ReasonParam[] = [
  "price",
  "max",
  "total",
  "cap",
  "budget",
  "spent",
  "left",
  "ceiling",
];

export const ENTRY_KINDS: readonly EntryKind[] = [
  "credit",
  "payment",
  "refund",
  "adjustment",
  "transfer_out",
  "transfer_in",
];

export const ENTRY_STATUSES: readonly EntryStatus[] = [
  "pending",
  "settled",
  "rejected",
  "unconfirmed",
  "posted",
];

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  "pending",
  "settled",
  "rejected",
  "unconfirmed",
];

export const PROMPT_SOURCES: readonly PromptSource[] = [
  "link",
  "typed",
  "browser",
];

export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  "request",
  "authorization",
  "receipt",
  "credit_note",
];

export const HOLD_REASONS: readonly HoldReasonDto[] = [
  "restored",
  "behind",
  "revoked",
];

export const REVOCATION_REASONS: readonly RevocationReasonDto[] = [
  "fork",
  "overdrawn",
];

export const EVENTS = {
  paymentPrompt: "payment-prompt",
  paymentMade: "payment-made",
  walletChanged: "wallet-changed",
  linkRefused: "link-refused",
  exportProgress: "export-progress",
  syncFinished: "sync-finished",
  pairingRequest: "pairing-request",
  pairingEnded: "pairing-ended",
} as const;

export const COMMANDS = [
  "app_status",
  "create_wallet",
  "unlock",
  "dashboard",
  "set_paused",
  "topup_demo",
  "redeem_credit",
  "open_priced_page",
  "pending_prompts",
  "approve_prompt",
  "decline_prompt",
  "decline_site_prompts",
  "history",
  "history_summary",
  "history_sites",
  "insights",
  "entry_details",
  "export_history",
  "cancel_export",
  "sites",
  "update_site",
  "remove_site",
  "limits",
  "update_limits",
  "issuers",
  "add_issuer",
  "remove_issuer",
  "set_issuer_url",
  "backup_wallet",
  "restore_wallet",
  "set_locale",
  "set_plain_http",
  "sync_status",
  "sync_now",
  "pending_pairings",
  "answer_pairing",
  "browser_pairings",
  "remove_browser_pairing",
] as const;
