//! What the backend itself says to the user (notifications, the tray menu), in the language the
//! window shows: the front end reports it with `set_locale` (the user's choice in Settings, or
//! the system's); before that, the system locale's. Amounts are written as the window writes
//! them: "€0.10" in English, "0,10 €" in French.

use centime_app_models::LocaleDto;
use centime_core::policy::{Param, ParamName, Period, Reason, ReasonCode};
use centime_protocol::{Amount, Asset, Micros};

/// The locale from the environment, as POSIX resolves it (`LC_ALL`, `LC_MESSAGES`, `LANG`).
pub fn system_locale() -> LocaleDto {
    let tag = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    match tag {
        Some(t) if t.starts_with("fr") => LocaleDto::Fr,
        _ => LocaleDto::En,
    }
}

/// An amount as the window formats it (exact: the decimal string of the micro-units).
pub fn money(l: LocaleDto, micros: Micros, asset: &Asset) -> String {
    let digits = micros.to_string();
    let symbol = match asset.as_str() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    };
    match (l, symbol) {
        (LocaleDto::En, Some(s)) => match digits.strip_prefix('-') {
            Some(abs) => format!("-{s}{abs}"),
            None => format!("{s}{digits}"),
        },
        (LocaleDto::En, None) => format!("{digits} {}", asset.as_str()),
        // The symbol after the amount, behind a no-break space, as French writes it.
        (LocaleDto::Fr, s) => format!("{}\u{a0}{}", digits.replace('.', ","), s.unwrap_or(asset.as_str())),
    }
}

fn amount(l: LocaleDto, a: &Amount) -> String {
    money(l, a.micros, &a.asset)
}

/// The rule behind a prompt in the window's language, worded as the window words it
/// (ui/src/i18n): amounts as the window writes them, in the reason's asset.
pub fn reason(l: LocaleDto, r: &Reason, asset: &Asset) -> String {
    use ParamName as N;
    use ReasonCode as C;
    let asset = r.params.iter().find_map(|p| if let Param::Asset(a) = p { Some(a) } else { None }).unwrap_or(asset);
    let find = |n: ParamName| r.params.iter().find(|p| p.name() == n);
    let p = |n: ParamName| match find(n) {
        Some(Param::Period(period)) => period_word(l, *period).to_owned(),
        Some(Param::Price(m) | Param::Max(m) | Param::Total(m) | Param::Cap(m))
        | Some(Param::Budget(m) | Param::Spent(m) | Param::Left(m) | Param::Ceiling(m)) => money(l, *m, asset),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let en = l == LocaleDto::En;
    match r.code {
        C::Paused if en => "Payments are paused.".to_owned(),
        C::Paused => "Les paiements sont suspendus.".to_owned(),
        C::Blocked if en => format!("{} is blocked in your site rules.", p(N::Origin)),
        C::Blocked => format!("{} est bloqué dans vos règles.", p(N::Origin)),
        C::OverMaxPerPayment if en => {
            format!("{} is over your limit of {} for a single payment.", p(N::Price), p(N::Max))
        }
        C::OverMaxPerPayment => format!("{} dépasse votre plafond de {} par paiement.", p(N::Price), p(N::Max)),
        C::OverDailyCap if en => {
            format!("It would take today's spending to {}, over your daily cap of {}.", p(N::Total), p(N::Cap))
        }
        C::OverDailyCap => format!(
            "Vos dépenses du jour passeraient à {}, au-delà de votre plafond quotidien de {}.",
            p(N::Total),
            p(N::Cap)
        ),
        C::OverSiteMax if en => format!("{} is over this site's limit of {} per payment.", p(N::Price), p(N::Max)),
        C::OverSiteMax => format!("{} dépasse la limite de ce site, {} par paiement.", p(N::Price), p(N::Max)),
        C::OverSiteBudget if en => format!(
            "This site's allowance is {} per {}; {} already spent, {} left.",
            p(N::Budget),
            p(N::Period),
            p(N::Spent),
            p(N::Left)
        ),
        C::OverSiteBudget => format!(
            "Le budget de ce site est de {} par {}\u{a0}; {} déjà dépensés, il reste {}.",
            p(N::Budget),
            p(N::Period),
            p(N::Spent),
            p(N::Left)
        ),
        C::OverAutoPay if en => {
            format!("{} is over your automatic-payment ceiling of {}.", p(N::Price), p(N::Ceiling))
        }
        C::OverAutoPay => {
            format!("{} dépasse votre plafond de paiement automatique de {}.", p(N::Price), p(N::Ceiling))
        }
        C::AskEachPayment if en => format!("{} may charge you only after you approve each payment.", p(N::Origin)),
        C::AskEachPayment => {
            format!("{} ne peut vous facturer qu'après votre accord pour chaque paiement.", p(N::Origin))
        }
        C::NoRule if en => "You have no rule for this site yet, so each payment is asked.".to_owned(),
        C::NoRule => "Vous n'avez pas encore de règle pour ce site\u{a0}: chaque paiement vous est demandé.".to_owned(),
        C::AutoPay if en => "Your rules let this site charge this without asking.".to_owned(),
        C::AutoPay => "Vos règles autorisent ce site à facturer ce montant sans demander.".to_owned(),
        C::LinkPace if en => format!(
            "{} sent more than {} payment links within {} seconds, so Centime asks you even though your rules allow it.",
            p(N::Origin),
            p(N::Links),
            p(N::Seconds)
        ),
        C::LinkPace => format!(
            "{} a envoyé plus de {} liens de paiement en {} secondes\u{a0}: Centime vous demande, bien que vos règles l'autorisent.",
            p(N::Origin),
            p(N::Links),
            p(N::Seconds)
        ),
    }
}

fn period_word(l: LocaleDto, p: Period) -> &'static str {
    match (l, p) {
        (LocaleDto::En, Period::Day) => "day",
        (LocaleDto::En, Period::Week) => "week",
        (LocaleDto::En, Period::Month) => "month",
        (LocaleDto::Fr, Period::Day) => "jour",
        (LocaleDto::Fr, Period::Week) => "semaine",
        (LocaleDto::Fr, Period::Month) => "mois",
    }
}

pub fn paid_automatically(l: LocaleDto, a: &Amount, origin: &str) -> String {
    match l {
        LocaleDto::En => format!("Paid {} to {origin} automatically, by your rules", amount(l, a)),
        LocaleDto::Fr => format!("{} payés à {origin} automatiquement, selon vos règles", amount(l, a)),
    }
}

pub fn topped_up(l: LocaleDto, added: &Amount, balance: &Amount) -> String {
    match l {
        LocaleDto::En => format!("Top-up of {} received; balance {}", amount(l, added), amount(l, balance)),
        LocaleDto::Fr => format!("Recharge de {} reçue ; solde {}", amount(l, added), amount(l, balance)),
    }
}

pub fn confirmed(l: LocaleDto, a: &Amount, origin: &str) -> String {
    match l {
        LocaleDto::En => format!("{origin} confirmed your payment of {}", amount(l, a)),
        LocaleDto::Fr => format!("{origin} a confirmé votre paiement de {}", amount(l, a)),
    }
}

pub fn refused(l: LocaleDto, a: &Amount, origin: &str, code: &str) -> String {
    match l {
        LocaleDto::En => format!(
            "{origin} refused your payment of {} ({code}); it was credited back, spendable once its authorization expires",
            amount(l, a)
        ),
        LocaleDto::Fr => format!(
            "{origin} a refusé votre paiement de {} ({code}) ; il a été recrédité, utilisable une fois son autorisation expirée",
            amount(l, a)
        ),
    }
}

pub fn gave_up(l: LocaleDto, a: &Amount, origin: &str) -> String {
    match l {
        LocaleDto::En => format!(
            "{origin} has not confirmed your payment of {} for a day; Centime stopped asking. It stays listed as unconfirmed",
            amount(l, a)
        ),
        LocaleDto::Fr => format!(
            "{origin} n'a pas confirmé votre paiement de {} depuis un jour ; Centime ne le demande plus. Il reste listé comme non confirmé",
            amount(l, a)
        ),
    }
}

pub fn too_many_prompts(l: LocaleDto, origin: &str) -> String {
    match l {
        LocaleDto::En => format!("{origin} sent too many payment requests at once; the later ones were refused"),
        LocaleDto::Fr => {
            format!("{origin} a envoyé trop de demandes de paiement à la fois ; les suivantes ont été refusées")
        }
    }
}

pub fn no_background_checks(l: LocaleDto, why: &str) -> String {
    match l {
        LocaleDto::En => format!("Unconfirmed payments will not be checked in the background: {why}"),
        LocaleDto::Fr => format!("Les paiements non confirmés ne seront pas vérifiés en arrière-plan : {why}"),
    }
}

/// The tray menu's labels.
pub struct Tray {
    pub pause: &'static str,
    pub open: &'static str,
    pub quit: &'static str,
    pub no_wallet: &'static str,
}

pub fn tray(l: LocaleDto) -> Tray {
    match l {
        LocaleDto::En => {
            Tray { pause: "Pause payments", open: "Open Centime", quit: "Quit", no_wallet: "No wallet open" }
        }
        LocaleDto::Fr => Tray {
            pause: "Suspendre les paiements",
            open: "Ouvrir Centime",
            quit: "Quitter",
            no_wallet: "Aucun portefeuille ouvert",
        },
    }
}

pub fn tray_balance(l: LocaleDto, balances: &[(Micros, Asset)]) -> String {
    let parts: Vec<String> = balances.iter().map(|(m, a)| money(l, *m, a)).collect();
    let shown = if parts.is_empty() { money(l, Micros::from_micros(0), &Asset::EUR) } else { parts.join(" · ") };
    match l {
        LocaleDto::En => format!("Balance: {shown}"),
        LocaleDto::Fr => format!("Solde : {shown}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_in_the_window() {
        let ten = Micros::from_micros(100_000);
        assert_eq!(money(LocaleDto::En, ten, &Asset::EUR), "€0.10");
        assert_eq!(money(LocaleDto::Fr, ten, &Asset::EUR), "0,10\u{a0}€");
        assert_eq!(money(LocaleDto::En, Micros::from_micros(-2_500_000), &Asset::EUR), "-€2.50");
        let odd: Asset = "XAU".parse().unwrap_or(Asset::EUR);
        assert_eq!(money(LocaleDto::En, Micros::from_micros(1_234_567), &odd), "1.234567 XAU");
        assert_eq!(money(LocaleDto::Fr, Micros::from_micros(1_234_567), &odd), "1,234567\u{a0}XAU");
    }

    /// Every rule is worded in both languages, with its figures in the window's money format.
    #[test]
    fn every_reason_in_both_languages() {
        use strum::IntoEnumIterator as _;
        let figures = vec![
            Param::Origin(centime_protocol::Origin::of("https://a.example").unwrap()),
            Param::Price(Micros::from_micros(100_000)),
            Param::Max(Micros::from_micros(50_000)),
            Param::Total(Micros::from_micros(100_000)),
            Param::Cap(Micros::from_micros(50_000)),
            Param::Budget(Micros::from_micros(50_000)),
            Param::Period(Period::Week),
            Param::Spent(Micros::from_micros(50_000)),
            Param::Left(Micros::from_micros(50_000)),
            Param::Ceiling(Micros::from_micros(50_000)),
            Param::Asset(Asset::EUR),
            Param::Links(3),
            Param::Seconds(60),
        ];
        for code in ReasonCode::iter() {
            let r = Reason { code, params: figures.clone() };
            let (en, fr) = (reason(LocaleDto::En, &r, &Asset::USD), reason(LocaleDto::Fr, &r, &Asset::USD));
            assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{code}: {en} / {fr}");
            assert!(!en.contains("  ") && !en.contains(" .") && !en.contains(" ,"), "{code}: a figure missing: {en}");
        }
        let budget = Reason {
            code: ReasonCode::OverSiteBudget,
            params: vec![
                Param::Budget(Micros::from_micros(2_000_000)),
                Param::Period(Period::Month),
                Param::Spent(Micros::from_micros(1_950_000)),
                Param::Left(Micros::from_micros(50_000)),
                Param::Asset(Asset::EUR),
            ],
        };
        assert_eq!(
            reason(LocaleDto::En, &budget, &Asset::USD),
            "This site's allowance is €2.00 per month; €1.95 already spent, €0.05 left."
        );
        assert!(reason(LocaleDto::Fr, &budget, &Asset::USD).contains("2,00\u{a0}€ par mois"));
    }

    #[test]
    fn messages_in_both_languages() {
        let a = Amount::new(Micros::from_micros(100_000), Asset::EUR);
        assert_eq!(
            confirmed(LocaleDto::En, &a, "https://a.example"),
            "https://a.example confirmed your payment of €0.10"
        );
        assert_eq!(
            paid_automatically(LocaleDto::Fr, &a, "https://a.example"),
            "0,10\u{a0}€ payés à https://a.example automatiquement, selon vos règles"
        );
        assert_eq!(tray_balance(LocaleDto::Fr, &[]), "Solde : 0,00\u{a0}€");
    }
}
