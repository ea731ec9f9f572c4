//! The app's socket: where it is, who may create it, who may speak on it.
//!
//! It lives in a directory only this user can enter (0700), itself in the user's runtime
//! directory, and is 0600; each end checks with `SO_PEERCRED` that the other runs as the same
//! user, so neither another user's program nor a stale socket of theirs is ever talked to.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Overrides the socket's path (tests).
pub const SOCKET_ENV: &str = "CENTIME_BROWSER_SOCKET";

/// The socket's path: `CENTIME_BROWSER_SOCKET`, else `$XDG_RUNTIME_DIR/centime/browser.sock`.
pub fn socket_path() -> Result<PathBuf> {
    path_from(std::env::var_os(SOCKET_ENV), std::env::var_os("XDG_RUNTIME_DIR"))
}

/// [`socket_path`] from the two variables' values.
pub fn path_from(overridden: Option<OsString>, runtime_dir: Option<OsString>) -> Result<PathBuf> {
    if let Some(p) = overridden.filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    match runtime_dir.filter(|p| !p.is_empty()) {
        Some(d) => Ok(PathBuf::from(d).join("centime").join("browser.sock")),
        None => Err(Error::NoRuntimeDir),
    }
}

/// This process's user id.
pub fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The user id of the process at the other end of `stream` (`SO_PEERCRED`).
pub fn peer_uid(stream: &UnixStream) -> Result<u32> {
    let cred = rustix::net::sockopt::socket_peercred(stream).map_err(std::io::Error::from)?;
    Ok(cred.uid.as_raw())
}

/// Refuses a peer of another user.
pub fn same_user(peer: u32, own: u32) -> Result<()> {
    if peer == own { Ok(()) } else { Err(Error::ForeignPeer { peer, own }) }
}

/// Checks that the other end of `stream` runs as this user.
pub fn check_peer(stream: &UnixStream) -> Result<()> {
    same_user(peer_uid(stream)?, own_uid())
}

/// Creates the socket's directory (0700) when missing; an existing one must be this user's and
/// is made 0700, so that nobody else can reach the socket even before its own mode is set.
fn private_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        fs::create_dir_all(dir)?;
    }
    let meta = fs::symlink_metadata(dir)?;
    if !meta.is_dir() || meta.uid() != own_uid() {
        return Err(Error::UnsafeDir(dir.display().to_string()));
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// Listens on `path`: a socket left by an app that is gone is replaced; one another app still
/// listens on is not.
pub fn listen(path: &Path) -> Result<UnixListener> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    if fs::symlink_metadata(path).is_ok() {
        if UnixStream::connect(path).is_ok() {
            return Err(Error::AlreadyListening(path.display().to_string()));
        }
        fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_path_comes_from_the_override_or_the_runtime_dir() {
        assert_eq!(
            path_from(Some("/tmp/x.sock".into()), Some("/run/user/1".into())).unwrap(),
            PathBuf::from("/tmp/x.sock")
        );
        assert_eq!(
            path_from(None, Some("/run/user/1".into())).unwrap(),
            PathBuf::from("/run/user/1/centime/browser.sock")
        );
        assert!(matches!(path_from(Some("".into()), None), Err(Error::NoRuntimeDir)));
    }

    #[test]
    fn another_users_peer_is_refused() {
        assert!(same_user(1000, 1000).is_ok());
        assert!(matches!(same_user(0, 1000), Err(Error::ForeignPeer { peer: 0, own: 1000 })));
    }

    #[test]
    fn the_socket_is_private_and_its_peer_is_this_user() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("centime").join("browser.sock");
        let listener = listen(&path).unwrap();
        let dir_mode = fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
        let sock_mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!((dir_mode, sock_mode), (0o700, 0o600));
        let client = UnixStream::connect(&path).unwrap();
        let (server, _) = listener.accept().unwrap();
        assert_eq!(peer_uid(&client).unwrap(), own_uid());
        check_peer(&server).unwrap();
        // A second app does not take over a live socket; a dead one is replaced.
        assert!(matches!(listen(&path), Err(Error::AlreadyListening(_))));
        drop((listener, server, client));
        listen(&path).unwrap();
    }
}
