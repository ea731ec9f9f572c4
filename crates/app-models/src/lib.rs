//! What crosses IPC between Centime's desktop shell and its UI.
//!
//! These types are the contract: the Tauri commands return them, and the TypeScript in
//! `ui/src/lib/backend/bindings.ts` is generated from them (`cargo run -p centime-app-models
//! --bin gen-bindings`; a test fails when the committed file is stale). Every amount is a
//! decimal string, never a number.

pub use centime_core::policy::{ParamName as ReasonParam, ReasonCode};
pub use centime_core::{EntryStatus, ErrorCode, Kind as EntryKind, Status as PaymentStatus};
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use ts_rs::TS;

/// An error as the UI receives it: a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppErrorDto {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KeystoreKindDto {
    Os,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WalletState {
    /// No wallet in the data directory: onboarding.
    NoWallet,
    /// A wallet protected by the file keystore: needs its passphrase.
    Locked,
    Ready,
}

/// The demo issuer `make run` starts, when the app runs on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoDto {
    pub base_url: String,
    pub network: String,
    pub public_key: String,
    pub test_card: String,
    /// Currencies the demo issuer sells.
    pub assets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub state: WalletState,
    pub keystore: Option<KeystoreKindDto>,
    /// Whether the OS keyring answered when probed (onboarding offers the file keystore if not).
    pub os_keyring_available: bool,
    /// Why the OS keyring is unavailable, in words.
    pub os_keyring_problem: Option<String>,
    pub wallet_id: Option<String>,
    pub data_dir: String,
    pub demo: Option<DemoDto>,
    /// Set when `verify` failed on start: shown as a warning banner.
    pub integrity_warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateWalletArgs {
    pub keystore: KeystoreKindDto,
    /// Required for the file keystore (at least 8 characters).
    pub passphrase: Option<String>,
    /// Trust the demo issuer (only offered in demo mode).
    pub trust_demo_issuer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoneyDto {
    /// Decimal string, e.g. "0.10", "0.005", "-1.20".
    pub amount: String,
    /// ISO 4217 code.
    pub asset: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BalanceDto {
    pub network: String,
    pub amount: String,
    pub asset: String,
    /// Of `amount`, refunds of refused payments not spendable yet ("0" when none).
    pub held: String,
    /// When they become spendable (Unix seconds).
    #[ts(type = "number | null")]
    pub held_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntryDto {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    pub kind: EntryKind,
    pub status: EntryStatus,
    /// Signed decimal: payments are negative.
    pub amount: String,
    pub asset: String,
    pub network: String,
    pub site: Option<String>,
    pub resource: Option<String>,
    pub description: Option<String>,
    pub payment_id: Option<String>,
    /// Settled on the merchant's word: its answer said success without a signed receipt.
    pub settled_without_receipt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub balances: Vec<BalanceDto>,
    pub spent_today: Vec<MoneyDto>,
    pub spent_this_month: Vec<MoneyDto>,
    pub recent: Vec<EntryDto>,
    pub unconfirmed: Vec<EntryDto>,
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TopupDto {
    pub credit_id: String,
    pub network: String,
    pub amount: String,
    pub asset: String,
    pub balance: String,
}

/// The language the window shows, for what the backend says itself (notifications, tray).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum LocaleDto {
    En,
    Fr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PeriodDto {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DecisionDto {
    /// The rules let it pay without asking.
    Auto,
    /// The user must approve.
    Ask,
    /// A rule refuses it; approval cannot override.
    Refuse,
}

/// A payment waiting for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PromptDto {
    pub id: String,
    /// The site asking, `scheme://host[:port]`: shown prominently.
    pub origin: String,
    /// The page's own `merchantName`: only its claim.
    pub merchant_name: Option<String>,
    /// The merchant as the wallet's trusted issuer certifies it; `null`: not verified.
    pub certified: Option<CertifiedMerchantDto>,
    pub page_title: Option<String>,
    pub resource: String,
    pub price: String,
    pub asset: String,
    pub network: String,
    pub balance: String,
    pub balance_after: String,
    /// What is left of the site's budget in its period, before this payment.
    pub allowance_left: Option<String>,
    pub allowance_period: Option<PeriodDto>,
    pub decision: DecisionDto,
    /// The rule that made it ask (or refuse), in the window's language (`set_locale`).
    pub reason: String,
    /// The same as a code to translate.
    pub reason_code: ReasonCode,
    /// Its parameters (amounts are decimal strings in `asset`; `period` is day/week/month).
    pub reason_params: Vec<ReasonParamDto>,
    /// Unix seconds after which the prompt is void.
    #[ts(type = "number")]
    pub expires_at: i64,
    /// Where the browser goes after paying (per-fee link flow).
    pub return_url: Option<String>,
    pub source: PromptSource,
    /// The merchant is reached over plain HTTP across the network, which anyone on the way can
    /// read and change (only possible once the user allowed plain HTTP: `set_plain_http`): the
    /// prompt says so in red.
    pub plain_http: bool,
}

/// A merchant as the wallet's trusted issuer certified it (ADR 23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CertifiedMerchantDto {
    /// The name the issuer registered, shown instead of the page's claim.
    pub name: String,
    /// Who vouches for it: the issuer's name as the wallet stores it, else its network.
    pub issuer: String,
}

/// How a payment request reached the app.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PromptSource {
    /// A `centime://pay` link from a web page, its price confirmed with the site.
    Link,
    /// A URL the user typed into "Open a priced page".
    Typed,
    /// A page in the user's browser, through the paired extension; its 402 read by the app.
    Browser,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReasonParamDto {
    pub name: ReasonParam,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlwaysAllowDto {
    pub budget: String,
    pub period: PeriodDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApproveArgs {
    pub prompt_id: String,
    /// Also allow this site to charge without asking up to a budget.
    pub always_allow: Option<AlwaysAllowDto>,
}

/// What became of a payment the user approved (or the rules made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResultDto {
    pub payment_id: String,
    pub origin: String,
    pub amount: String,
    pub asset: String,
    /// Never `pending`: a payment the merchant did not answer is `unconfirmed`.
    pub status: PaymentStatus,
    pub message: String,
    /// The return URL opened in the browser, if any.
    pub opened_return_url: Option<String>,
    /// The paid page was opened in the reader window (which has no access to the wallet).
    pub shown_in_reader: bool,
    pub automatic: bool,
}

/// The result of opening a URL typed into "Open a priced page".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum OpenResultDto {
    /// The page is free (or already paid): it is shown in the reader.
    Free { url: String },
    /// The page costs money and the user must answer.
    Prompt { prompt: Box<PromptDto> },
    /// The rules paid it automatically.
    Paid { result: PaymentResultDto },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SiteDto {
    pub origin: String,
    pub blocked: bool,
    pub auto_pay: bool,
    pub max_per_payment: Option<String>,
    pub budget: Option<String>,
    pub period: Option<PeriodDto>,
    /// Spent in the current period, per asset the site charged in.
    pub spent_in_period: Vec<MoneyDto>,
    /// Left of the budget in the current period, per asset.
    pub remaining: Vec<MoneyDto>,
}

/// A change to a site's rule; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct SiteChangeDto {
    pub origin: String,
    pub auto_pay: Option<bool>,
    pub blocked: Option<bool>,
    /// `Some("")` clears the limit.
    pub max_per_payment: Option<String>,
    /// `Some("")` clears the budget.
    pub budget: Option<String>,
    pub period: Option<PeriodDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LimitsDto {
    pub paused: bool,
    pub auto_pay_under: String,
    pub daily_cap: String,
    pub max_per_payment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct LimitsChangeDto {
    pub auto_pay_under: Option<String>,
    pub daily_cap: Option<String>,
    pub max_per_payment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuerDto {
    pub network: String,
    pub public_key: String,
    pub name: Option<String>,
    /// Where the wallet asks for its statement (`http(s)://`); none: the network never syncs.
    /// Defaulted so a caller that predates it still parses.
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFilterDto {
    /// RFC 3339 or YYYY-MM-DD, inclusive.
    pub since: Option<String>,
    /// RFC 3339 or YYYY-MM-DD, exclusive.
    pub until: Option<String>,
    pub site: Option<String>,
    pub kind: Option<EntryKind>,
    pub status: Option<EntryStatus>,
    pub search: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPageDto {
    pub entries: Vec<EntryDto>,
    pub next: Option<String>,
}

/// How many entries a filter selects and what they add up to: the history's sticky totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistorySummaryDto {
    #[ts(type = "number")]
    pub count: u64,
    /// One line per asset the filtered entries are in.
    pub totals: Vec<SummaryTotalDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SummaryTotalDto {
    pub asset: String,
    /// Payments minus refunds among the filtered entries, a decimal string.
    pub spent: String,
    /// How many payments.
    #[ts(type = "number")]
    pub payments: i64,
}

/// Spending in one bucket (a day `YYYY-MM-DD`, a month `YYYY-MM`, or a site's origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpendDto {
    pub key: String,
    pub asset: String,
    /// Payments minus refunds, a decimal string.
    pub spent: String,
    #[ts(type = "number")]
    pub payments: i64,
    /// Share of the asset's total in basis points (0 to 10000), for per-site rankings; 0 elsewhere.
    #[ts(type = "number")]
    pub share_bp: u32,
}

/// Spending for a history filter, grouped for the charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InsightsDto {
    /// Oldest first.
    pub by_day: Vec<SpendDto>,
    /// Oldest first.
    pub by_month: Vec<SpendDto>,
    /// Largest first, with each site's share of its asset's total.
    pub by_site: Vec<SpendDto>,
}

/// A named value read from a signed document (a claim of a JWS payload, a field of a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClaimDto {
    pub name: String,
    pub value: String,
}

/// Which document of an entry a [`DocumentDto`] is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DocumentKind {
    /// The site's payment request.
    Request,
    /// What the wallet signed.
    Authorization,
    /// The merchant's receipt.
    Receipt,
    /// An issuer's credit note.
    CreditNote,
}

/// One of the documents stored with a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentDto {
    pub kind: DocumentKind,
    /// As stored, byte for byte (JSON or a compact JWS): what "copy raw" copies.
    pub raw: String,
    /// Decoded, in order (a signed document's protected header members come first, named
    /// `header.<name>`).
    pub claims: Vec<ClaimDto>,
    /// For a signed document: whether its signature verifies under the key it names.
    pub signature_valid: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusChangeDto {
    pub status: PaymentStatus,
    /// RFC 3339.
    pub at: String,
    /// What the merchant or the wallet said, if anything.
    pub detail: Option<String>,
}

/// Everything the wallet keeps about one journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EntryDetailsDto {
    pub entry: EntryDto,
    /// Whom a payment paid: the certified name when its issuer certified the merchant, else the
    /// page's own claim.
    pub merchant_name: Option<String>,
    /// The merchant as its issuer certified it when the payment was made; `null`: not verified.
    pub certified: Option<CertifiedMerchantDto>,
    /// Oldest first.
    pub status_history: Vec<StatusChangeDto>,
    pub documents: Vec<DocumentDto>,
    /// For a rejected payment: the entry that credited it back.
    pub compensation: Option<EntryDto>,
    /// For a refund: the payment it compensates.
    pub compensates: Option<EntryDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormatDto {
    Csv,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportArgs {
    pub filter: HistoryFilterDto,
    pub format: ExportFormatDto,
    /// Chosen by the user in the save dialog.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResultDto {
    #[ts(type = "number")]
    pub rows: u64,
    pub path: String,
}

/// Payload of the `export-progress` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgressDto {
    #[ts(type = "number")]
    pub rows: u64,
    /// How many rows the export will write in all.
    #[ts(type = "number")]
    pub total: u64,
}

/// Why paying on a network waits for a sync (the core's `HoldReason`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HoldReasonDto {
    /// Restored from a backup: it may have forgotten payments.
    Restored,
    /// The issuer knows payments or credits the wallet could not recover.
    Behind,
    /// The issuer revoked the wallet's key.
    Revoked,
}

/// Why the issuer revoked the wallet's key.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RevocationReasonDto {
    /// Two different payments under one sequence number: a restored or copied wallet paid.
    Fork,
    /// Its settled payments went past its credits.
    Overdrawn,
}

/// A network the wallet does not pay on until a sync lifts the hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncHoldDto {
    pub reason: HoldReasonDto,
    /// More, in the core's words.
    pub detail: Option<String>,
    /// Unix seconds.
    #[ts(type = "number")]
    pub since: i64,
}

/// What a sync changed in the wallet (counts, not money).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncCountsDto {
    #[ts(type = "number")]
    pub marked_settled: u64,
    #[ts(type = "number")]
    pub refunds_reversed: u64,
    #[ts(type = "number")]
    pub refunds_final: u64,
    #[ts(type = "number")]
    pub payments_recovered: u64,
    #[ts(type = "number")]
    pub credits_recovered: u64,
}

/// One asset's account as the issuer or the wallet sees it; every figure is the core's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssetViewDto {
    pub asset: String,
    pub credited: String,
    pub spent: String,
    pub balance: String,
    /// The wallet's only: its payments the issuer has not settled yet.
    pub unsettled: Option<String>,
}

/// Something the wallet and the issuer disagree on that the sync could not settle alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DiscrepancyDto {
    /// The wallet's balance is not the issuer's less the payments it has not settled yet.
    #[serde(rename_all = "camelCase")]
    BalanceDiffers { asset: String, wallet: String, expected: String },
    /// The issuer settled another copy's payment under one of this wallet's ids or numbers.
    #[serde(rename_all = "camelCase")]
    Forked {
        payment_id: String,
        /// Decimal string: a number past 2^53 would not survive JSON in the window.
        seq: String,
    },
    /// A settled payment whose authorization does not check under this wallet's key.
    #[serde(rename_all = "camelCase")]
    Unrecoverable { payment_id: String, why: String },
    /// The issuer settled a payment whose refund was already final.
    #[serde(rename_all = "camelCase")]
    SettledAfterFinal { payment_id: String },
    /// A credit the wallet redeemed that the issuer does not list.
    #[serde(rename_all = "camelCase")]
    CreditUnknownToIssuer { credit_id: String },
}

/// The last sync of a network: what it found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncResultDto {
    /// When the wallet applied the statement (Unix seconds, the wallet's clock).
    #[ts(type = "number")]
    pub synced_at: i64,
    #[ts(type = "number")]
    pub statement_issued_at: u64,
    pub done: SyncCountsDto,
    pub issuer_view: Vec<AssetViewDto>,
    pub wallet_view: Vec<AssetViewDto>,
    pub issuer_highest_seq: String,
    pub wallet_highest_seq: String,
    pub revoked: Option<RevocationReasonDto>,
    #[ts(type = "number | null")]
    pub revoked_at: Option<u64>,
    pub discrepancies: Vec<DiscrepancyDto>,
    pub may_pay: bool,
}

/// A merchant that answered "refused", kept the authorization and settled it anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FlaggedMerchantDto {
    pub payment_id: String,
    pub pay_to: String,
    /// The site the payment was made to, when the wallet still has the payment.
    pub site: Option<String>,
    pub amount: Option<MoneyDto>,
    /// Its refusal, as the wallet stored it.
    pub refusal: Option<String>,
    #[ts(type = "number")]
    pub issuer_settled_at: i64,
    #[ts(type = "number")]
    pub flagged_at: i64,
}

/// One trusted issuer's sync, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuerSyncDto {
    pub network: String,
    pub issuer_name: Option<String>,
    /// Where the wallet reaches the issuer; without one it cannot sync.
    pub issuer_url: Option<String>,
    pub last_sync: Option<SyncResultDto>,
    pub hold: Option<SyncHoldDto>,
    pub flagged: Vec<FlaggedMerchantDto>,
    /// A sync of this network is running now.
    pub syncing: bool,
    /// When the background sync runs next (Unix seconds, the wallet's clock).
    #[ts(type = "number | null")]
    pub next_sync_at: Option<i64>,
    /// The last attempt's failure, when it failed (cleared by a sync that succeeds).
    pub last_error: Option<AppErrorDto>,
    #[ts(type = "number | null")]
    pub last_error_at: Option<i64>,
}

/// Every trusted issuer's sync, with the wallet's clock for "3 minutes ago".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusDto {
    pub issuers: Vec<IssuerSyncDto>,
    #[ts(type = "number")]
    pub now: i64,
}

/// A browser extension asking to be paired, shown in the pairing dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PairingRequestDto {
    pub id: String,
    /// Who asked, as the browser named it (`chrome-extension://…/`, `moz-extension:…`).
    pub caller: String,
    /// The label the extension gave itself ("Chromium"); the extension's words, shown as such.
    pub label: String,
    /// The code the extension's popup shows too ("123 456").
    pub code: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// A paired browser extension, in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowserPairingDto {
    pub id: String,
    pub caller: String,
    pub label: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number | null")]
    pub last_used: Option<i64>,
}

/// Names of the events the shell emits to the main window.
pub mod events {
    /// Payload: `PromptDto`. A payment request arrived (deep link) and waits for an answer.
    pub const PAYMENT_PROMPT: &str = "payment-prompt";
    /// Payload: `PaymentResultDto`. A payment was made (automatically or approved).
    pub const PAYMENT_MADE: &str = "payment-made";
    /// Payload: none. Balances or history changed: refresh.
    pub const WALLET_CHANGED: &str = "wallet-changed";
    /// Payload: `AppErrorDto`. A deep link was refused before any prompt.
    pub const LINK_REFUSED: &str = "link-refused";
    /// Payload: `ExportProgressDto`. Rows written so far by the running export.
    pub const EXPORT_PROGRESS: &str = "export-progress";
    /// Payload: none. A sync with an issuer ended (done or failed): read `sync_status` again.
    pub const SYNC_FINISHED: &str = "sync-finished";
    /// Payload: `PairingRequestDto`. A browser extension asks to be paired.
    pub const PAIRING_REQUEST: &str = "pairing-request";
    /// Payload: the request's id. A pairing request was answered or expired: close its dialog.
    pub const PAIRING_ENDED: &str = "pairing-ended";
}

/// Every Tauri command the shell exposes, in the order of `ui/src/lib/backend/commands.ts`.
pub const COMMANDS: &[&str] = &[
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
];

/// The TypeScript declarations of every type above, in one file.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::default();
    let decls = [
        ErrorCode::decl(&cfg),
        ReasonCode::decl(&cfg),
        ReasonParam::decl(&cfg),
        EntryKind::decl(&cfg),
        EntryStatus::decl(&cfg),
        PaymentStatus::decl(&cfg),
        PromptSource::decl(&cfg),
        AppErrorDto::decl(&cfg),
        KeystoreKindDto::decl(&cfg),
        WalletState::decl(&cfg),
        DemoDto::decl(&cfg),
        AppStatus::decl(&cfg),
        CreateWalletArgs::decl(&cfg),
        MoneyDto::decl(&cfg),
        BalanceDto::decl(&cfg),
        EntryDto::decl(&cfg),
        Dashboard::decl(&cfg),
        TopupDto::decl(&cfg),
        PeriodDto::decl(&cfg),
        LocaleDto::decl(&cfg),
        DecisionDto::decl(&cfg),
        ReasonParamDto::decl(&cfg),
        CertifiedMerchantDto::decl(&cfg),
        PromptDto::decl(&cfg),
        AlwaysAllowDto::decl(&cfg),
        ApproveArgs::decl(&cfg),
        PaymentResultDto::decl(&cfg),
        OpenResultDto::decl(&cfg),
        SiteDto::decl(&cfg),
        SiteChangeDto::decl(&cfg),
        LimitsDto::decl(&cfg),
        LimitsChangeDto::decl(&cfg),
        IssuerDto::decl(&cfg),
        HistoryFilterDto::decl(&cfg),
        HistoryPageDto::decl(&cfg),
        HistorySummaryDto::decl(&cfg),
        SummaryTotalDto::decl(&cfg),
        SpendDto::decl(&cfg),
        InsightsDto::decl(&cfg),
        ClaimDto::decl(&cfg),
        DocumentKind::decl(&cfg),
        DocumentDto::decl(&cfg),
        StatusChangeDto::decl(&cfg),
        EntryDetailsDto::decl(&cfg),
        ExportFormatDto::decl(&cfg),
        ExportArgs::decl(&cfg),
        ExportResultDto::decl(&cfg),
        ExportProgressDto::decl(&cfg),
        HoldReasonDto::decl(&cfg),
        RevocationReasonDto::decl(&cfg),
        SyncHoldDto::decl(&cfg),
        SyncCountsDto::decl(&cfg),
        AssetViewDto::decl(&cfg),
        DiscrepancyDto::decl(&cfg),
        SyncResultDto::decl(&cfg),
        FlaggedMerchantDto::decl(&cfg),
        IssuerSyncDto::decl(&cfg),
        SyncStatusDto::decl(&cfg),
        PairingRequestDto::decl(&cfg),
        BrowserPairingDto::decl(&cfg),
    ];
    let mut out =
        String::from("// Generated from crates/app-models by `make bindings`. Do not edit: change the Rust types.\n\n");
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    // Every variant of each vocabulary, so that the UI's tests can check each has its text.
    vocabulary::<ErrorCode>(&mut out, "ERROR_CODES", "ErrorCode");
    vocabulary::<ReasonCode>(&mut out, "REASON_CODES", "ReasonCode");
    vocabulary::<ReasonParam>(&mut out, "REASON_PARAMS", "ReasonParam");
    // The parameters that are amounts, which the UI formats as money.
    out.push_str("export const AMOUNT_PARAMS: readonly ReasonParam[] = [\n");
    for p in ReasonParam::iter().filter(|p| p.is_amount()) {
        out.push_str(&format!("  {},\n", serde_json::to_string(&p).unwrap_or_default()));
    }
    out.push_str("];\n\n");
    vocabulary::<EntryKind>(&mut out, "ENTRY_KINDS", "EntryKind");
    vocabulary::<EntryStatus>(&mut out, "ENTRY_STATUSES", "EntryStatus");
    vocabulary::<PaymentStatus>(&mut out, "PAYMENT_STATUSES", "PaymentStatus");
    vocabulary::<PromptSource>(&mut out, "PROMPT_SOURCES", "PromptSource");
    vocabulary::<DocumentKind>(&mut out, "DOCUMENT_KINDS", "DocumentKind");
    vocabulary::<HoldReasonDto>(&mut out, "HOLD_REASONS", "HoldReasonDto");
    vocabulary::<RevocationReasonDto>(&mut out, "REVOCATION_REASONS", "RevocationReasonDto");
    out.push_str("export const EVENTS = {\n");
    for (k, v) in [
        ("paymentPrompt", events::PAYMENT_PROMPT),
        ("paymentMade", events::PAYMENT_MADE),
        ("walletChanged", events::WALLET_CHANGED),
        ("linkRefused", events::LINK_REFUSED),
        ("exportProgress", events::EXPORT_PROGRESS),
        ("syncFinished", events::SYNC_FINISHED),
        ("pairingRequest", events::PAIRING_REQUEST),
        ("pairingEnded", events::PAIRING_ENDED),
    ] {
        out.push_str(&format!("  {k}: \"{v}\",\n"));
    }
    out.push_str("} as const;\n\nexport const COMMANDS = [\n");
    for c in COMMANDS {
        out.push_str(&format!("  \"{c}\",\n"));
    }
    out.push_str("] as const;\n");
    out
}

/// Every word of each vocabulary that crosses a layer as text, by its enum's name: the codes
/// `scripts/vocab-check.sh` looks for as string literals outside their enums.
pub fn vocabularies() -> Vec<(&'static str, Vec<String>)> {
    fn words<T: IntoEnumIterator + Into<&'static str>>() -> Vec<String> {
        T::iter().map(|v| v.into().to_owned()).collect()
    }
    vec![
        ("ErrorCode", words::<ErrorCode>()),
        ("ReasonCode", words::<ReasonCode>()),
        ("ReasonParam", words::<ReasonParam>()),
        ("EntryKind", words::<EntryKind>()),
        ("EntryStatus", words::<EntryStatus>()),
        ("PaymentStatus", words::<PaymentStatus>()),
        ("PromptSource", words::<PromptSource>()),
        ("DocumentKind", words::<DocumentKind>()),
        ("Rejection", words::<centime_protocol::Rejection>()),
        ("SettlementCode", words::<centime_protocol::wire::SettlementCode>()),
        ("BridgeErrorCode", words::<centime_bridge::BridgeErrorCode>()),
        ("PayOutcome", words::<centime_bridge::messages::PayOutcome>()),
    ]
}

/// `export const NAME: readonly TYPE[] = [...]`, every variant of `T` as serde writes it.
fn vocabulary<T: IntoEnumIterator + Serialize>(out: &mut String, name: &str, ty: &str) {
    out.push_str(&format!("export const {name}: readonly {ty}[] = [\n"));
    for v in T::iter() {
        // A unit variant serializes to a JSON string: quoted and escaped as TypeScript wants.
        let word = serde_json::to_string(&v).unwrap_or_default();
        out.push_str(&format!("  {word},\n"));
    }
    out.push_str("];\n\n");
}
