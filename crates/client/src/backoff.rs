//! When to ask a merchant again about a payment of unknown outcome. A merchant that answers
//! 500 or `expired` forever must not be asked every few minutes for ever: each payment waits
//! twice as long after each unanswered try (5 s, 10 s, … at most an hour), and is given up
//! [`GIVE_UP_AFTER_SECONDS`] after it was made, left unconfirmed and listed for the user.

use std::collections::HashMap;

use centime_core::Payment;
use centime_protocol::PaymentId;

pub const FIRST_RETRY_SECONDS: i64 = 5;
pub const MAX_RETRY_SECONDS: i64 = 3_600;
/// Until the settlement issue defines a deadline, a day after the payment was made.
pub const GIVE_UP_AFTER_SECONDS: i64 = 86_400;

#[derive(Debug, Clone, Copy)]
struct Next {
    at: i64,
    wait: i64,
}

/// The retry times of the payments being resolved, kept by the process that resolves them.
/// The give-up time counts from the payment itself, so a restart does not start it over.
#[derive(Debug, Default)]
pub struct Backoff {
    next: HashMap<PaymentId, Next>,
    announced: Vec<PaymentId>,
}

impl Backoff {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `p` has been tried too long to be tried again.
    pub fn given_up(p: &Payment, now: i64) -> bool {
        now.saturating_sub(p.at) >= GIVE_UP_AFTER_SECONDS
    }

    /// Whether `p` should be sent again at `now`.
    pub fn due(&self, p: &Payment, now: i64) -> bool {
        !Self::given_up(p, now) && self.next.get(&p.payment_id).is_none_or(|n| now >= n.at)
    }

    /// The try at `now` left the outcome unknown: the next waits twice as long.
    pub fn unanswered(&mut self, id: &PaymentId, now: i64) {
        let wait = match self.next.get(id) {
            Some(n) => n.wait.saturating_mul(2).min(MAX_RETRY_SECONDS),
            None => FIRST_RETRY_SECONDS,
        };
        self.next.insert(id.clone(), Next { at: now.saturating_add(wait), wait });
    }

    /// The outcome is known: nothing more to schedule.
    pub fn resolved(&mut self, id: &PaymentId) {
        self.next.remove(id);
    }

    /// The payments of `unresolved` given up at `now` that were not reported before: each is
    /// returned once, for the user to be told.
    pub fn newly_given_up<'a>(&mut self, unresolved: &'a [Payment], now: i64) -> Vec<&'a Payment> {
        let mut out = Vec::new();
        for p in unresolved {
            if Self::given_up(p, now) && !self.announced.contains(&p.payment_id) {
                self.announced.push(p.payment_id.clone());
                self.next.remove(&p.payment_id);
                out.push(p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour() {
        let mut b = Backoff::new();
        let id: PaymentId = "pay_backoff_test_0001".parse().unwrap_or_else(|_| unreachable!());
        let mut t = 0;
        let mut waits = Vec::new();
        for _ in 0..12 {
            b.unanswered(&id, t);
            let n = b.next[&id];
            waits.push(n.wait);
            t = n.at;
        }
        assert_eq!(waits[..4], [5, 10, 20, 40]);
        assert_eq!(*waits.last().unwrap_or(&0), MAX_RETRY_SECONDS);
        b.resolved(&id);
        assert!(!b.next.contains_key(&id));
    }
}
