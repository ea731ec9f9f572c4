//! What the backend itself says to the user (notifications, the tray menu), in the language the
//! window shows: the front end reports it with `set_locale` (the user's choice in Settings, or
//! the system's); before that, the system locale's. Amounts are written as the window writes
//! them: "€0.10" in English, "0,10 €" in French.

use centime_app_models::LocaleDto;
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
