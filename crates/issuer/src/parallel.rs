//! A batch's per-item work spread over the machine's cores: the signature checks of a settlement
//! batch, which need no ledger and are most of its time once the ledger costs a few round trips
//! per batch rather than per item.

/// Fewer items than this are checked on the calling thread: starting a thread costs more.
const MIN_PER_THREAD: usize = 16;

/// `f` of every item, in the items' order, on up to as many threads as the machine has cores
/// (the calling thread one of them). A thread that cannot be started leaves its share to the
/// calling thread; a panic in `f` is the caller's, as it would be without threads.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let mut chunks = items.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|c| (c, std::thread::Builder::new().spawn_scoped(s, move || c.iter().map(f).collect::<Vec<R>>())))
            .collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        out.reserve(items.len().saturating_sub(out.len()));
        for (c, handle) in others {
            match handle {
                Ok(h) => out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
                Err(_) => out.extend(c.iter().map(f)),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_whatever_the_size() {
        for n in [0, 1, 15, 16, 33, 1000] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>(), "{n} items");
        }
    }
}
