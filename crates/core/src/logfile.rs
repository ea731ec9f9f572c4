//! The wallet's log file, `<data dir>/logs/centime.log`: private like every other file of the
//! wallet (0600 in a 0700 directory), appended to, and rotated by size so that a wallet that
//! runs for years keeps a bounded amount of log (`centime.log.1` is the newest old file).
//!
//! It is an [`std::io::Write`], so that the binaries hand it to their `tracing` subscriber;
//! the core writes no log line of its own here. What goes in it never holds a key, a
//! passphrase or a whole authorization: the log calls name payments by id, sites by origin.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::files;

/// The directory under the data directory that holds the log files.
pub const LOG_DIR: &str = "logs";
/// The file being written; older ones carry a suffix `.1` (newest) to `.{kept}`.
pub const LOG_FILE: &str = "centime.log";
/// A file is rotated once it would pass this size.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Old files kept beside the current one.
pub const KEPT: u32 = 4;

/// The current log file and its rotation.
#[derive(Debug)]
pub struct LogFile {
    dir: PathBuf,
    file: std::fs::File,
    written: u64,
    max_bytes: u64,
    kept: u32,
}

impl LogFile {
    /// Opens (or creates) `<data_dir>/logs/centime.log` for appending, with the default limits.
    /// The data directory is created private first when the log comes before the wallet.
    pub fn open(data_dir: &Path) -> Result<Self> {
        files::create_private_dir(data_dir)?;
        Self::with_limits(&data_dir.join(LOG_DIR), MAX_BYTES, KEPT)
    }

    /// Opens (or creates) `dir/centime.log`, rotated past `max_bytes` with `kept` old files.
    pub fn with_limits(dir: &Path, max_bytes: u64, kept: u32) -> Result<Self> {
        files::create_private_dir(dir)?;
        let path = dir.join(LOG_FILE);
        let file = open_append(&path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(LogFile { dir: dir.to_path_buf(), file, written, max_bytes, kept })
    }

    /// The file being written.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    fn numbered(&self, n: u32) -> PathBuf {
        self.dir.join(format!("{LOG_FILE}.{n}"))
    }

    /// `centime.log` becomes `.1`, `.1` becomes `.2`…, the oldest beyond `kept` is dropped.
    fn rotate(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        if self.kept == 0 {
            let _ = std::fs::remove_file(self.path());
        } else {
            let _ = std::fs::remove_file(self.numbered(self.kept));
            for n in (1..self.kept).rev() {
                let from = self.numbered(n);
                if from.exists() {
                    std::fs::rename(&from, self.numbered(n + 1))?;
                }
            }
            std::fs::rename(self.path(), self.numbered(1))?;
        }
        self.file = open_append(&self.path())?;
        self.written = 0;
        Ok(())
    }
}

/// Appends to `path`, creating it private; an existing file is made private too (an earlier
/// version or the umask may have left it readable), and a symbolic link is refused.
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the log file is a symbolic link"));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    files::restrict(path);
    Ok(file)
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        // A line is never split across two files: the rotation comes before it.
        if self.written > 0 && self.written.saturating_add(len) > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written = self.written.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_a_bounded_number_of_private_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("logs");
        let mut log = LogFile::with_limits(&dir, 100, 2).unwrap();
        for i in 0..20 {
            log.write_all(format!("line {i:02} of forty bytes, more or less\n").as_bytes()).unwrap();
        }
        log.flush().unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["centime.log", "centime.log.1", "centime.log.2"]);
        for name in &names {
            let len = std::fs::metadata(dir.join(name)).unwrap().len();
            assert!(len <= 100, "{name} has {len} bytes");
        }
        // The newest line is in the current file, the ones just before in `.1`; the oldest are gone.
        let current = std::fs::read_to_string(dir.join("centime.log")).unwrap();
        assert!(current.ends_with("line 19 of forty bytes, more or less\n"), "{current}");
        let older = std::fs::read_to_string(dir.join("centime.log.1")).unwrap();
        assert!(older.starts_with("line "), "whole lines only: {older}");
        let all: String = names.iter().map(|n| std::fs::read_to_string(dir.join(n)).unwrap()).collect();
        assert!(!all.contains("line 00 "), "the oldest lines are dropped");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            for name in &names {
                assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
            }
        }
    }

    #[test]
    fn reopening_appends_and_makes_an_old_file_private() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join(LOG_DIR);
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join(LOG_FILE), b"earlier\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(logs.join(LOG_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mut log = LogFile::open(tmp.path()).unwrap();
        log.write_all(b"later\n").unwrap();
        let fresh = tmp.path().join("not yet a wallet");
        LogFile::open(&fresh).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
        }
        assert_eq!(std::fs::read_to_string(log.path()).unwrap(), "earlier\nlater\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(log.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_log_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join(LOG_DIR);
        std::fs::create_dir_all(&logs).unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, b"mine").unwrap();
        std::os::unix::fs::symlink(&victim, logs.join(LOG_FILE)).unwrap();
        assert!(LogFile::open(tmp.path()).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"mine");
    }
}
