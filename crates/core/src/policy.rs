//! Spending rules as a model: per-site allowances, global limits, and `decide`, the pure
//! function that says whether a payment is made, asked or refused, and by which rule.
//!
//! Reading and writing the rules, their seals and the spent-so-far figures is
//! `rules_store`'s work.

use centime_protocol::{Amount, Micros};
use serde::Serialize;
use time::{Duration, OffsetDateTime, Time};

use crate::error::{Error, Result};

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

/// Normalizes a site to its origin (`scheme://host[:port]`); only http and https.
pub fn origin_of(s: &str) -> Result<String> {
    let u = url::Url::parse(s.trim())
        .map_err(|e| Error::InvalidArgument(format!("{:?} is not an absolute URL ({e})", clip(s))))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Error::InvalidArgument(format!("{:?} is not an http(s) site", clip(s))));
    }
    match u.origin() {
        o @ url::Origin::Tuple(..) => Ok(o.ascii_serialization()),
        url::Origin::Opaque(_) => Err(Error::InvalidArgument(format!("{:?} has no origin", clip(s)))),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A site's allowance. Amounts apply in the unit of whatever asset the site charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRule {
    /// The site, as an origin ([`origin_of`]).
    pub origin: String,
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
    pub fn new(origin: String) -> Self {
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
    /// Asked; the text says which rule asks.
    Ask(String),
    /// Refused; the text says which rule, and approval cannot override it.
    Refuse(String),
}

/// A decision with the figures behind it, for the approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// What the rules say.
    pub decision: Decision,
    /// Which rule decided, with its figures.
    pub reason: Reason,
    /// The site the payment is for.
    pub origin: String,
    /// The site's rule, if it has one.
    pub rule: Option<SiteRule>,
    /// What was spent today, all sites together, in the price's asset.
    pub spent_today: Micros,
    /// What the site was paid in its budget's current period, if it has a budget.
    pub site_spent_in_period: Option<Micros>,
    /// What is left of the site's budget before this payment, if it has one.
    pub allowance_left: Option<Micros>,
}

/// Which rule decided, in a form a UI can translate. Its `Display`/`FromStr` form
/// (snake_case) is the code the app and the CLI's JSON carry.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReasonCode {
    /// The user paused all payments.
    Paused,
    /// The site is blocked.
    Blocked,
    /// Over the global ceiling for one payment.
    OverMaxPerPayment,
    /// It would take today's spending over the daily cap.
    OverDailyCap,
    /// Over the site's own ceiling for one payment.
    OverSiteMax,
    /// Over what is left of the site's budget in its period.
    OverSiteBudget,
    /// The site may auto-pay, but not this much.
    OverAutoPay,
    /// The site has a rule that asks for every payment.
    AskEachPayment,
    /// No rule for this site yet.
    NoRule,
    /// The site's rule pays this without asking.
    AutoPay,
    /// A link over its site's pace ([`crate::links::LinkPace`]).
    LinkPace,
}

/// Why the rules decided as they did: which rule, and its parameters (amounts as decimal
/// strings, in `asset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Which rule decided.
    pub code: ReasonCode,
    /// The rule's figures by name: amounts as decimal strings (`0.10`), in `asset`.
    pub params: Vec<(&'static str, String)>,
}

fn ask(code: ReasonCode, text: String, params: Vec<(&'static str, String)>) -> (Decision, Reason) {
    (Decision::Ask(text), Reason { code, params })
}

fn refuse(code: ReasonCode, text: String, params: Vec<(&'static str, String)>) -> (Decision, Reason) {
    (Decision::Refuse(text), Reason { code, params })
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
) -> Result<(Decision, Reason)> {
    use ReasonCode as C;
    let p = price.micros;
    let asset = price.asset;
    let a = asset.to_string();
    if limits.paused {
        return Ok(refuse(C::Paused, "payments are paused".into(), vec![]));
    }
    if let Some(r) = rule
        && r.blocked
    {
        return Ok(refuse(C::Blocked, format!("{} is blocked", r.origin), vec![("origin", r.origin.clone())]));
    }
    if p > limits.max_per_payment {
        return Ok(refuse(
            C::OverMaxPerPayment,
            format!("{price} is over the {} {asset} limit for a single payment", limits.max_per_payment),
            vec![("price", p.to_string()), ("max", limits.max_per_payment.to_string()), ("asset", a)],
        ));
    }
    let total = spent_today.checked_add(p)?;
    if total > limits.daily_cap {
        return Ok(refuse(
            C::OverDailyCap,
            format!(
                "it would take today's spending to {total} {asset}, over the daily cap of {} {asset}",
                limits.daily_cap
            ),
            vec![("total", total.to_string()), ("cap", limits.daily_cap.to_string()), ("asset", a)],
        ));
    }
    if let Some(r) = rule {
        if let Some(max) = r.max_per_payment.filter(|m| p > *m) {
            return Ok(refuse(
                C::OverSiteMax,
                format!("{price} is over this site's limit of {max} {asset} per payment"),
                vec![("price", p.to_string()), ("max", max.to_string()), ("asset", a)],
            ));
        }
        if let (Some(left), Some(spent), Some(budget), Some(period)) = (allowance_left, site_spent, r.budget, r.period)
            && p > left
        {
            return Ok(refuse(
                C::OverSiteBudget,
                format!(
                    "this site's budget is {budget} {asset} per {period}; {spent} {asset} already spent, {left} {asset} left"
                ),
                vec![
                    ("budget", budget.to_string()),
                    ("period", period.to_string()),
                    ("spent", spent.to_string()),
                    ("left", left.to_string()),
                    ("asset", a),
                ],
            ));
        }
        if r.auto_pay {
            if p <= limits.auto_pay_under {
                return Ok((Decision::AutoPay, Reason { code: C::AutoPay, params: vec![] }));
            }
            return Ok(ask(
                C::OverAutoPay,
                format!("{price} is over your auto-pay ceiling of {} {asset}", limits.auto_pay_under),
                vec![("price", p.to_string()), ("ceiling", limits.auto_pay_under.to_string()), ("asset", a)],
            ));
        }
        return Ok(ask(
            C::AskEachPayment,
            format!("{} may charge you only after you approve each payment", r.origin),
            vec![("origin", r.origin.clone())],
        ));
    }
    Ok(ask(C::NoRule, "you have no rule for this site yet: each payment is asked".into(), vec![]))
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
    fn origins() {
        assert_eq!(origin_of("https://news.example/a/b?c").unwrap(), "https://news.example");
        assert_eq!(origin_of("http://127.0.0.1:8402/x").unwrap(), "http://127.0.0.1:8402");
        assert_eq!(origin_of("https://news.example:443/").unwrap(), "https://news.example");
        assert!(origin_of("ftp://x/").is_err());
        assert!(origin_of("news.example").is_err());
    }

    /// serde (the CLI's JSON, the app) and strum (`Display`/`FromStr`) name each code alike.
    #[test]
    fn every_code_is_one_string_in_json_and_in_text() {
        for c in ReasonCode::iter() {
            assert_eq!(serde_json::to_value(c).unwrap().as_str(), Some(<&'static str>::from(c)));
            assert_eq!(c.to_string().parse::<ReasonCode>().unwrap(), c);
        }
        for p in Period::iter() {
            assert_eq!(serde_json::to_value(p).unwrap().as_str(), Some(<&'static str>::from(p)));
            assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        }
    }

    fn eur(m: i64) -> Amount {
        Amount::new(Micros::from_micros(m), Asset::EUR)
    }

    fn site(origin: &str) -> SiteRule {
        SiteRule::new(origin.into())
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
        let (d, r) = decide(limits, rule, eur(price), Micros::from_micros(spent_today), spent, left).unwrap();
        (d, r.code)
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
        let (decision, reason) = decide(
            &l,
            Some(&r),
            eur(300_000),
            Micros::ZERO,
            Some(Micros::from_micros(900_000)),
            Some(Micros::from_micros(100_000)),
        )
        .unwrap();
        assert!(matches!(decision, Decision::Refuse(_)));
        assert_eq!(reason.code, ReasonCode::OverSiteBudget);
        assert_eq!(
            reason.params,
            [
                ("budget", "1.00".to_owned()),
                ("period", "month".to_owned()),
                ("spent", "0.90".to_owned()),
                ("left", "0.10".to_owned()),
                ("asset", "EUR".to_owned()),
            ]
        );
    }
}
