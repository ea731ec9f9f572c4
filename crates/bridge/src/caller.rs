//! Who may speak to the app: Centime's extension, in Chromium or Firefox, as the browser names
//! it to the host it starts.

/// The Chromium extension's id (from the `"key"` of `browser/manifest.chromium.json`).
pub const CHROMIUM_EXTENSION_ID: &str = "jihglhmnnbaegpghlkchdjclhccojjnb";
/// The Firefox add-on's id.
pub const FIREFOX_ADDON_ID: &str = "browser@centime.org";

/// The caller the hello names for Chromium's extension.
pub fn chromium_caller() -> String {
    format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/")
}

/// The caller the hello names for Firefox's add-on.
pub fn firefox_caller() -> String {
    format!("moz-extension:{FIREFOX_ADDON_ID}")
}

/// Whether the app speaks with `caller` at all.
pub fn allowed(caller: &str) -> bool {
    caller == chromium_caller() || caller == firefox_caller()
}

/// The caller from the host's arguments: Chromium passes the extension's origin
/// (`chrome-extension://ID/`, then on Windows a `--parent-window`), Firefox the path of the host
/// manifest and then the add-on's id. `None` for anything else (a person starting the host).
pub fn from_args(args: &[String]) -> Option<String> {
    let first = args.first()?;
    if first.starts_with("chrome-extension://") {
        return Some(first.clone());
    }
    let id = args.get(1)?;
    (!id.starts_with('-') && !id.contains('/')).then(|| format!("moz-extension:{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_from_each_browser() {
        let chromium = from_args(&[chromium_caller(), "--parent-window=0".into()]);
        assert_eq!(chromium.as_deref(), Some("chrome-extension://jihglhmnnbaegpghlkchdjclhccojjnb/"));
        let firefox = from_args(&[
            "/usr/lib/mozilla/native-messaging-hosts/org.centime.wallet.json".into(),
            FIREFOX_ADDON_ID.into(),
        ]);
        assert_eq!(firefox.as_deref(), Some("moz-extension:browser@centime.org"));
        assert!(allowed(&chromium.unwrap_or_default()) && allowed(&firefox.unwrap_or_default()));
        assert!(from_args(&[]).is_none());
        assert!(!allowed("chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"));
        assert!(!allowed("moz-extension:evil@example.org"));
    }
}
