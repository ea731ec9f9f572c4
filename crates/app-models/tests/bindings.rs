//! The committed TypeScript bindings must be what the Rust types generate today.

#[test]
fn committed_bindings_are_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/backend/bindings.ts");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == centime_app_models::typescript(),
        "ui/src/lib/backend/bindings.ts is stale: run `make bindings` and commit the result"
    );
}

#[test]
fn money_crosses_as_strings() {
    let ts = centime_app_models::typescript();
    assert!(ts.contains("amount: string"));
    assert!(!ts.contains("amount: number"), "an amount became a number");
    assert!(!ts.contains("price: number"));
}
