//! Signing keys kept as Ed25519 PKCS#8 files readable by their owner only.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use centime_protocol::jws::RingSigner;

use crate::error::{Error, Result};

fn io(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::Config(format!("{what} {}: {e}", path.display()))
}

/// Loads the key at `path`, or creates it (mode 0600) when there is none yet.
///
/// An existing file that is not a valid key is an error: a server never silently replaces an
/// identity, since the documents it already signed name the old key.
pub fn load_or_create(path: &Path) -> Result<RingSigner> {
    match fs::read(path) {
        Ok(der) => {
            check_private(path)?;
            RingSigner::from_pkcs8(&der).map_err(|e| Error::Config(format!("the key in {}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let der = RingSigner::generate_pkcs8()?;
            write_private(path, &der)?;
            tracing::info!(path = %path.display(), "created a new Ed25519 key");
            Ok(RingSigner::from_pkcs8(&der)?)
        }
        Err(e) => Err(io("reading", path, e)),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| io("creating", path, e))?;
    f.write_all(bytes).map_err(|e| io("writing", path, e))?;
    f.sync_all().map_err(|e| io("syncing", path, e))?;
    if let Some(dir) = path.parent() {
        // The new directory entry durable too (best effort: not every platform allows it).
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = fs::metadata(path).map_err(|e| io("reading", path, e))?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(Error::Config(format!(
            "{} is readable by others (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Creates a data directory (mode 0700 on Unix) if needed.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| io("creating the directory", dir, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use centime_protocol::jws::Signer as _;

    #[test]
    fn keys_persist_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pk8");
        let a = load_or_create(&p).unwrap();
        let b = load_or_create(&p).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
            fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load_or_create(&p).is_err());
        }
    }

    #[test]
    fn a_corrupt_key_is_an_error_not_a_new_identity() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pk8");
        write_private(&p, b"not a key").unwrap();
        assert!(load_or_create(&p).is_err());
        assert_eq!(fs::read(&p).unwrap(), b"not a key");
    }
}
