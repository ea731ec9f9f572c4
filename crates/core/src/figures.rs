//! Figures derived from the history, on the wallet's clock: what was spent today and this
//! month, what is left of a site's allowance, totals per asset, and sites ranked by spending
//! with their shares. The CLI and the app show these; they compute none of them.

use std::collections::{BTreeMap, BTreeSet};

use centime_protocol::{Amount, Asset, Micros};

use crate::error::Result;
use crate::history::{GroupBy, HistoryFilter, Total};
use crate::policy::{Period, SiteRule};
use crate::wallet::Wallet;

/// Net spending (payments less refunds) today and this month, per asset (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spending {
    /// Since the start of today, one amount per asset.
    pub today: Vec<Amount>,
    /// Since the start of this month, one amount per asset.
    pub this_month: Vec<Amount>,
}

/// A site's allowance in its current period: spent, and what is left of the budget, per asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The start of the period (Unix seconds): a month when the rule has no period.
    pub since: i64,
    /// Per asset the site charged in during the period.
    pub spent: Vec<Amount>,
    /// Without a budget, empty. Else per asset the site charged in (ever), or, for a site
    /// never paid, per asset the wallet holds: the budget applies in whatever asset the site
    /// charges (see [`SiteRule`]), never in an asset guessed for it.
    pub left: Vec<Amount>,
}

/// Net spending and number of payments in one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetTotal {
    /// The asset the figures are in.
    pub asset: Asset,
    /// Payments less refunds.
    pub spent: Micros,
    /// How many payments.
    pub payments: i64,
}

/// What a history filter selects: how many entries, and their totals per asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// How many entries the filter selects.
    pub count: u64,
    /// One total per asset.
    pub totals: Vec<AssetTotal>,
}

/// A site's spending and its part of all spending in that asset, in basis points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteShare {
    /// The site's spending in one asset.
    pub total: Total,
    /// Its part of all spending in that asset, in basis points (10 000 is all of it).
    pub share_bp: u32,
}

/// Spending per day, per month, and per site ranked from the largest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insights {
    /// Per UTC day, oldest first.
    pub by_day: Vec<Total>,
    /// Per UTC month, oldest first.
    pub by_month: Vec<Total>,
    /// Per site, largest first, with shares.
    pub by_site: Vec<SiteShare>,
}

impl Wallet {
    /// What was spent since the start of today and of this month, by the wallet's clock.
    pub fn spending(&self) -> Result<Spending> {
        let now = self.now();
        let since = |t: i64| -> Result<Vec<Amount>> {
            let f = HistoryFilter { since: Some(t), ..Default::default() };
            Ok(per_asset(&self.totals(&f, GroupBy::Month)?)?
                .into_iter()
                .map(|t| Amount::new(t.spent, t.asset))
                .collect())
        };
        Ok(Spending { today: since(Period::Day.start(now))?, this_month: since(Period::Month.start(now))? })
    }

    /// `rule`'s site: spent in its current period and what is left of its budget.
    pub fn allowance(&self, rule: &SiteRule) -> Result<Allowance> {
        let since = rule.period.unwrap_or(Period::Month).start(self.now());
        let of_site =
            |since: Option<i64>| HistoryFilter { since, site: Some(rule.origin.to_string()), ..Default::default() };
        let spent = per_asset(&self.totals(&of_site(Some(since)), GroupBy::Site)?)?;
        let Some(budget) = rule.budget else {
            return Ok(Allowance {
                since,
                spent: spent.iter().map(|t| Amount::new(t.spent, t.asset)).collect(),
                left: vec![],
            });
        };
        let mut assets: BTreeSet<Asset> = spent.iter().map(|t| t.asset).collect();
        assets.extend(self.totals(&of_site(None), GroupBy::Site)?.iter().map(|t| t.asset));
        if assets.is_empty() {
            assets.extend(self.balances()?.iter().map(|b| b.asset));
        }
        let mut left = Vec::with_capacity(assets.len());
        for asset in assets {
            let used = spent.iter().find(|t| t.asset == asset).map_or(Micros::ZERO, |t| t.spent);
            left.push(Amount::new(budget.checked_sub(used)?.max(Micros::ZERO), asset));
        }
        Ok(Allowance { since, spent: spent.iter().map(|t| Amount::new(t.spent, t.asset)).collect(), left })
    }

    /// How many entries `filter` selects and their totals per asset.
    pub fn summary(&self, filter: &HistoryFilter) -> Result<Summary> {
        Ok(Summary { count: self.count(filter)?, totals: per_asset(&self.totals(filter, GroupBy::Month)?)? })
    }

    /// Spending per day, per month, and per site: sites ranked by what they got (then by
    /// name), each with its share of its asset's total.
    pub fn insights(&self, filter: &HistoryFilter) -> Result<Insights> {
        let sites = self.totals(filter, GroupBy::Site)?;
        let whole: BTreeMap<Asset, Micros> = per_asset(&sites)?.into_iter().map(|t| (t.asset, t.spent)).collect();
        let mut by_site: Vec<SiteShare> = sites
            .into_iter()
            .map(|t| {
                let of = whole.get(&t.asset).copied().unwrap_or(Micros::ZERO);
                SiteShare { share_bp: share_bp(t.spent, of), total: t }
            })
            .collect();
        by_site.sort_by(|a, b| b.total.spent.cmp(&a.total.spent).then_with(|| a.total.key.cmp(&b.total.key)));
        Ok(Insights {
            by_day: self.totals(filter, GroupBy::Day)?,
            by_month: self.totals(filter, GroupBy::Month)?,
            by_site,
        })
    }

    /// Sites that appear in the history or have a rule, sorted, each once.
    pub fn known_sites(&self) -> Result<Vec<String>> {
        let mut out: BTreeSet<String> = self
            .totals(&HistoryFilter::default(), GroupBy::Site)?
            .into_iter()
            .map(|t| t.key)
            .filter(|k| !k.is_empty())
            .collect();
        out.extend(self.sites()?.into_iter().map(|r| r.origin.to_string()));
        Ok(out.into_iter().collect())
    }
}

/// Totals folded per asset, in asset order.
fn per_asset(totals: &[Total]) -> Result<Vec<AssetTotal>> {
    let mut by: BTreeMap<Asset, (Micros, i64)> = BTreeMap::new();
    for t in totals {
        let slot = by.entry(t.asset).or_insert((Micros::ZERO, 0));
        slot.0 = slot.0.checked_add(t.spent)?;
        slot.1 = slot.1.saturating_add(t.payments);
    }
    Ok(by.into_iter().map(|(asset, (spent, payments))| AssetTotal { asset, spent, payments }).collect())
}

/// A part of a whole in basis points (0..=10000), exact integer arithmetic.
pub fn share_bp(part: Micros, whole: Micros) -> u32 {
    if whole.get() <= 0 || part.get() <= 0 {
        return 0;
    }
    let bp = i128::from(part.get()) * 10_000 / i128::from(whole.get());
    u32::try_from(bp.clamp(0, 10_000)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_exact_basis_points() {
        let m = Micros::from_micros;
        assert_eq!(share_bp(m(1), m(3)), 3333);
        assert_eq!(share_bp(m(3), m(3)), 10_000);
        assert_eq!(share_bp(m(0), m(3)), 0);
        assert_eq!(share_bp(m(5), m(0)), 0);
        assert_eq!(share_bp(m(-5), m(10)), 0);
        assert_eq!(share_bp(m(i64::MAX), m(i64::MAX)), 10_000);
    }
}
