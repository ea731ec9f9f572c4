//! Checks rows read one by one on every core, and still reports the failure a check in row
//! order would have found first: `verify` spends its time on signatures, hashes and JSON, none
//! of which needs the SQLite connection, which stays on the calling thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use crate::error::Result;

/// Rows per chunk handed to a worker: large enough that the hand-over costs nothing beside the
/// checks, small enough that a failure stops the work soon.
const CHUNK: usize = 256;

/// Calls `next` until it yields `None`, and `check` on each row it yields, on every core. The
/// result is the one a loop checking row after row would return: the first row (in `next`'s
/// order) whose check fails, or `next`'s own error if every row before it passed.
pub(crate) fn check<T: Send>(
    mut next: impl FnMut() -> Result<Option<T>>,
    check: impl Fn(T) -> Result<()> + Sync,
) -> Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    if workers < 2 {
        while let Some(row) = next()? {
            check(row)?;
        }
        return Ok(());
    }
    // The lowest chunk known to fail: chunks after it cannot hold the first failure.
    let failed_at = AtomicUsize::new(usize::MAX);
    let failure: Mutex<Option<(usize, crate::error::Error)>> = Mutex::new(None);
    // A panicking check is re-raised once the reader has stopped: left alone, it would leave the
    // reader blocked on a full channel once every worker had gone.
    let panicked: Mutex<Option<Box<dyn std::any::Any + Send>>> = Mutex::new(None);
    let (send, receive) = mpsc::sync_channel::<(usize, Vec<T>)>(workers * 2);
    let receive = Mutex::new(receive);
    let read = std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    // A poisoned lock means another worker panicked: the scope re-raises it.
                    let Ok(job) = receive.lock().map(|r| r.recv()) else { return };
                    let Ok((n, rows)) = job else { return };
                    if n > failed_at.load(Ordering::Acquire) {
                        continue;
                    }
                    for row in rows {
                        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(row)));
                        let checked = match checked {
                            Ok(c) => c,
                            Err(p) => {
                                failed_at.store(0, Ordering::Release);
                                if let Ok(mut slot) = panicked.lock() {
                                    slot.get_or_insert(p);
                                }
                                // Keeps draining, so that the reader is never left blocked.
                                break;
                            }
                        };
                        if let Err(e) = checked {
                            failed_at.fetch_min(n, Ordering::AcqRel);
                            if let Ok(mut f) = failure.lock()
                                && f.as_ref().is_none_or(|(m, _)| n < *m)
                            {
                                *f = Some((n, e));
                            }
                            break;
                        }
                    }
                }
            });
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut n = 0usize;
        let read = loop {
            if failed_at.load(Ordering::Acquire) != usize::MAX {
                break Ok(());
            }
            match next() {
                Ok(Some(row)) => {
                    chunk.push(row);
                    if chunk.len() < CHUNK {
                        continue;
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
            if send.send((n, std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))).is_err() {
                break Ok(());
            }
            n += 1;
        };
        // The rows read before a read error (or the end) are checked like every other.
        if !chunk.is_empty() {
            let _ = send.send((n, chunk));
        }
        drop(send);
        read
    });
    if let Ok(Some(p)) = panicked.into_inner() {
        std::panic::resume_unwind(p);
    }
    match failure.into_inner() {
        Ok(Some((_, e))) => Err(e),
        _ => read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn rows(n: usize) -> impl FnMut() -> Result<Option<usize>> {
        let mut i = 0;
        move || {
            i += 1;
            Ok((i <= n).then_some(i))
        }
    }

    #[test]
    fn reports_the_first_failing_row_in_order() {
        // Failures in many chunks: whichever worker finds one first, the earliest row wins.
        let failing = |i: usize| i == 3_001 || i == 3_002 || i % 5_000 == 7 || i == 90_000;
        let r = check(rows(100_000), |i| if failing(i) { Err(Error::Integrity(format!("row {i}"))) } else { Ok(()) });
        assert_eq!(r.map_err(|e| e.to_string()), Err(Error::Integrity("row 7".into()).to_string()));
        let r =
            check(
                rows(100_000),
                |i| {
                    if i > 10 && failing(i) { Err(Error::Integrity(format!("row {i}"))) } else { Ok(()) }
                },
            );
        assert_eq!(r.map_err(|e| e.to_string()), Err(Error::Integrity("row 3001".into()).to_string()));
    }

    #[test]
    fn a_read_error_comes_after_the_rows_read_before_it() {
        let mut i = 0;
        let failing_read = || {
            i += 1;
            if i == 1_000 { Err(Error::Integrity("read".into())) } else { Ok(Some(i)) }
        };
        let r = check(failing_read, |i| if i == 999 { Err(Error::Integrity("row".into())) } else { Ok(()) });
        assert_eq!(r.map_err(|e| e.to_string()), Err(Error::Integrity("row".into()).to_string()));
        let mut i = 0;
        let failing_read = || {
            i += 1;
            if i == 1_000 { Err(Error::Integrity("read".into())) } else { Ok(Some(i)) }
        };
        let r = check(failing_read, |i| if i == 1_001 { Err(Error::Integrity("row".into())) } else { Ok(()) });
        assert_eq!(r.map_err(|e| e.to_string()), Err(Error::Integrity("read".into()).to_string()));
        let seen = AtomicUsize::new(0);
        assert!(
            check(rows(10_000), |_| {
                seen.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .is_ok()
        );
        assert_eq!(seen.into_inner(), 10_000);
    }
}
