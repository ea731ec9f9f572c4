//! The Tauri commands: thin async wrappers; the work runs in `spawn_blocking` because
//! SQLite, the keyring and HTTP block.

use std::sync::Arc;

use centime_app_models::{
    AppStatus, ApproveArgs, CreateWalletArgs, Dashboard, EntryDetailsDto, ExportArgs, ExportResultDto,
    HistoryFilterDto, HistoryPageDto, HistorySummaryDto, InsightsDto, IssuerDto, KeystoreKindDto, LimitsChangeDto,
    LimitsDto, LocaleDto, MoneyDto, OpenResultDto, PaymentResultDto, PromptDto, SiteChangeDto, SiteDto, TopupDto,
    WalletState,
};
use centime_core::history::HistoryFilter;
use centime_core::keystore::{FileKeyStore, KeyStore, KeystoreKind, OsKeyStore};
use centime_core::passphrase::Passphrase;
use centime_core::policy::Period;
use centime_core::{Issuer, LimitsChange, SiteChange, Wallet};
use centime_protocol::Micros;
use tauri::{AppHandle, State};

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::payments;
use crate::state::{self, AppState};

type St<'a> = State<'a, Arc<AppState>>;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| AppError::Internal(format!("task failed: {e}")))?
}

fn status(state: &AppState) -> AppStatus {
    let stored = state.stored_keystore();
    let open = state.wallet();
    let wallet_id = open.as_ref().map(|w| w.id().to_string());
    let ready = open.is_some();
    drop(open);
    let probe = state::probe_os_keyring();
    AppStatus {
        state: match (ready, stored) {
            (true, _) => WalletState::Ready,
            (false, Some(_)) => WalletState::Locked,
            (false, None) => WalletState::NoWallet,
        },
        keystore: stored,
        os_keyring_available: probe.is_ok(),
        os_keyring_problem: probe.err().or_else(|| state.open_problem()),
        wallet_id,
        data_dir: state.data_dir.display().to_string(),
        demo: state.demo.clone(),
        integrity_warning: state.integrity_warning(),
    }
}

fn amount(s: &str) -> AppResult<Micros> {
    Ok(Micros::parse_user(s)?)
}

fn opt_amount(s: Option<&String>) -> AppResult<Option<Option<Micros>>> {
    match s.map(|s| s.trim()) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => Ok(Some(Some(amount(s)?))),
    }
}

#[tauri::command]
pub async fn app_status(app: AppHandle, state: St<'_>) -> AppResult<AppStatus> {
    state.know_app(&app);
    let s = state.inner().clone();
    blocking(move || Ok(status(&s))).await
}

#[tauri::command]
pub async fn create_wallet(state: St<'_>, args: CreateWalletArgs) -> AppResult<AppStatus> {
    let s = state.inner().clone();
    blocking(move || {
        if s.stored_keystore().is_some() {
            return Err(AppError::AlreadyExists);
        }
        let ks: Arc<dyn KeyStore> = match args.keystore {
            KeystoreKindDto::Os => Arc::new(OsKeyStore::new()?),
            KeystoreKindDto::File => {
                let pass = Passphrase::new(args.passphrase.clone().unwrap_or_default());
                pass.check_new()?;
                Arc::new(FileKeyStore::new(&s.data_dir, pass))
            }
        };
        let mut issuers = Vec::new();
        if args.trust_demo_issuer
            && let Some(d) = &s.demo
        {
            issuers.push(Issuer {
                network: d.network.parse()?,
                public_key: d.public_key.parse()?,
                name: Some("Centime demo issuer".into()),
            });
        }
        let w = Wallet::init(&s.data_dir, ks.as_ref(), &issuers)?;
        *s.wallet() = Some(w);
        s.set_keystore(Some(ks));
        s.set_integrity_warning(None);
        Ok(status(&s))
    })
    .await
}

#[tauri::command]
pub async fn unlock(app: AppHandle, state: St<'_>, passphrase: String) -> AppResult<AppStatus> {
    state.know_app(&app);
    let s = state.inner().clone();
    blocking(move || {
        let ks = FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase));
        s.open_with(Arc::new(ks))?;
        Ok(status(&s))
    })
    .await
}

fn dashboard_of(w: &Wallet) -> AppResult<Dashboard> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    let spent = |since: i64| -> AppResult<Vec<MoneyDto>> {
        let f = HistoryFilter { since: Some(since), ..Default::default() };
        let mut by_asset: Vec<MoneyDto> = Vec::new();
        for t in w.totals(&f, centime_core::history::GroupBy::Month)? {
            by_asset.push(MoneyDto { amount: t.spent.to_string(), asset: t.asset.to_string() });
        }
        Ok(by_asset)
    };
    let recent = w.history(&HistoryFilter::default(), 10, None)?;
    let unconfirmed =
        w.history(&HistoryFilter { status: Some("unconfirmed".into()), ..Default::default() }, 50, None)?;
    Ok(Dashboard {
        balances: w.balances()?.iter().map(convert::balance).collect(),
        spent_today: spent(Period::Day.start(now))?,
        spent_this_month: spent(Period::Month.start(now))?,
        recent: recent.entries.iter().map(convert::entry).collect(),
        unconfirmed: unconfirmed.entries.iter().map(convert::entry).collect(),
        paused: w.limits()?.paused,
    })
}

#[tauri::command]
pub async fn dashboard(state: St<'_>) -> AppResult<Dashboard> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| dashboard_of(w))).await
}

/// The window's language, for what the backend says itself (notifications, the tray).
#[tauri::command]
pub async fn set_locale(app: AppHandle, state: St<'_>, locale: LocaleDto) -> AppResult<()> {
    state.set_locale(locale);
    crate::tray::refresh(&app);
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
    let s = state.inner().clone();
    let d = blocking(move || {
        s.with_wallet(|w| {
            w.update_limits(&LimitsChange { paused: Some(paused), ..Default::default() })?;
            dashboard_of(w)
        })
    })
    .await?;
    crate::tray::refresh(&app);
    Ok(d)
}

#[tauri::command]
pub async fn topup_demo(app: AppHandle, state: St<'_>, amount: String, asset: String) -> AppResult<TopupDto> {
    let s = state.inner().clone();
    let t = blocking(move || {
        let demo = s.demo.clone().ok_or_else(|| AppError::Demo("no demo issuer is running".into()))?;
        let id = s.with_wallet(|w| Ok(w.id().to_string()))?;
        let credit = crate::demo::buy_credit(&demo, &id, &amount, &asset)?;
        s.with_wallet(|w| Ok(convert::topup(&w.topup(&credit)?)))
    })
    .await?;
    crate::tray::refresh(&app);
    Ok(t)
}

#[tauri::command]
pub async fn redeem_credit(app: AppHandle, state: St<'_>, text: String) -> AppResult<TopupDto> {
    let s = state.inner().clone();
    let t = blocking(move || s.with_wallet(|w| Ok(convert::topup(&w.topup(&text)?)))).await?;
    crate::tray::refresh(&app);
    Ok(t)
}

#[tauri::command]
pub async fn open_priced_page(app: AppHandle, state: St<'_>, url: String) -> AppResult<OpenResultDto> {
    let s = state.inner().clone();
    let a = app.clone();
    let r = blocking(move || payments::open_priced_page(&a, &s, &url)).await?;
    crate::tray::refresh(&app);
    Ok(r)
}

#[tauri::command]
pub async fn pending_prompts(state: St<'_>) -> AppResult<Vec<PromptDto>> {
    Ok(payments::pending(state.inner()))
}

#[tauri::command]
pub async fn approve_prompt(app: AppHandle, state: St<'_>, args: ApproveArgs) -> AppResult<PaymentResultDto> {
    let s = state.inner().clone();
    let a = app.clone();
    let r = blocking(move || payments::approve(&a, &s, &args.prompt_id, args.always_allow)).await;
    crate::tray::refresh(&app);
    r
}

#[tauri::command]
pub async fn decline_prompt(state: St<'_>, prompt_id: String) -> AppResult<()> {
    state.prompts().remove(&prompt_id);
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
    let s = state.inner().clone();
    blocking(move || {
        let f = crate::history::filter_of(&filter)?;
        s.with_wallet(|w| {
            let page = w.history(&f, usize::try_from(limit).unwrap_or(50), cursor.as_deref())?;
            Ok(HistoryPageDto { entries: page.entries.iter().map(convert::entry).collect(), next: page.next })
        })
    })
    .await
}

#[tauri::command]
pub async fn history_summary(state: St<'_>, filter: HistoryFilterDto) -> AppResult<HistorySummaryDto> {
    let s = state.inner().clone();
    blocking(move || {
        let f = crate::history::filter_of(&filter)?;
        s.with_wallet(|w| crate::history::summary(w, &f))
    })
    .await
}

#[tauri::command]
pub async fn history_sites(state: St<'_>) -> AppResult<Vec<String>> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| crate::history::sites(w))).await
}

#[tauri::command]
pub async fn insights(state: St<'_>, filter: HistoryFilterDto) -> AppResult<InsightsDto> {
    let s = state.inner().clone();
    blocking(move || {
        let f = crate::history::filter_of(&filter)?;
        s.with_wallet(|w| crate::history::insights(w, &f))
    })
    .await
}

#[tauri::command]
pub async fn entry_details(state: St<'_>, id: i64) -> AppResult<EntryDetailsDto> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| crate::history::details(w, id))).await
}

#[tauri::command]
pub async fn export_history(app: AppHandle, state: St<'_>, args: ExportArgs) -> AppResult<ExportResultDto> {
    let s = state.inner().clone();
    blocking(move || crate::history::export(&app, &s, &args)).await
}

#[tauri::command]
pub async fn cancel_export(state: St<'_>) -> AppResult<()> {
    state.cancel_export.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

fn site_dto(w: &Wallet, r: &centime_core::policy::SiteRule) -> AppResult<SiteDto> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    let since = r.period.map_or(Period::Month.start(now), |p| p.start(now));
    let f = HistoryFilter { since: Some(since), site: Some(r.origin.clone()), ..Default::default() };
    let totals = w.totals(&f, centime_core::history::GroupBy::Site)?;
    let spent: Vec<MoneyDto> =
        totals.iter().map(|t| MoneyDto { amount: t.spent.to_string(), asset: t.asset.to_string() }).collect();
    let remaining = match r.budget {
        Some(b) if totals.is_empty() => vec![MoneyDto { amount: b.to_string(), asset: "EUR".into() }],
        Some(b) => totals
            .iter()
            .map(|t| MoneyDto {
                amount: Micros::from_micros(b.get().saturating_sub(t.spent.get()).max(0)).to_string(),
                asset: t.asset.to_string(),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(convert::site(r, spent, remaining))
}

#[tauri::command]
pub async fn sites(state: St<'_>) -> AppResult<Vec<SiteDto>> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| w.sites()?.iter().map(|r| site_dto(w, r)).collect())).await
}

#[tauri::command]
pub async fn update_site(state: St<'_>, change: SiteChangeDto) -> AppResult<SiteDto> {
    let s = state.inner().clone();
    blocking(move || {
        let budget = match opt_amount(change.budget.as_ref())? {
            None => None,
            Some(None) => Some(None),
            Some(Some(b)) => Some(Some((b, change.period.map_or(Period::Month, convert::period_in)))),
        };
        let c = SiteChange {
            max_per_payment: opt_amount(change.max_per_payment.as_ref())?,
            budget,
            auto_pay: change.auto_pay,
            blocked: change.blocked,
        };
        s.with_wallet(|w| {
            let r = w.update_site(&change.origin, &c)?;
            site_dto(w, &r)
        })
    })
    .await
}

#[tauri::command]
pub async fn remove_site(state: St<'_>, origin: String) -> AppResult<()> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| Ok(w.remove_site(&origin)?))).await
}

#[tauri::command]
pub async fn limits(state: St<'_>) -> AppResult<LimitsDto> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| Ok(convert::limits(&w.limits()?)))).await
}

#[tauri::command]
pub async fn update_limits(state: St<'_>, change: LimitsChangeDto) -> AppResult<LimitsDto> {
    let s = state.inner().clone();
    blocking(move || {
        let c = LimitsChange {
            paused: None,
            auto_pay_under: change.auto_pay_under.as_deref().map(amount).transpose()?,
            daily_cap: change.daily_cap.as_deref().map(amount).transpose()?,
            max_per_payment: change.max_per_payment.as_deref().map(amount).transpose()?,
        };
        s.with_wallet(|w| Ok(convert::limits(&w.update_limits(&c)?)))
    })
    .await
}

#[tauri::command]
pub async fn issuers(state: St<'_>) -> AppResult<Vec<IssuerDto>> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| Ok(w.issuers()?.iter().map(convert::issuer).collect()))).await
}

#[tauri::command]
pub async fn add_issuer(state: St<'_>, issuer: IssuerDto) -> AppResult<Vec<IssuerDto>> {
    let s = state.inner().clone();
    blocking(move || {
        let i = Issuer {
            network: issuer.network.trim().parse()?,
            public_key: issuer.public_key.trim().parse()?,
            name: issuer.name.filter(|n| !n.trim().is_empty()),
        };
        s.with_wallet(|w| {
            w.add_issuer(&i)?;
            Ok(w.issuers()?.iter().map(convert::issuer).collect())
        })
    })
    .await
}

#[tauri::command]
pub async fn remove_issuer(state: St<'_>, network: String) -> AppResult<Vec<IssuerDto>> {
    let s = state.inner().clone();
    blocking(move || {
        let n = network.parse()?;
        s.with_wallet(|w| {
            w.remove_issuer(&n)?;
            Ok(w.issuers()?.iter().map(convert::issuer).collect())
        })
    })
    .await
}

#[tauri::command]
pub async fn backup_wallet(state: St<'_>, path: String, passphrase: String) -> AppResult<()> {
    let s = state.inner().clone();
    blocking(move || s.with_wallet(|w| Ok(w.backup(std::path::Path::new(&path), &Passphrase::new(passphrase))?))).await
}

#[tauri::command]
pub async fn restore_wallet(state: St<'_>, path: String, passphrase: String) -> AppResult<AppStatus> {
    let s = state.inner().clone();
    blocking(move || {
        // Restore into the keystore this wallet uses. The file keystore keeps its own
        // passphrase: the one that unlocked the open wallet; a locked one only if the backup's
        // passphrase is also the keystore's (the core refuses any other). A new install uses
        // the OS keyring when there is one, else a file keystore under the backup's passphrase.
        let ks: Arc<dyn KeyStore> = match s.stored_keystore() {
            Some(KeystoreKindDto::File) => match s.keystore() {
                Some(open) if open.kind() == KeystoreKind::File => open,
                _ => Arc::new(FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase.clone()))),
            },
            Some(KeystoreKindDto::Os) => Arc::new(OsKeyStore::new()?),
            None if state::probe_os_keyring().is_ok() => Arc::new(OsKeyStore::new()?),
            None => Arc::new(FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase.clone()))),
        };
        // Decrypted and verified while the current wallet stays open: a wrong passphrase or a
        // damaged backup leaves it as it was, still open.
        let checked =
            Wallet::check_backup(&s.data_dir, std::path::Path::new(&path), &Passphrase::new(passphrase), ks.as_ref())
                .map_err(|e| match e {
                centime_core::Error::KeystorePassphraseKept(_) if s.keystore().is_none() => {
                    AppError::Invalid("unlock the wallet first: a restore keeps the keystore's own passphrase".into())
                }
                other => other.into(),
            })?;
        let reopen_with = s.keystore();
        let installed = {
            let mut open = s.wallet();
            // Closed before its file is set aside; the lock is held until the restored wallet
            // (or, on failure, the current one again) is in its place.
            let was_open = open.take().is_some();
            match checked.install(ks.as_ref()) {
                Ok(restored) => {
                    *open = Some(restored.wallet);
                    Ok(())
                }
                Err(e) => {
                    // Everything was put back: the current wallet opens as it was.
                    if was_open && let Some(k) = &reopen_with {
                        *open = Wallet::open(&s.data_dir, k.as_ref()).ok();
                    }
                    Err(e)
                }
            }
        };
        installed?;
        s.set_keystore(Some(ks));
        s.set_integrity_warning(None);
        Ok(status(&s))
    })
    .await
}
