//! Spending rules as a model: per-site allowances, global limits, and `decide`, the pure
//! function that says whether a payment is made, asked or refused, and by which rule.
//!
//! Reading and writing the rules, their seals and the spent-so-far figures is
//! `rules_store`'s work.

use centime_protocol::{Amount, Micros, Origin};
use serde::Serialize;
use time::{Duration, OffsetDateTime, Time};

use crate::error::Result;
pub use crate::reason::{Param, ParamName, Reason, ReasonCode};

/// Defaults chosen for a new wallet (ADR 0004): ask for every payment, auto-pay nothing
/// until the user allows a site, refuse any single payment over 5.00 and spend at most
/// 20.00 a day.
pub const DEFAULT_AUTO_PAY_UNDER: Micros = Micros::from_micros(500_000);
/// The default daily cap: 20.00 of an asset per UTC day, all sites together.
pub const DEFAULT_DAILY_CAP: Micros = Micros::from_micros(20_000_000);
/// The default ceiling of any one payment: 5.00.
pub const DEFAULT_MAX_PER_PAYMENT: Micros = Micros::from_micros(5_000_000);

/// A budget's period. Its `Display`/`FromStr` form (`day`, `week`, `month`) is the one stored
/// and shown.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Period {
    /// A UTC day.
    Day,
    /// A week from Monday, UTC.
    Week,
    /// A calendar month, UTC.
    Month,
}

impl Period {
    /// Start (UTC, Unix seconds) of the period containing `now`. Weeks start on Monday.
    pub fn start(self, now: i64) -> i64 {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(now) else { return now };
        let day = t.replace_time(Time::MIDNIGHT);
        let start = match self {
            Period::Day => day,
            Period::Week => day - Duration::days(i64::from(t.weekday().number_days_from_monday())),
            Period::Month => day.replace_day(1).unwrap_or(day),
        };
        start.unix_timestamp()
    }
}

/// A site's allowance. Amounts apply in the unit of whatever asset the site charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRule {
    /// The site.
    pub origin: Origin,
    /// Every payment to the site is refused.
    pub blocked: bool,
    /// The site may charge without asking, within its limits and [`Limits::auto_pay_under`].
    pub auto_pay: bool,
    /// The most one payment to the site may cost.
    pub max_per_payment: Option<Micros>,
    /// The most the site may be paid per [`SiteRule::period`].
    pub budget: Option<Micros>,
    /// The budget's period; set exactly when the budget is.
    pub period: Option<Period>,
    /// When the rule last changed (Unix seconds).
    pub updated_at: i64,
}

impl SiteRule {
    /// A rule for `origin` that allows nothing more than having no rule: every payment is asked.
    pub fn new(origin: Origin) -> Self {
        SiteRule {
            origin,
            blocked: false,
            auto_pay: false,
            max_per_payment: None,
            budget: None,
            period: None,
            updated_at: 0,
        }
    }
}

/// Global limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Every payment is refused until the wallet is resumed.
    pub paused: bool,
    /// Payments at or under this may be made without asking, on sites allowed to auto-pay.
    pub auto_pay_under: Micros,
    /// Total spent per asset per UTC day, beyond which everything is refused.
    pub daily_cap: Micros,
    /// Hard ceiling for any single payment, approved or not.
    pub max_per_payment: Micros,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            paused: false,
            auto_pay_under: DEFAULT_AUTO_PAY_UNDER,
            daily_cap: DEFAULT_DAILY_CAP,
            max_per_payment: DEFAULT_MAX_PER_PAYMENT,
        }
    }
}

/// What the rules say about one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "camelCase")]
pub enum Decision {
    /// Paid without asking.
    AutoPay,
    /// Asked, by this rule.
    Ask(Reason),
    /// Refused by this rule; approval cannot override it.
    Refuse(Reason),
}

/// The reason of an automatic payment: the site's rule pays it.
static AUTO_PAY: Reason = Reason::bare(ReasonCode::AutoPay);

impl Decision {
    /// Which rule decided, with its figures.
    pub fn reason(&self) -> &Reason {
        match self {
            Decision::AutoPay => &AUTO_PAY,
            Decision::Ask(r) | Decision::Refuse(r) => r,
        }
    }
}

/// A decision with the figures behind it, for the approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// What the rules say, and by which rule.
    pub decision: Decision,
    /// The site the payment is for.
    pub origin: Origin,
    /// The site's rule, if it has one.
    pub rule: Option<SiteRule>,
    /// What was spent today, all sites together, in the price's asset.
    pub spent_today: Micros,
    /// What the site was paid in its budget's current period, if it has a budget.
    pub site_spent_in_period: Option<Micros>,
    /// What is left of the site's budget before this payment, if it has one.
    pub allowance_left: Option<Micros>,
}

fn ask(code: ReasonCode, params: Vec<Param>) -> Decision {
    Decision::Ask(Reason { code, params })
}

fn refuse(code: ReasonCode, params: Vec<Param>) -> Decision {
    Decision::Refuse(Reason { code, params })
}

/// What the rules say about paying `price` under `limits` and the site's `rule`, given what was
/// spent today (all sites, in `price`'s asset) and, for a site with a budget, in its period and
/// what is left of it. The rules are tried in order; the first that applies decides.
pub(crate) fn decide(
    limits: &Limits,
    rule: Option<&SiteRule>,
    price: Amount,
    spent_today: Micros,
    site_spent: Option<Micros>,
    allowance_left: Option<Micros>,
) -> Result<Decision> {
    use ReasonCode as C;
    let p = price.micros;
    let a = Param::Asset(price.asset);
    if limits.paused {
        return Ok(refuse(C::Paused, vec![]));
    }
    if let Some(r) = rule
        && r.blocked
    {
        return Ok(refuse(C::Blocked, vec![Param::Origin(r.origin.clone())]));
    }
    if p > limits.max_per_payment {
        return Ok(refuse(C::OverMaxPerPayment, vec![Param::Price(p), Param::Max(limits.max_per_payment), a]));
    }
    let total = spent_today.checked_add(p)?;
    if total > limits.daily_cap {
        return Ok(refuse(C::OverDailyCap, vec![Param::Total(total), Param::Cap(limits.daily_cap), a]));
    }
    if let Some(r) = rule {
        if let Some(max) = r.max_per_payment.filter(|m| p > *m) {
            return Ok(refuse(C::OverSiteMax, vec![Param::Price(p), Param::Max(max), a]));
        }
        if let (Some(left), Some(spent), Some(budget), Some(period)) = (allowance_left, site_spent, r.budget, r.period)
            && p > left
        {
            return Ok(refuse(
                C::OverSiteBudget,
                vec![Param::Budget(budget), Param::Period(period), Param::Spent(spent), Param::Left(left), a],
            ));
        }
        if r.auto_pay {
            if p <= limits.auto_pay_under {
                return Ok(Decision::AutoPay);
            }
            return Ok(ask(C::OverAutoPay, vec![Param::Price(p), Param::Ceiling(limits.auto_pay_under), a]));
        }
        return Ok(ask(C::AskEachPayment, vec![Param::Origin(r.origin.clone())]));
    }
    Ok(ask(C::NoRule, vec![]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use centime_protocol::Asset;
    use strum::IntoEnumIterator;

    #[test]
    fn period_starts() {
        // 2026-11-25 (Wednesday) 15:30:00 UTC
        let now = 1_795_620_600;
        assert_eq!(Period::Day.start(now), 1_795_564_800);
        assert_eq!(Period::Week.start(now), 1_795_564_800 - 2 * 86_400);
        assert_eq!(Period::Month.start(now), 1_793_491_200);
    }

    #[test]
    fn every_period_is_one_string_in_json_and_in_text() {
        for p in Period::iter() {
            assert_eq!(serde_json::to_value(p).unwrap().as_str(), Some(<&'static str>::from(p)));
            assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        }
    }

    fn eur(m: i64) -> Amount {
        Amount::new(Micros::from_micros(m), Asset::EUR)
    }

    fn site(origin: &str) -> SiteRule {
        SiteRule::new(Origin::of(origin).unwrap())
    }

    /// The decision and the rule that made it, for a price in micro-euros.
    fn rule_for(
        limits: &Limits,
        rule: Option<&SiteRule>,
        price: i64,
        spent_today: i64,
        budget: Option<(i64, i64)>,
    ) -> (Decision, ReasonCode) {
        let (spent, left) = match budget {
            Some((spent, left)) => (Some(Micros::from_micros(spent)), Some(Micros::from_micros(left))),
            None => (None, None),
        };
        let d = decide(limits, rule, eur(price), Micros::from_micros(spent_today), spent, left).unwrap();
        let code = d.reason().code;
        (d, code)
    }

    fn code(limits: &Limits, rule: Option<&SiteRule>, price: i64, spent_today: i64) -> ReasonCode {
        rule_for(limits, rule, price, spent_today, None).1
    }

    #[test]
    fn decisions() {
        let l = Limits::default();
        let d = |rule: Option<&SiteRule>, p: i64, spent: i64| rule_for(&l, rule, p, spent, None).0;
        assert!(matches!(d(None, 100_000, 0), Decision::Ask(_)));
        let mut r = site("https://a.example");
        r.auto_pay = true;
        assert_eq!(d(Some(&r), 100_000, 0), Decision::AutoPay);
        assert!(matches!(d(Some(&r), 600_000, 0), Decision::Ask(_)));
        assert!(matches!(d(Some(&r), 6_000_000, 0), Decision::Refuse(_)));
        assert!(matches!(d(Some(&r), 100_000, 19_950_000), Decision::Refuse(_)));
        r.blocked = true;
        assert!(matches!(d(Some(&r), 1, 0), Decision::Refuse(_)));
        let paused = Limits { paused: true, ..l };
        assert!(matches!(rule_for(&paused, None, 1, 0, None).0, Decision::Refuse(_)));
    }

    #[test]
    fn each_rule_names_itself() {
        use ReasonCode as C;
        let l = Limits::default();
        let mut auto = site("https://a.example");
        auto.auto_pay = true;
        assert_eq!(code(&l, None, 100_000, 0), C::NoRule);
        assert_eq!(code(&l, Some(&site("https://a.example")), 100_000, 0), C::AskEachPayment);
        assert_eq!(code(&l, Some(&auto), 100_000, 0), C::AutoPay);
        assert_eq!(code(&l, Some(&auto), 500_000, 0), C::AutoPay, "the auto-pay ceiling is inclusive");
        assert_eq!(code(&l, Some(&auto), 500_001, 0), C::OverAutoPay);
        assert_eq!(code(&l, Some(&auto), 5_000_001, 0), C::OverMaxPerPayment);
        assert_eq!(code(&l, Some(&auto), 5_000_000, 15_000_001), C::OverDailyCap);
        assert_eq!(code(&l, Some(&auto), 100_000, 19_900_000), C::AutoPay, "exactly the daily cap");
        let mut capped = auto.clone();
        capped.max_per_payment = Some(Micros::from_micros(200_000));
        assert_eq!(code(&l, Some(&capped), 200_001, 0), C::OverSiteMax);
        assert_eq!(code(&l, Some(&capped), 200_000, 0), C::AutoPay);
        let mut budgeted = auto.clone();
        budgeted.budget = Some(Micros::from_micros(1_000_000));
        budgeted.period = Some(Period::Week);
        assert_eq!(rule_for(&l, Some(&budgeted), 300_000, 0, Some((800_000, 200_000))).1, C::OverSiteBudget);
        assert_eq!(rule_for(&l, Some(&budgeted), 200_000, 0, Some((800_000, 200_000))).1, C::AutoPay);
        let mut blocked = auto.clone();
        blocked.blocked = true;
        assert_eq!(code(&l, Some(&blocked), 1, 0), C::Blocked);
        let paused = Limits { paused: true, ..l };
        assert_eq!(code(&paused, Some(&blocked), 1, 0), C::Paused);
    }

    /// The order is the rules' precedence: the first that applies decides, and the reason names
    /// it, not a later one that would apply too.
    #[test]
    fn the_first_rule_that_applies_is_the_one_named() {
        use ReasonCode as C;
        let l = Limits::default();
        let mut r = site("https://a.example");
        r.auto_pay = true;
        r.max_per_payment = Some(Micros::from_micros(100_000));
        r.budget = Some(Micros::from_micros(1_000_000));
        r.period = Some(Period::Day);
        // Over everything at once: the global per-payment maximum comes before the daily cap,
        // the site's own limits and its budget.
        assert_eq!(rule_for(&l, Some(&r), 6_000_000, 19_000_000, Some((1_000_000, 0))).1, C::OverMaxPerPayment);
        // Under the global maximum but over the daily cap, the site's maximum and its budget.
        assert_eq!(rule_for(&l, Some(&r), 2_000_000, 19_000_000, Some((1_000_000, 0))).1, C::OverDailyCap);
        // The site's maximum before its budget.
        assert_eq!(rule_for(&l, Some(&r), 200_000, 0, Some((1_000_000, 0))).1, C::OverSiteMax);
        // The budget before the auto-pay ceiling.
        r.max_per_payment = None;
        assert_eq!(rule_for(&l, Some(&r), 600_000, 0, Some((1_000_000, 0))).1, C::OverSiteBudget);
        // Blocked before any limit.
        r.blocked = true;
        assert_eq!(rule_for(&l, Some(&r), 6_000_000, 0, None).1, C::Blocked);
    }

    #[test]
    fn a_reason_carries_the_figures_it_names() {
        let l = Limits::default();
        let mut r = site("https://a.example");
        r.budget = Some(Micros::from_micros(1_000_000));
        r.period = Some(Period::Month);
        let decision = decide(
            &l,
            Some(&r),
            eur(300_000),
            Micros::ZERO,
            Some(Micros::from_micros(900_000)),
            Some(Micros::from_micros(100_000)),
        )
        .unwrap();
        let Decision::Refuse(reason) = decision else { panic!("not refused: {decision:?}") };
        assert_eq!(reason.code, ReasonCode::OverSiteBudget);
        assert_eq!(
            reason.params,
            [
                Param::Budget(Micros::from_micros(1_000_000)),
                Param::Period(Period::Month),
                Param::Spent(Micros::from_micros(900_000)),
                Param::Left(Micros::from_micros(100_000)),
                Param::Asset(Asset::EUR),
            ]
        );
    }
}
