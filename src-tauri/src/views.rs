//! What the window reads and changes in the wallet beyond the history: the dashboard, the sites
//! with their allowances, the limits and the trusted issuers. The figures come from the core
//! (`centime_core::figures`); this parses the window's input and converts the answers.

use centime_app_models::{
    Dashboard, IssuerDto, LimitsChangeDto, LimitsDto, MoneyDto, SiteChangeDto, SiteDto, TopupDto,
};
use centime_core::history::HistoryFilter;
use centime_core::policy::{Period, SiteRule};
use centime_core::sync::check_issuer_url;
use centime_core::{Issuer, LimitsChange, SiteChange, Wallet};
use centime_protocol::{Amount, Micros};

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

fn amount(s: &str) -> AppResult<Micros> {
    Ok(Micros::parse_user(s)?)
}

/// An optional amount field: absent is no change, empty clears it.
fn opt_amount(s: Option<&String>) -> AppResult<Option<Option<Micros>>> {
    match s.map(|s| s.trim()) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => Ok(Some(Some(amount(s)?))),
    }
}

fn money(a: &Amount) -> MoneyDto {
    MoneyDto { amount: a.micros.to_string(), asset: a.asset.to_string() }
}

pub fn dashboard(w: &Wallet) -> AppResult<Dashboard> {
    let spending = w.spending()?;
    let recent = w.history(&HistoryFilter::default(), 10, None)?;
    let unconfirmed = w.history(
        &HistoryFilter { status: Some(centime_core::EntryStatus::Unconfirmed), ..Default::default() },
        50,
        None,
    )?;
    Ok(Dashboard {
        balances: w.balances()?.iter().map(convert::balance).collect(),
        spent_today: spending.today.iter().map(money).collect(),
        spent_this_month: spending.this_month.iter().map(money).collect(),
        recent: recent.entries.iter().map(convert::entry).collect(),
        unconfirmed: unconfirmed.entries.iter().map(convert::entry).collect(),
        paused: w.limits()?.paused,
    })
}

pub fn set_paused(w: &mut Wallet, paused: bool) -> AppResult<Dashboard> {
    w.update_limits(&LimitsChange { paused: Some(paused), ..Default::default() })?;
    dashboard(w)
}

fn site(w: &Wallet, r: &SiteRule) -> AppResult<SiteDto> {
    let a = w.allowance(r)?;
    Ok(convert::site(r, a.spent.iter().map(money).collect(), a.left.iter().map(money).collect()))
}

pub fn sites(w: &Wallet) -> AppResult<Vec<SiteDto>> {
    w.sites()?.iter().map(|r| site(w, r)).collect()
}

pub fn update_site(w: &mut Wallet, change: &SiteChangeDto) -> AppResult<SiteDto> {
    let budget = match opt_amount(change.budget.as_ref())? {
        None => None,
        Some(None) => Some(None),
        Some(Some(b)) => Some(Some((b, change.period.map_or(Period::Month, convert::period_in)))),
    };
    let c = SiteChange {
        max_per_payment: opt_amount(change.max_per_payment.as_ref())?,
        budget,
        auto_pay: change.auto_pay,
        blocked: change.blocked,
    };
    let r = w.update_site(&change.origin, &c)?;
    site(w, &r)
}

pub fn update_limits(w: &mut Wallet, change: &LimitsChangeDto) -> AppResult<LimitsDto> {
    let c = LimitsChange {
        paused: None,
        auto_pay_under: change.auto_pay_under.as_deref().map(amount).transpose()?,
        daily_cap: change.daily_cap.as_deref().map(amount).transpose()?,
        max_per_payment: change.max_per_payment.as_deref().map(amount).transpose()?,
    };
    Ok(convert::limits(&w.update_limits(&c)?))
}

pub fn issuers(w: &Wallet) -> AppResult<Vec<IssuerDto>> {
    w.issuers()?.iter().map(|i| Ok(convert::issuer(i, w.issuer_url(&i.network)?))).collect()
}

/// Trusts the issuer and, when given, keeps its address. The address is checked before
/// anything is written: a bad one leaves the wallet as it was, not trusting an issuer it
/// cannot reach.
pub fn add_issuer(w: &mut Wallet, issuer: &IssuerDto) -> AppResult<Vec<IssuerDto>> {
    let url = issuer.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url {
        check_issuer_url(u)?;
    }
    let i = Issuer {
        network: issuer.network.trim().parse()?,
        public_key: issuer.public_key.trim().parse()?,
        name: issuer.name.clone().filter(|n| !n.trim().is_empty()),
    };
    w.add_issuer(&i)?;
    if let Some(u) = url {
        w.set_issuer_url(&i.network, u)?;
    }
    issuers(w)
}

/// Sets where an issuer already trusted is reached (the core refuses an untrusted network).
pub fn set_issuer_url(w: &mut Wallet, network: &str, url: &str) -> AppResult<Vec<IssuerDto>> {
    w.set_issuer_url(&network.trim().parse()?, url.trim())?;
    issuers(w)
}

/// [`add_issuer`], then its network's background sync due at once: an address just given
/// should not wait for the next round.
pub fn add_issuer_scheduled(s: &AppState, issuer: &IssuerDto) -> AppResult<Vec<IssuerDto>> {
    let list = s.with_wallet(|w| add_issuer(w, issuer))?;
    sync_soon(s, &issuer.network);
    Ok(list)
}

/// [`set_issuer_url`], then that network's background sync due at once.
pub fn set_issuer_url_scheduled(s: &AppState, network: &str, url: &str) -> AppResult<Vec<IssuerDto>> {
    let list = s.with_wallet(|w| set_issuer_url(w, network, url))?;
    sync_soon(s, network);
    Ok(list)
}

fn sync_soon(s: &AppState, network: &str) {
    if let Ok(n) = network.trim().parse() {
        s.sync_schedule().request(&n);
    }
}

pub fn remove_issuer(w: &mut Wallet, network: &str) -> AppResult<Vec<IssuerDto>> {
    w.remove_issuer(&network.parse()?)?;
    issuers(w)
}

/// Buys demo credit for the wallet and redeems it. The wallet is not locked while the demo
/// issuer answers.
pub fn topup_demo(s: &AppState, amount: &str, asset: &str) -> AppResult<TopupDto> {
    let demo = s.demo.clone().ok_or_else(|| AppError::Demo("no demo issuer is running".into()))?;
    let id = s.with_wallet(|w| Ok(w.id().to_string()))?;
    let credit = crate::demo::buy_credit(&demo, &id, amount, asset)?;
    s.with_wallet(|w| Ok(convert::topup(&w.topup(&credit)?)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use centime_app_models::ErrorCode;
    use centime_core::keystore::FileKeyStore;
    use centime_core::passphrase::Passphrase;
    use centime_protocol::jws::{RingSigner, Signer as _};

    use super::*;

    /// A real wallet on disk that trusts no issuer yet.
    fn wallet() -> (tempfile::TempDir, Wallet) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("wallet");
        let ks = FileKeyStore::new(&dir, Passphrase::new("correct horse battery".into()));
        let w = Wallet::init(&dir, &ks, &[]).unwrap();
        (tmp, w)
    }

    fn issuer(network: &str, url: Option<&str>) -> IssuerDto {
        IssuerDto {
            network: network.into(),
            public_key: RingSigner::from_seed(&[7; 32]).unwrap().public_key().to_string(),
            name: Some("Bank".into()),
            url: url.map(Into::into),
        }
    }

    #[test]
    fn an_issuer_added_with_its_address_is_listed_with_it() {
        let (_tmp, mut w) = wallet();
        let list = add_issuer(&mut w, &issuer("centime:bank", Some(" https://bank.example/ "))).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].url.as_deref(), Some("https://bank.example"), "trimmed, no trailing slash");
        assert_eq!(w.issuer_url(&"centime:bank".parse().unwrap()).unwrap().as_deref(), Some("https://bank.example"));
        assert_eq!(issuers(&w).unwrap(), list);
    }

    #[test]
    fn an_issuer_added_without_an_address_is_listed_without_one() {
        let (_tmp, mut w) = wallet();
        let list = add_issuer(&mut w, &issuer("centime:bank", Some("  "))).unwrap();
        assert_eq!(list[0].url, None, "an empty field is no address");
    }

    #[test]
    fn a_bad_address_adds_nothing() {
        let (_tmp, mut w) = wallet();
        for bad in ["ftp://bank.example", "bank.example", "https://"] {
            let e = add_issuer(&mut w, &issuer("centime:bank", Some(bad))).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}");
            assert!(e.message().contains("address"), "{bad}: {}", e.message());
            assert_eq!(issuers(&w).unwrap(), vec![], "{bad}: the issuer is not trusted either");
        }
    }

    #[test]
    fn the_address_of_a_trusted_issuer_is_set_and_changed() {
        let (_tmp, mut w) = wallet();
        add_issuer(&mut w, &issuer("centime:bank", None)).unwrap();
        let list = set_issuer_url(&mut w, "centime:bank", "http://127.0.0.1:8402").unwrap();
        assert_eq!(list[0].url.as_deref(), Some("http://127.0.0.1:8402"));
        let list = set_issuer_url(&mut w, " centime:bank ", "https://bank.example").unwrap();
        assert_eq!(list[0].url.as_deref(), Some("https://bank.example"));

        let e = set_issuer_url(&mut w, "centime:bank", "mailto:bank@example.org").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert_eq!(issuers(&w).unwrap()[0].url.as_deref(), Some("https://bank.example"), "a bad one changes nothing");
    }

    #[test]
    fn an_untrusted_network_gets_no_address() {
        let (_tmp, mut w) = wallet();
        add_issuer(&mut w, &issuer("centime:bank", None)).unwrap();
        let e = set_issuer_url(&mut w, "centime:other", "https://other.example").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.message().contains("Settings"), "{}", e.message());
        assert_eq!(w.issuer_url(&"centime:other".parse().unwrap()).unwrap(), None);
    }
}
