//! The Tauri commands: each one call to the work it names, in `wallet_task` (the open wallet)
//! or `state_task` (the app's state), which run it in `spawn_blocking` because SQLite, the
//! keyring and HTTP block. The figures are the core's; the work lives in the modules named.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use centime_app_models::{
    AppStatus, ApproveArgs, BrowserPairingDto, CreateWalletArgs, Dashboard, EntryDetailsDto, ExportArgs,
    ExportResultDto, HistoryFilterDto, HistoryPageDto, HistorySummaryDto, InsightsDto, IssuerDto, LimitsChangeDto,
    LimitsDto, LocaleDto, OpenResultDto, PairingRequestDto, PaymentResultDto, PromptDto, SiteChangeDto, SiteDto,
    SyncStatusDto, TopupDto,
};
use centime_core::Wallet;
use centime_core::passphrase::Passphrase;
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::{convert, history, issuer_sync, lifecycle, payments, views};

type St<'a> = State<'a, Arc<AppState>>;

/// Runs `f` with the app's state off the async runtime.
async fn state_task<T: Send + 'static>(
    state: &St<'_>,
    f: impl FnOnce(&Arc<AppState>) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let s = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || f(&s))
        .await
        .map_err(|e| AppError::Internal(format!("task failed: {e}")))?
}

/// Runs `f` with the open wallet (locked for `f` only) off the async runtime.
async fn wallet_task<T: Send + 'static>(
    state: &St<'_>,
    f: impl FnOnce(&mut Wallet) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    state_task(state, move |s| s.with_wallet(f)).await
}

/// `state_task` with the app's handle (for events and the reader), the tray redrawn after.
async fn app_task<T: Send + 'static>(
    app: &AppHandle,
    state: &St<'_>,
    f: impl FnOnce(&AppHandle, &Arc<AppState>) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let a = app.clone();
    refreshed(app, state_task(state, move |s| f(&a, s)).await)
}

/// `r`, once the tray shows what changed (the balance, the pause).
fn refreshed<T>(app: &AppHandle, r: AppResult<T>) -> AppResult<T> {
    crate::tray::refresh(app);
    r
}

#[tauri::command]
pub async fn app_status(app: AppHandle, state: St<'_>) -> AppResult<AppStatus> {
    state_task(&state, move |s| Ok(lifecycle::status_for(s, &app))).await
}

#[tauri::command]
pub async fn create_wallet(state: St<'_>, args: CreateWalletArgs) -> AppResult<AppStatus> {
    state_task(&state, move |s| lifecycle::create(s, &args)).await
}

#[tauri::command]
pub async fn unlock(app: AppHandle, state: St<'_>, passphrase: String) -> AppResult<AppStatus> {
    state_task(&state, move |s| lifecycle::unlock(s, &app, passphrase)).await
}

#[tauri::command]
pub async fn dashboard(state: St<'_>) -> AppResult<Dashboard> {
    wallet_task(&state, |w| views::dashboard(w)).await
}

/// The window's language, for what the backend says itself (notifications, the tray).
#[tauri::command]
pub async fn set_locale(app: AppHandle, state: St<'_>, locale: LocaleDto) -> AppResult<()> {
    use_locale(&app, &state, locale)
}

fn use_locale(app: &AppHandle, state: &AppState, locale: LocaleDto) -> AppResult<()> {
    state.set_locale(locale);
    crate::tray::refresh(app);
    Ok(())
}

/// The user's "allow plain HTTP" (Settings): merchants over http:// across the network may
/// then be paid, and their prompts say so (`PromptDto.plainHttp`). Off until the window says.
#[tauri::command]
pub async fn set_plain_http(state: St<'_>, allowed: bool) -> AppResult<()> {
    state.client.allow_plain_http(allowed);
    Ok(())
}

#[tauri::command]
pub async fn set_paused(app: AppHandle, state: St<'_>, paused: bool) -> AppResult<Dashboard> {
    refreshed(&app, wallet_task(&state, move |w| views::set_paused(w, paused)).await)
}

#[tauri::command]
pub async fn topup_demo(app: AppHandle, state: St<'_>, amount: String, asset: String) -> AppResult<TopupDto> {
    refreshed(&app, state_task(&state, move |s| views::topup_demo(s, &amount, &asset)).await)
}

#[tauri::command]
pub async fn redeem_credit(app: AppHandle, state: St<'_>, text: String) -> AppResult<TopupDto> {
    refreshed(&app, wallet_task(&state, move |w| Ok(convert::topup(&w.topup(&text)?))).await)
}

#[tauri::command]
pub async fn open_priced_page(app: AppHandle, state: St<'_>, url: String) -> AppResult<OpenResultDto> {
    app_task(&app, &state, move |a, s| payments::open_priced_page(a, s, &url)).await
}

#[tauri::command]
pub async fn pending_prompts(state: St<'_>) -> AppResult<Vec<PromptDto>> {
    Ok(payments::pending(state.inner()))
}

#[tauri::command]
pub async fn approve_prompt(app: AppHandle, state: St<'_>, args: ApproveArgs) -> AppResult<PaymentResultDto> {
    app_task(&app, &state, move |a, s| payments::approve(a, s, &args.prompt_id, args.always_allow)).await
}

#[tauri::command]
pub async fn decline_prompt(state: St<'_>, prompt_id: String) -> AppResult<()> {
    state.decline_prompt(&prompt_id);
    Ok(())
}

/// "Decline all from this site": every waiting prompt of `origin`; how many were declined.
#[tauri::command]
pub async fn decline_site_prompts(state: St<'_>, origin: String) -> AppResult<u32> {
    Ok(u32::try_from(payments::decline_site(state.inner(), &origin)).unwrap_or(u32::MAX))
}

#[tauri::command]
pub async fn history(
    state: St<'_>,
    filter: HistoryFilterDto,
    cursor: Option<String>,
    limit: u32,
) -> AppResult<HistoryPageDto> {
    wallet_task(&state, move |w| history::page(w, &filter, cursor.as_deref(), limit)).await
}

#[tauri::command]
pub async fn history_summary(state: St<'_>, filter: HistoryFilterDto) -> AppResult<HistorySummaryDto> {
    wallet_task(&state, move |w| history::summary(w, &filter)).await
}

#[tauri::command]
pub async fn history_sites(state: St<'_>) -> AppResult<Vec<String>> {
    wallet_task(&state, |w| Ok(w.known_sites()?)).await
}

#[tauri::command]
pub async fn insights(state: St<'_>, filter: HistoryFilterDto) -> AppResult<InsightsDto> {
    wallet_task(&state, move |w| history::insights(w, &filter)).await
}

#[tauri::command]
pub async fn entry_details(state: St<'_>, id: i64) -> AppResult<EntryDetailsDto> {
    wallet_task(&state, move |w| history::details(w, id)).await
}

/// Runs on the export's own read connection: the wallet stays free for other commands.
#[tauri::command]
pub async fn export_history(app: AppHandle, state: St<'_>, args: ExportArgs) -> AppResult<ExportResultDto> {
    state_task(&state, move |s| history::export(&app, s, &args)).await
}

#[tauri::command]
pub async fn cancel_export(state: St<'_>) -> AppResult<()> {
    state.cancel_export.store(true, Ordering::SeqCst);
    Ok(())
}

#[tauri::command]
pub async fn sites(state: St<'_>) -> AppResult<Vec<SiteDto>> {
    wallet_task(&state, |w| views::sites(w)).await
}

#[tauri::command]
pub async fn update_site(state: St<'_>, change: SiteChangeDto) -> AppResult<SiteDto> {
    wallet_task(&state, move |w| views::update_site(w, &change)).await
}

#[tauri::command]
pub async fn remove_site(state: St<'_>, origin: String) -> AppResult<()> {
    wallet_task(&state, move |w| Ok(w.remove_site(&origin)?)).await
}

#[tauri::command]
pub async fn limits(state: St<'_>) -> AppResult<LimitsDto> {
    wallet_task(&state, |w| Ok(convert::limits(&w.limits()?))).await
}

#[tauri::command]
pub async fn update_limits(state: St<'_>, change: LimitsChangeDto) -> AppResult<LimitsDto> {
    wallet_task(&state, move |w| views::update_limits(w, &change)).await
}

#[tauri::command]
pub async fn issuers(state: St<'_>) -> AppResult<Vec<IssuerDto>> {
    wallet_task(&state, |w| views::issuers(w)).await
}

#[tauri::command]
pub async fn add_issuer(state: St<'_>, issuer: IssuerDto) -> AppResult<Vec<IssuerDto>> {
    state_task(&state, move |s| views::add_issuer_scheduled(s, &issuer)).await
}

/// Sets where a trusted issuer is reached; its background sync is due at once after.
#[tauri::command]
pub async fn set_issuer_url(state: St<'_>, network: String, url: String) -> AppResult<Vec<IssuerDto>> {
    state_task(&state, move |s| views::set_issuer_url_scheduled(s, &network, &url)).await
}

#[tauri::command]
pub async fn remove_issuer(state: St<'_>, network: String) -> AppResult<Vec<IssuerDto>> {
    wallet_task(&state, move |w| views::remove_issuer(w, &network)).await
}

#[tauri::command]
pub async fn backup_wallet(state: St<'_>, path: String, passphrase: String) -> AppResult<()> {
    wallet_task(&state, move |w| Ok(w.backup(std::path::Path::new(&path), &Passphrase::new(passphrase))?)).await
}

#[tauri::command]
pub async fn restore_wallet(state: St<'_>, path: String, passphrase: String) -> AppResult<AppStatus> {
    state_task(&state, move |s| lifecycle::restore(s, &path, passphrase)).await
}

/// Each trusted issuer's last sync, hold, flagged merchants and next sync.
#[tauri::command]
pub async fn sync_status(state: St<'_>) -> AppResult<SyncStatusDto> {
    state_task(&state, |s| issuer_sync::status(s)).await
}

/// Syncs with every issuer now; the status after, each failure in it.
#[tauri::command]
pub async fn sync_now(app: AppHandle, state: St<'_>) -> AppResult<SyncStatusDto> {
    app_task(&app, &state, |a, s| issuer_sync::sync_now(a, s)).await
}

#[cfg(test)]
mod tests {
    /// Each command's body: the statements between its signature and its closing brace.
    fn command_bodies(src: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for part in src.split("#[tauri::command]").skip(1) {
            let Some((sig, rest)) = part.split_once(" {\n") else { continue };
            let name = sig.split("fn ").nth(1).and_then(|s| s.split(['(', '<']).next()).unwrap_or_default();
            let body: Vec<String> = rest
                .lines()
                .take_while(|l| *l != "}")
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("//"))
                .map(str::to_owned)
                .collect();
            out.push((name.to_owned(), body));
        }
        out
    }

    /// One delegating call (an expression, however it wraps), or one call and `Ok(())`.
    fn is_one_call(body: &[String]) -> bool {
        let joined = body.join(" ");
        match body.last().map(String::as_str) {
            Some("Ok(())") => body.len() == 2,
            Some(_) => !joined.contains("; ") && !joined.contains("let "),
            None => false,
        }
    }

    #[test]
    fn each_command_body_is_one_call() {
        let src = include_str!("commands.rs");
        let bodies = command_bodies(src.split("#[cfg(test)]").next().unwrap_or(src));
        assert!(bodies.len() >= 30, "found only {} commands", bodies.len());
        let long: Vec<&String> = bodies.iter().filter(|(_, b)| !is_one_call(b)).map(|(n, _)| n).collect();
        assert_eq!(long, Vec::<&String>::new(), "these commands do work of their own: move it out of commands.rs");
    }

    #[test]
    fn the_one_call_check_catches_a_command_doing_work() {
        let sample = "#[tauri::command]\npub async fn a(state: St<'_>) -> AppResult<()> {\n    let s = state.inner().clone();\n    \
                      blocking(move || s.with_wallet(|w| Ok(w.x()?))).await\n}\n\
                      #[tauri::command]\npub async fn b(state: St<'_>) -> AppResult<()> {\n    wallet_task(&state, |w| Ok(w.x()?)).await\n}\n";
        let bodies = command_bodies(sample);
        assert_eq!(
            bodies.iter().map(|(n, b)| (n.as_str(), is_one_call(b))).collect::<Vec<_>>(),
            [("a", false), ("b", true)]
        );
    }
}

/// Pairing requests waiting for the user (the window may have opened after their event).
#[tauri::command]
pub async fn pending_pairings(state: St<'_>) -> AppResult<Vec<PairingRequestDto>> {
    Ok(state.browser.pending_pairings())
}

/// Pair or Decline in the pairing dialog.
#[tauri::command]
pub async fn answer_pairing(state: St<'_>, id: String, accept: bool) -> AppResult<()> {
    state.browser.answer_pairing(&id, accept)
}

#[tauri::command]
pub async fn browser_pairings(state: St<'_>) -> AppResult<Vec<BrowserPairingDto>> {
    state_task(&state, |s| s.browser.list()).await
}

/// Removes a pairing: that extension is unpaired from its next message on.
#[tauri::command]
pub async fn remove_browser_pairing(state: St<'_>, id: String) -> AppResult<Vec<BrowserPairingDto>> {
    state_task(&state, move |s| s.browser.remove(&id)).await
}
