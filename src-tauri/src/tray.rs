//! The tray icon: the balance, "Pause payments", "Open", "Quit".

use std::sync::Arc;

use centime_app_models::events;
use centime_core::LimitsChange;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter as _, Manager as _, Wry};

use crate::state::AppState;
use crate::texts;

pub struct TrayItems {
    balance: MenuItem<Wry>,
    pause: CheckMenuItem<Wry>,
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let labels = texts::tray(app.state::<Arc<AppState>>().locale());
    let balance = MenuItem::with_id(app, "balance", "…", false, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", labels.pause, true, false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", labels.open, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", labels.quit, true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&balance, &sep, &pause, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id("centime").menu(&menu).tooltip("Centime");
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.show();
                    let _ = w.unminimize();
                    let _ = w.set_focus();
                }
            }
            "pause" => toggle_pause(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    app.manage(TrayItems { balance, pause: pause.clone(), open: open.clone(), quit: quit.clone() });
    refresh(app);
    Ok(())
}

fn toggle_pause(app: &AppHandle) {
    let state = app.state::<Arc<AppState>>();
    let _ = state.with_wallet(|w| {
        let paused = w.limits()?.paused;
        w.update_limits(&LimitsChange { paused: Some(!paused), ..Default::default() })?;
        Ok(())
    });
    let _ = app.emit(events::WALLET_CHANGED, ());
    refresh(app);
}

/// Brings the tray's balance, pause state and labels up to date.
pub fn refresh(app: &AppHandle) {
    let Some(items) = app.try_state::<TrayItems>() else { return };
    let state = app.state::<Arc<AppState>>();
    let locale = state.locale();
    let labels = texts::tray(locale);
    let (text, paused) = state
        .with_wallet(|w| {
            let balances: Vec<_> = w.balances()?.into_iter().map(|b| (b.amount, b.asset)).collect();
            Ok((texts::tray_balance(locale, &balances), w.limits()?.paused))
        })
        .unwrap_or_else(|_| (labels.no_wallet.to_owned(), false));
    let _ = items.balance.set_text(text);
    let _ = items.pause.set_text(labels.pause);
    let _ = items.pause.set_checked(paused);
    let _ = items.open.set_text(labels.open);
    let _ = items.quit.set_text(labels.quit);
}
