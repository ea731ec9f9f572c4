//! Crash points for the crash suite (tests/tests/crash.rs).
//!
//! In debug builds only, `CENTIME_CRASH_AT=<name>` makes the process abort at the named point:
//! no destructor runs, nothing is flushed or rolled back by Centime, exactly as a power cut or
//! a SIGKILL at that instant would leave it. Random-time kills cannot reliably land inside a
//! transaction that lasts a millisecond; these points make those moments testable. Release
//! builds compile the check away, so a shipped wallet has no such switch.

/// Inside the payment's transaction, after every row is written, before `COMMIT`.
pub const PAY_BEFORE_COMMIT: &str = "pay.before_commit";
/// The debit is committed; the authorization has not left the process yet.
pub const PAY_AFTER_COMMIT: &str = "pay.after_commit";
/// The merchant has answered (and may have recorded the payment); the answer is not recorded.
pub const DELIVER_ANSWERED: &str = "deliver.answered";
/// Inside the transaction recording a settlement, before `COMMIT`.
pub const SETTLE_BEFORE_COMMIT: &str = "settle.before_commit";
/// Inside the transaction recording a refusal and its refund, before `COMMIT`.
pub const REFUND_BEFORE_COMMIT: &str = "refund.before_commit";
/// Inside the top-up's transaction, before `COMMIT`.
pub const TOPUP_BEFORE_COMMIT: &str = "topup.before_commit";

/// Every crash point, for the suite to choose from.
pub const ALL: &[&str] = &[
    PAY_BEFORE_COMMIT,
    PAY_AFTER_COMMIT,
    DELIVER_ANSWERED,
    SETTLE_BEFORE_COMMIT,
    REFUND_BEFORE_COMMIT,
    TOPUP_BEFORE_COMMIT,
];

/// Aborts the process here if `CENTIME_CRASH_AT` names this point (debug builds only).
#[inline]
pub fn point(name: &str) {
    #[cfg(debug_assertions)]
    {
        static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        if AT.get_or_init(|| std::env::var("CENTIME_CRASH_AT").ok()).as_deref() == Some(name) {
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
