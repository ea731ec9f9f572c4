//! The reader window: shows a paid page's text. It has no capability, so it cannot reach
//! any command, and it loads nothing remote: the text travels in its URL fragment.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tauri::{AppHandle, Manager as _, WebviewUrl, WebviewWindowBuilder};
use url::Url;

use crate::error::{AppError, AppResult};

pub const LABEL: &str = "reader";
/// Text beyond this is cut: the reader is for articles, not downloads.
const MAX_TEXT: usize = 256 * 1024;

/// Title and text of a response: a JSON page (`title`, `heading`, `text`) or plain text.
fn page(url: &Url, body: &[u8]) -> serde_json::Value {
    let text_of = |v: &serde_json::Value, k: &str| v.get(k).and_then(|t| t.as_str()).map(str::to_owned);
    let (title, text) = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) if v.get("text").is_some() => {
            let title = [text_of(&v, "title"), text_of(&v, "heading")].into_iter().flatten().collect::<Vec<_>>();
            (title.join(" — "), text_of(&v, "text").unwrap_or_default())
        }
        _ => (url.to_string(), String::from_utf8_lossy(body).into_owned()),
    };
    let text: String = text.chars().take(MAX_TEXT).collect();
    serde_json::json!({ "title": title, "text": text, "url": url.as_str() })
}

pub fn show(app: &AppHandle, url: &Url, body: &[u8]) -> AppResult<()> {
    let data =
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&page(url, body)).map_err(|e| AppError::Internal(e.to_string()))?);
    let base = app
        .get_webview_window("main")
        .and_then(|m| m.url().ok())
        .ok_or_else(|| AppError::Internal("the main window is gone".into()))?;
    let mut target = base.join("reader.html").map_err(|e| AppError::Internal(e.to_string()))?;
    target.set_query(None);
    target.set_fragment(Some(&data));
    // An open reader shows the new page (it renders on hashchange). Destroying it and building
    // another raced: the destruction is asynchronous, the new window's label was still taken,
    // and a payment already made was reported as failed.
    if let Some(open) = app.get_webview_window(LABEL) {
        open.navigate(target).map_err(|e| AppError::Internal(format!("opening the reader: {e}")))?;
        let _ = open.show();
        let _ = open.set_focus();
        return Ok(());
    }
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::External(target))
        .title("Centime reader")
        .inner_size(760.0, 820.0)
        .build()
        .map_err(|e| AppError::Internal(format!("opening the reader: {e}")))?;
    Ok(())
}
