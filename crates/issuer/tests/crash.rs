//! The crash trials of tests/binary/trials.rs on the embedded SQLite ledger.

mod binary;

#[test]
fn the_issuer_killed_mid_batch_settles_each_authorization_exactly_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    binary::trials::run(&binary::sqlite(dir.path()), dir.path(), "SQLite")?;
    Ok(())
}
