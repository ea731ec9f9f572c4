// One typed function per IPC command. The argument names are the contract with the Rust side:
// Tauri maps these camelCase keys to the commands' snake_case parameters.
import { invoke } from "@tauri-apps/api/core";
import { save } from "@tauri-apps/plugin-dialog";
import type {
  AppStatus,
  ApproveArgs,
  BrowserPairingDto,
  CreateWalletArgs,
  Dashboard,
  EntryDetailsDto,
  ExportArgs,
  ExportFormatDto,
  ExportResultDto,
  HistoryFilterDto,
  HistoryPageDto,
  HistorySummaryDto,
  InsightsDto,
  IssuerDto,
  LimitsChangeDto,
  LimitsDto,
  LocaleDto,
  OpenResultDto,
  PairingRequestDto,
  PaymentResultDto,
  PromptDto,
  SiteChangeDto,
  SiteDto,
  SyncStatusDto,
  TopupDto,
} from "./bindings";

export const appStatus = () => invoke<AppStatus>("app_status");
export const createWallet = (args: CreateWalletArgs) =>
  invoke<AppStatus>("create_wallet", { args });
export const unlock = (passphrase: string) => invoke<AppStatus>("unlock", { passphrase });
export const dashboard = () => invoke<Dashboard>("dashboard");
export const setPaused = (paused: boolean) => invoke<Dashboard>("set_paused", { paused });
export const topupDemo = (amount: string, asset: string) =>
  invoke<TopupDto>("topup_demo", { amount, asset });
export const redeemCredit = (text: string) => invoke<TopupDto>("redeem_credit", { text });
export const openPricedPage = (url: string) => invoke<OpenResultDto>("open_priced_page", { url });
export const pendingPrompts = () => invoke<PromptDto[]>("pending_prompts");
export const approvePrompt = (args: ApproveArgs) =>
  invoke<PaymentResultDto>("approve_prompt", { args });
export const declinePrompt = (promptId: string) => invoke<null>("decline_prompt", { promptId });
export const declineSitePrompts = (origin: string) =>
  invoke<number>("decline_site_prompts", { origin });
export const history = (filter: HistoryFilterDto, cursor: string | null, limit: number) =>
  invoke<HistoryPageDto>("history", { filter, cursor, limit });
export const historySummary = (filter: HistoryFilterDto) =>
  invoke<HistorySummaryDto>("history_summary", { filter });
export const historySites = () => invoke<string[]>("history_sites");
export const insights = (filter: HistoryFilterDto) => invoke<InsightsDto>("insights", { filter });
export const entryDetails = (id: number) => invoke<EntryDetailsDto>("entry_details", { id });
export const exportHistory = (args: ExportArgs) =>
  invoke<ExportResultDto>("export_history", { args });
export const cancelExport = () => invoke<null>("cancel_export");
export const sites = () => invoke<SiteDto[]>("sites");
export const updateSite = (change: SiteChangeDto) => invoke<SiteDto>("update_site", { change });
export const removeSite = (origin: string) => invoke<null>("remove_site", { origin });
export const limits = () => invoke<LimitsDto>("limits");
export const updateLimits = (change: LimitsChangeDto) =>
  invoke<LimitsDto>("update_limits", { change });
export const issuers = () => invoke<IssuerDto[]>("issuers");
export const addIssuer = (issuer: IssuerDto) => invoke<IssuerDto[]>("add_issuer", { issuer });
export const removeIssuer = (network: string) => invoke<IssuerDto[]>("remove_issuer", { network });
/** Sets where a trusted issuer is reached; its background sync is due at once after. */
export const setIssuerUrl = (network: string, url: string) =>
  invoke<IssuerDto[]>("set_issuer_url", { network, url });
export const backupWallet = (path: string, passphrase: string) =>
  invoke<null>("backup_wallet", { path, passphrase });
export const restoreWallet = (path: string, passphrase: string) =>
  invoke<AppStatus>("restore_wallet", { path, passphrase });
/** The window's language, for the backend's own notifications and tray menu. */
export const setLocale = (locale: LocaleDto) => invoke<null>("set_locale", { locale });
export const setPlainHttp = (allowed: boolean) => invoke<null>("set_plain_http", { allowed });
/** Each trusted issuer's last sync, hold, flagged merchants and next sync. */
export const syncStatus = () => invoke<SyncStatusDto>("sync_status");
/** Syncs with every issuer now; resolves to the status after (each failure is in it). */
export const syncNow = () => invoke<SyncStatusDto>("sync_now");
export const pendingPairings = () => invoke<PairingRequestDto[]>("pending_pairings");
export const answerPairing = (id: string, accept: boolean) =>
  invoke<null>("answer_pairing", { id, accept });
export const browserPairings = () => invoke<BrowserPairingDto[]>("browser_pairings");
export const removeBrowserPairing = (id: string) =>
  invoke<BrowserPairingDto[]>("remove_browser_pairing", { id });

/**
 * Asks the user where to save an export (the system's save dialog, through the dialog plugin).
 * Resolves to the chosen path, or null when the user closes the dialog.
 */
export const chooseExportPath = (format: ExportFormatDto, defaultName: string, title: string) =>
  save({
    title,
    defaultPath: defaultName,
    filters: [{ name: format.toUpperCase(), extensions: [format] }],
  });
