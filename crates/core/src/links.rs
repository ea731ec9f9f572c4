//! Payment links from web pages are requests, not the user's gesture: a page can fire as many
//! `centime://pay` links as it likes. Under an auto-pay rule a site's links are paid without a
//! prompt only at a human pace ([`LinkPace`]); beyond it the user is asked.

use std::collections::{HashMap, VecDeque};

use centime_protocol::Origin;

use crate::policy::{Decision, Evaluation, Param, Reason, ReasonCode};

/// Links a site may have paid automatically within [`LINK_WINDOW_SECONDS`].
pub const LINKS_PER_WINDOW: usize = 3;
/// The window, in seconds, over which [`LINKS_PER_WINDOW`] counts.
pub const LINK_WINDOW_SECONDS: i64 = 60;

/// The automatic link payments of the last minute, per site. Kept in memory by the process
/// that receives links (the app): a restart forgets them, which only ever makes it ask sooner
/// for nothing, never pay more than the rules allow.
#[derive(Debug, Default)]
pub struct LinkPace {
    paid: HashMap<Origin, VecDeque<i64>>,
}

impl LinkPace {
    /// A pace that has counted no link yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether an automatic payment of a link from `origin` fits the pace at `now`; when it
    /// does, it is counted.
    pub fn admit(&mut self, origin: &Origin, now: i64) -> bool {
        self.paid.retain(|_, times| {
            times.retain(|t| now.saturating_sub(*t) < LINK_WINDOW_SECONDS);
            !times.is_empty()
        });
        let times = self.paid.entry(origin.clone()).or_default();
        if times.len() >= LINKS_PER_WINDOW {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Applies the pace to a link's evaluation: an automatic payment over the pace becomes a
    /// question to the user. Refusals and questions stay as they are.
    pub fn pace(&mut self, evaluation: &mut Evaluation, now: i64) {
        if evaluation.decision == Decision::AutoPay && !self.admit(&evaluation.origin, now) {
            evaluation.decision = Decision::Ask(Reason {
                code: ReasonCode::LinkPace,
                params: vec![
                    Param::Origin(evaluation.origin.clone()),
                    Param::Links(u64::try_from(LINKS_PER_WINDOW).unwrap_or(u64::MAX)),
                    Param::Seconds(LINK_WINDOW_SECONDS.unsigned_abs()),
                ],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_links_a_minute_per_site_then_ask() {
        let mut pace = LinkPace::new();
        let o = |s: &str| Origin::of(s).unwrap();
        for i in 0..3 {
            assert!(pace.admit(&o("https://a.example"), 1_000 + i));
        }
        assert!(!pace.admit(&o("https://a.example"), 1_010), "a fourth link within the minute");
        assert!(pace.admit(&o("https://b.example"), 1_010), "another site has its own pace");
        assert!(!pace.admit(&o("https://a.example"), 1_059));
        assert!(pace.admit(&o("https://a.example"), 1_060), "the first link left the window");
    }
}
