//! Why the rules decided as they did, as values: the rule ([`ReasonCode`]) and its figures
//! ([`Param`]), typed. The CLI words them through [`Reason`]'s `Display` (English), the app in
//! its own languages from the same values.

use std::fmt;

use centime_protocol::{Asset, Micros, Origin};
use serde::Serialize;

use crate::policy::Period;

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

/// The name of a reason's parameter, as the app's prompt and the CLI's JSON carry it.
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
#[cfg_attr(feature = "ts", ts(rename = "ReasonParam"))]
pub enum ParamName {
    /// The site the rule is about.
    Origin,
    /// The payment's price.
    Price,
    /// A per-payment maximum (the global one or the site's).
    Max,
    /// Today's spending with this payment.
    Total,
    /// The daily cap.
    Cap,
    /// The site's budget.
    Budget,
    /// The budget's period.
    Period,
    /// Spent of the budget in its period.
    Spent,
    /// Left of the budget in its period.
    Left,
    /// The auto-pay ceiling.
    Ceiling,
    /// The asset every amount of the reason is in.
    Asset,
    /// How many links a site may send within the pace's window.
    Links,
    /// The pace's window, in seconds.
    Seconds,
}

impl ParamName {
    /// Whether the parameter is an amount of money (a decimal string in the reason's asset).
    pub fn is_amount(self) -> bool {
        use ParamName as N;
        matches!(self, N::Price | N::Max | N::Total | N::Cap | N::Budget | N::Spent | N::Left | N::Ceiling)
    }
}

/// One figure of a reason, typed. Serialized as `{"name": …, "value": …}` with amounts as
/// decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "name", content = "value", rename_all = "snake_case")]
pub enum Param {
    /// [`ParamName::Origin`].
    Origin(Origin),
    /// [`ParamName::Price`].
    Price(Micros),
    /// [`ParamName::Max`].
    Max(Micros),
    /// [`ParamName::Total`].
    Total(Micros),
    /// [`ParamName::Cap`].
    Cap(Micros),
    /// [`ParamName::Budget`].
    Budget(Micros),
    /// [`ParamName::Period`].
    Period(Period),
    /// [`ParamName::Spent`].
    Spent(Micros),
    /// [`ParamName::Left`].
    Left(Micros),
    /// [`ParamName::Ceiling`].
    Ceiling(Micros),
    /// [`ParamName::Asset`].
    Asset(Asset),
    /// [`ParamName::Links`].
    Links(u64),
    /// [`ParamName::Seconds`].
    Seconds(u64),
}

impl Param {
    /// The parameter's name.
    pub fn name(&self) -> ParamName {
        use ParamName as N;
        match self {
            Param::Origin(_) => N::Origin,
            Param::Price(_) => N::Price,
            Param::Max(_) => N::Max,
            Param::Total(_) => N::Total,
            Param::Cap(_) => N::Cap,
            Param::Budget(_) => N::Budget,
            Param::Period(_) => N::Period,
            Param::Spent(_) => N::Spent,
            Param::Left(_) => N::Left,
            Param::Ceiling(_) => N::Ceiling,
            Param::Asset(_) => N::Asset,
            Param::Links(_) => N::Links,
            Param::Seconds(_) => N::Seconds,
        }
    }
}

/// The value as text: an amount as its decimal string (`0.10`), a period as its word.
impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Origin(o) => o.fmt(f),
            Param::Price(m)
            | Param::Max(m)
            | Param::Total(m)
            | Param::Cap(m)
            | Param::Budget(m)
            | Param::Spent(m)
            | Param::Left(m)
            | Param::Ceiling(m) => m.fmt(f),
            Param::Period(p) => p.fmt(f),
            Param::Asset(a) => a.fmt(f),
            Param::Links(n) | Param::Seconds(n) => n.fmt(f),
        }
    }
}

/// Why the rules decided as they did: which rule, and its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Which rule decided.
    pub code: ReasonCode,
    /// The rule's figures, amounts in the [`ParamName::Asset`] one.
    pub params: Vec<Param>,
}

impl Reason {
    /// A reason with no figures.
    pub const fn bare(code: ReasonCode) -> Self {
        Reason { code, params: Vec::new() }
    }

    /// The parameter named `name`, as text; empty when the reason has none of that name.
    pub fn param(&self, name: ParamName) -> String {
        self.params.iter().find(|p| p.name() == name).map(ToString::to_string).unwrap_or_default()
    }
}

/// The rule in English, with its figures: the words of the CLI and of the logs.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParamName as N;
        use ReasonCode as C;
        let p = |n: ParamName| self.param(n);
        // An amount with its asset, as `Amount` shows one: `0.10 EUR`.
        let a = |n: ParamName| format!("{} {}", self.param(n), self.param(N::Asset));
        match self.code {
            C::Paused => write!(f, "payments are paused"),
            C::Blocked => write!(f, "{} is blocked", p(N::Origin)),
            C::OverMaxPerPayment => {
                write!(f, "{} is over the {} limit for a single payment", a(N::Price), a(N::Max))
            }
            C::OverDailyCap => {
                write!(f, "it would take today's spending to {}, over the daily cap of {}", a(N::Total), a(N::Cap))
            }
            C::OverSiteMax => write!(f, "{} is over this site's limit of {} per payment", a(N::Price), a(N::Max)),
            C::OverSiteBudget => write!(
                f,
                "this site's budget is {} per {}; {} already spent, {} left",
                a(N::Budget),
                p(N::Period),
                a(N::Spent),
                a(N::Left)
            ),
            C::OverAutoPay => write!(f, "{} is over your auto-pay ceiling of {}", a(N::Price), a(N::Ceiling)),
            C::AskEachPayment => write!(f, "{} may charge you only after you approve each payment", p(N::Origin)),
            C::NoRule => write!(f, "you have no rule for this site yet: each payment is asked"),
            C::AutoPay => write!(f, "your rules allow this site to charge this without asking"),
            C::LinkPace => write!(
                f,
                "{} sent more than {} payment links within {} seconds",
                p(N::Origin),
                p(N::Links),
                p(N::Seconds)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// serde (the CLI's JSON, the app) and strum (`Display`/`FromStr`) name each code alike.
    #[test]
    fn every_code_is_one_string_in_json_and_in_text() {
        for c in ReasonCode::iter() {
            assert_eq!(serde_json::to_value(c).unwrap().as_str(), Some(<&'static str>::from(c)));
            assert_eq!(c.to_string().parse::<ReasonCode>().unwrap(), c);
        }
        for n in ParamName::iter() {
            assert_eq!(serde_json::to_value(n).unwrap().as_str(), Some(<&'static str>::from(n)));
            assert_eq!(n.to_string().parse::<ParamName>().unwrap(), n);
        }
    }

    /// A parameter's serde name is its [`ParamName`], and an amount is a decimal string.
    #[test]
    fn a_param_is_its_name_and_its_text() {
        let params = [
            Param::Origin(Origin::of("https://a.example/x").unwrap()),
            Param::Price(Micros::from_micros(100_000)),
            Param::Period(Period::Week),
            Param::Asset(Asset::EUR),
            Param::Links(3),
        ];
        for p in params {
            let v = serde_json::to_value(&p).unwrap();
            assert_eq!(v["name"].as_str(), Some(<&'static str>::from(p.name())), "{v}");
            assert_eq!(v["value"].as_str().map(str::to_owned).unwrap_or_else(|| v["value"].to_string()), p.to_string());
        }
        assert_eq!(Param::Price(Micros::from_micros(100_000)).to_string(), "0.10");
    }

    #[test]
    fn the_english_words_name_the_figures() {
        let r = Reason {
            code: ReasonCode::OverSiteBudget,
            params: vec![
                Param::Budget(Micros::from_micros(1_000_000)),
                Param::Period(Period::Month),
                Param::Spent(Micros::from_micros(900_000)),
                Param::Left(Micros::from_micros(100_000)),
                Param::Asset(Asset::EUR),
            ],
        };
        assert_eq!(r.to_string(), "this site's budget is 1.00 EUR per month; 0.90 EUR already spent, 0.10 EUR left");
    }
}
