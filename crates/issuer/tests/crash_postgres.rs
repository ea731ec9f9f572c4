//! The crash trials of tests/binary/trials.rs on a PostgreSQL ledger, on the throwaway server of
//! scripts/with-postgres.sh (`make issuer-postgres`). Without it the test fails and says so.

mod binary;

#[test]
fn the_issuer_killed_mid_batch_settles_each_authorization_exactly_once() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    binary::trials::run(&binary::fresh_postgres()?, dir.path(), "PostgreSQL")?;
    Ok(())
}
