//! Centime's desktop app: a hardened Tauri shell over centime-core.
//!
//! One window (`main`) may call commands; the reader window, which shows paid pages, has no
//! capability and so no IPC. Deep links (`centime://`) reach the running instance through
//! single-instance, and are confirmed with the site before any prompt.

// A GUI binary on Windows should not open a console.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod browser;
mod commands;
mod convert;
mod demo;
mod error;
mod history;
mod issuer_sync;
mod lifecycle;
mod logs;
mod payments;
mod reader;
mod resolver;
mod state;
mod texts;
mod tray;
mod views;

use std::sync::Arc;

use centime_app_models::events;
use tauri::{AppHandle, Emitter as _, Manager as _};
use tauri_plugin_deep_link::DeepLinkExt as _;

use crate::error::AppError;
use crate::state::AppState;

/// A desktop notification; failures (no notification daemon) are not worth stopping for.
pub fn notify(app: &AppHandle, body: &str) {
    use tauri_plugin_notification::NotificationExt as _;
    if let Err(e) = app.notification().builder().title("Centime").body(body).show() {
        tracing::debug!(error = %e, "no desktop notification");
    }
}

fn data_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("CENTIME_DATA_DIR") {
        return d.into();
    }
    directories::ProjectDirs::from("org", "Centime", "Centime")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| std::path::PathBuf::from("centime-data"))
}

/// Handles a `centime://` link off the UI thread.
fn on_link(app: &AppHandle, link: String) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<Arc<AppState>>().inner().clone();
        match payments::handle_link(&app, &state, &link) {
            Ok(Some(prompt)) => payments::raise(&app, &state, &prompt),
            Ok(None) => tray::refresh(&app),
            // A site over its share of prompts gets a notice, not the window's focus.
            Err(AppError::TooManyPrompts(origin)) => {
                if state.may_report_refusal(&origin, std::time::Instant::now(), payments::REPORT_REFUSALS_EVERY) {
                    notify(&app, &texts::too_many_prompts(state.locale(), &origin));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "payment link refused");
                payments::bring_forward(&app, &state);
                let _ = app.emit_to("main", events::LINK_REFUSED, e.dto());
            }
        }
    });
}

/// The argument the browser's host starts the app with: no window until one is needed.
const BACKGROUND: &str = "--background";

fn links_in(args: &[String]) -> Vec<String> {
    args.iter().filter(|a| a.starts_with("centime:")).cloned().collect()
}

/// The wallet's state: built in `setup`, after single-instance has let a second instance hand
/// its link over and exit, so that one never opens the wallet or probes the demo.
fn start_state(app: &tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let configured = std::env::var("CENTIME_DEMO_URL").ok();
    let demo = demo::url_to_probe(configured.clone(), cfg!(debug_assertions)).and_then(|u| demo::discover(&u));
    let trusted = demo::trusted_origins(
        configured.as_deref(),
        demo.as_ref(),
        std::env::var("CENTIME_TRUSTED_ORIGINS").ok().as_deref(),
    );
    let state = Arc::new(AppState::new(data_dir(), demo, &trusted)?);
    state.open_at_start();
    app.manage(state);
    Ok(())
}

/// The main window draws without the GPU: its forms, lists and charts do not need it, and
/// WebKitGTK's GPU compositing costs about 100 MB per window (BENCHMARKS.md) and a larger
/// attack surface (WebGL is off too).
fn without_gpu(window: &tauri::WebviewWindow) {
    let _ = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt as _};
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                settings.set_enable_webgl(false);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
}

fn main() {
    let result = tauri::Builder::default()
        // First, so that a second instance hands its arguments (a link) over and exits.
        // Its deep-link feature passes a second instance's links to the deep-link plugin
        // (`on_open_url` below); handling them here too would pay a link twice.
        // A second instance started with links raises nothing itself: each link's handling
        // brings the window forward at most once per `RAISE_EVERY`, so a page firing links
        // cannot keep stealing the focus. Started without one (the user opened the app
        // again), it shows the window.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // The browser's host starting the app it could not reach shows nothing either.
            if !links_in(&argv).is_empty() || argv.iter().any(|a| a == BACKGROUND) {
                return;
            }
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        // The save dialog of an export (its permission is granted to the main window only).
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::create_wallet,
            commands::unlock,
            commands::dashboard,
            commands::set_paused,
            commands::topup_demo,
            commands::redeem_credit,
            commands::open_priced_page,
            commands::pending_prompts,
            commands::approve_prompt,
            commands::decline_prompt,
            commands::decline_site_prompts,
            commands::history,
            commands::history_summary,
            commands::history_sites,
            commands::insights,
            commands::entry_details,
            commands::export_history,
            commands::cancel_export,
            commands::sites,
            commands::update_site,
            commands::remove_site,
            commands::limits,
            commands::update_limits,
            commands::issuers,
            commands::add_issuer,
            commands::set_issuer_url,
            commands::remove_issuer,
            commands::backup_wallet,
            commands::restore_wallet,
            commands::set_locale,
            commands::set_plain_http,
            commands::sync_status,
            commands::sync_now,
            commands::pending_pairings,
            commands::answer_pairing,
            commands::browser_pairings,
            commands::remove_browser_pairing,
        ])
        .setup(|app| {
            logs::start(&data_dir());
            start_state(app)?;
            resolver::start(app.handle(), app.state::<Arc<AppState>>().inner().clone());
            issuer_sync::start(app.handle(), app.state::<Arc<AppState>>().inner().clone());
            let args: Vec<String> = std::env::args().collect();
            if let Some(w) = app.get_webview_window("main") {
                without_gpu(&w);
                // Started by the browser's host: the tray only, until a prompt or a pairing.
                if args.iter().any(|a| a == BACKGROUND) {
                    let _ = w.hide();
                }
            }
            browser::start(app.handle(), app.state::<Arc<AppState>>().inner().clone());
            tray::build(app.handle())?;
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    on_link(&handle, url.to_string());
                }
            });
            // A link the app was started with.
            for link in links_in(&args) {
                on_link(app.handle(), link);
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("centime-app: {e}");
        }
        std::process::exit(1);
    }
}
