//! Declares every command in the app manifest, so each gets an `allow-*` permission that the
//! capabilities grant per window.
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(centime_app_models::COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        // A build script reports failure by panicking; there is no caller to return to.
        #[allow(clippy::panic)]
        {
            panic!("tauri build step failed: {e:#}");
        }
    }
}
