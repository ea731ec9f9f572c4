//! The wallet's methods for reading and changing spending rules.

use centime_protocol::{Micros, Origin};
use rusqlite::params;

use crate::error::{Error, Result};
use crate::policy::{Limits, Period, SiteRule};
use crate::rules_store;
use crate::sqlite;
use crate::wallet::Wallet;

/// A change to a site's allowance; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SiteChange {
    /// `Some(None)` removes the site's own per-payment maximum.
    pub max_per_payment: Option<Option<Micros>>,
    /// `Some(None)` removes the budget; a budget always comes with its period.
    pub budget: Option<Option<(Micros, Period)>>,
    /// Whether the site may charge without asking.
    pub auto_pay: Option<bool>,
    /// Whether every payment to the site is refused.
    pub blocked: Option<bool>,
}

/// A change to the global limits; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct LimitsChange {
    /// Pauses or resumes every payment.
    pub paused: Option<bool>,
    /// The auto-pay ceiling; zero makes every payment asked.
    pub auto_pay_under: Option<Micros>,
    /// The daily cap, more than zero.
    pub daily_cap: Option<Micros>,
    /// The ceiling of any one payment, more than zero.
    pub max_per_payment: Option<Micros>,
}

fn positive(what: &str, m: Micros) -> Result<Micros> {
    if m.is_positive() { Ok(m) } else { Err(Error::InvalidArgument(format!("{what} must be more than zero"))) }
}

impl Wallet {
    /// Every site rule, by origin, each checked against its MAC and the set against its seal.
    pub fn sites(&self) -> Result<Vec<SiteRule>> {
        rules_store::check_sites(&self.conn, self.key())?;
        let mut stmt = self.conn.prepare(
            "SELECT origin, blocked, auto_pay, max_per_payment, budget, period, updated_at, mac FROM sites ORDER BY origin",
        )?;
        let rows = stmt.query_map([], rules_store::site_from_row)?;
        let mut out = Vec::new();
        for row in rows {
            let (rule, mac) = row?;
            rules_store::check_site_mac(self.key(), &rule, &mac)?;
            out.push(rule);
        }
        Ok(out)
    }

    /// The rule for the origin of `site`, checked against its MAC; `None` when it has none.
    pub fn site(&self, site: &str) -> Result<Option<SiteRule>> {
        rules_store::load_site(&self.conn, self.key(), &Origin::of(site)?)
    }

    /// Changes (or creates) the rule for the origin of `site`.
    pub fn update_site(&mut self, site: &str, change: &SiteChange) -> Result<SiteRule> {
        let origin = Origin::of(site)?;
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        // Never re-seal rules changed outside Centime (or put back from an older copy): the
        // new seal would bless them.
        rules_store::load_limits(&tx, &key)?;
        let mut rule = rules_store::load_site(&tx, &key, &origin)?.unwrap_or_else(|| SiteRule::new(origin.clone()));
        if let Some(m) = change.max_per_payment {
            rule.max_per_payment = m.map(|m| positive("the per-payment maximum", m)).transpose()?;
        }
        if let Some(b) = change.budget {
            match b {
                Some((amount, period)) => {
                    rule.budget = Some(positive("the budget", amount)?);
                    rule.period = Some(period);
                }
                None => {
                    rule.budget = None;
                    rule.period = None;
                }
            }
        }
        if let Some(a) = change.auto_pay {
            rule.auto_pay = a;
        }
        if let Some(b) = change.blocked {
            rule.blocked = b;
        }
        rule.updated_at = now;
        rules_store::save_site(&tx, &key, &rule)?;
        tx.commit()?;
        tracing::info!(
            site = %rule.origin,
            auto_pay = rule.auto_pay,
            blocked = rule.blocked,
            max_per_payment = ?rule.max_per_payment.map(|m| m.to_string()),
            budget = ?rule.budget.map(|m| m.to_string()),
            period = ?rule.period,
            "site rule changed"
        );
        Ok(rule)
    }

    /// Removes the rule for the origin of `site` (its payments are asked again) and seals the rest.
    pub fn remove_site(&mut self, site: &str) -> Result<()> {
        let origin = Origin::of(site)?;
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        rules_store::load_limits(&tx, &key)?;
        tx.execute("DELETE FROM sites WHERE origin = ?1", params![origin.as_str()])?;
        rules_store::seal_sites(&tx, &key)?;
        tx.commit()?;
        tracing::info!(site = %origin, "site rule removed");
        Ok(())
    }

    /// The global limits, checked against their seal.
    pub fn limits(&self) -> Result<Limits> {
        rules_store::load_limits(&self.conn, self.key())
    }

    /// Changes the global limits and seals them again; a negative ceiling, or a cap or maximum
    /// of zero, is refused.
    pub fn update_limits(&mut self, change: &LimitsChange) -> Result<Limits> {
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let mut l = rules_store::load_limits(&tx, &key)?;
        if let Some(p) = change.paused {
            l.paused = p;
        }
        if let Some(a) = change.auto_pay_under {
            if a.is_negative() {
                return Err(Error::InvalidArgument("the auto-pay ceiling cannot be negative".into()));
            }
            l.auto_pay_under = a;
        }
        if let Some(c) = change.daily_cap {
            l.daily_cap = positive("the daily cap", c)?;
        }
        if let Some(m) = change.max_per_payment {
            l.max_per_payment = positive("the per-payment maximum", m)?;
        }
        rules_store::save_limits(&tx, &key, &l)?;
        tx.commit()?;
        tracing::info!(
            paused = l.paused,
            auto_pay_under = %l.auto_pay_under,
            daily_cap = %l.daily_cap,
            max_per_payment = %l.max_per_payment,
            "limits changed"
        );
        Ok(l)
    }
}
