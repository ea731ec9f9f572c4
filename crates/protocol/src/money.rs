//! Money: ISO 4217 assets and amounts in integer micro-units.
//!
//! Every amount inside Centime is an `i64` count of millionths of the asset's unit, so a
//! half-cent price (0.005 EUR = 5,000 micros) is exact and SQL `SUM`s stay exact.
//! `rust_decimal` is used only at the edges: parsing what people type and formatting what they
//! read. Serde writes money as strings and refuses JSON numbers.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Decimal places the wallet holds: one micro-unit is 10^-6 of the asset's unit.
pub const SCALE: u32 = 6;
const MICROS_PER_UNIT: i64 = 1_000_000;
/// Longest amount text we look at; anything longer is refused before parsing.
const MAX_AMOUNT_TEXT: usize = 64;

/// An ISO 4217 currency code: three ASCII capital letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Asset([u8; 3]);

impl Asset {
    /// The euro.
    pub const EUR: Asset = Asset(*b"EUR");
    /// The US dollar.
    pub const USD: Asset = Asset(*b"USD");

    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        // The constructor admits only ASCII capitals, so this cannot fail; fall back rather
        // than panic to keep library code panic-free.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Asset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Asset([b[0], b[1], b[2]]))
        } else {
            Err(Error::InvalidAsset(truncate(s)))
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Asset({})", self.as_str())
    }
}

impl Serialize for Asset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Asset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A signed count of micro-units (10^-6 of an asset's unit). Journal entries are signed;
/// prices and balances are never negative.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Micros(i64);

impl Micros {
    /// Nothing.
    pub const ZERO: Micros = Micros(0);

    /// `m` millionths.
    pub const fn from_micros(m: i64) -> Self {
        Micros(m)
    }

    /// The count of millionths.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// The sum, or an error on overflow.
    pub fn checked_add(self, o: Micros) -> Result<Micros> {
        self.0.checked_add(o.0).map(Micros).ok_or(Error::ArithmeticOverflow)
    }

    /// The difference, or an error on overflow.
    pub fn checked_sub(self, o: Micros) -> Result<Micros> {
        self.0.checked_sub(o.0).map(Micros).ok_or(Error::ArithmeticOverflow)
    }

    /// The opposite, or an error on overflow.
    pub fn checked_neg(self) -> Result<Micros> {
        self.0.checked_neg().map(Micros).ok_or(Error::ArithmeticOverflow)
    }

    /// More than zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Less than zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The exact decimal value in units of the asset.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, SCALE)
    }

    /// Parses an amount as a person types it: `0.10`, `0,10`, `.5`, `10`.
    ///
    /// Refused, each with its own error: empty text, a sign, an exponent, text that is not a
    /// number, thousands separators (`1,000.50`, `1 000`), a lone comma followed by exactly
    /// three digits after a non-zero integer part (`1,000`: a thousand or one?), more than six
    /// significant decimals, and values too large for the wallet.
    pub fn parse_user(input: &str) -> Result<Micros> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::EmptyAmount);
        }
        if s.len() > MAX_AMOUNT_TEXT {
            return Err(Error::AmountOverflow(truncate(s)));
        }
        if s.starts_with('-') || s.starts_with('\u{2212}') {
            return Err(Error::NegativeAmount(s.to_owned()));
        }
        let s = s.strip_prefix('+').unwrap_or(s);
        if s.chars().any(|c| c.is_whitespace() || c == '\'' || c == '_') {
            return Err(Error::ThousandsSeparator(s.to_owned()));
        }
        if s.contains(['e', 'E']) && s.chars().all(|c| c.is_ascii_digit() || ".,eE+-".contains(c)) {
            return Err(Error::ExponentInAmount(s.to_owned()));
        }
        if !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') || !s.contains(|c: char| c.is_ascii_digit()) {
            return Err(Error::NotANumber(truncate(s)));
        }
        let seps = s.matches(['.', ',']).count();
        if seps > 1 {
            return Err(Error::ThousandsSeparator(s.to_owned()));
        }
        if let Some((int, frac)) = s.split_once(',') {
            let int_nonzero = int.trim_start_matches('0').len();
            if frac.len() == 3 && (1..=3).contains(&int_nonzero) {
                return Err(Error::AmbiguousSeparator(s.to_owned()));
            }
        }
        let normalized = s.replace(',', ".");
        let normalized = if normalized.starts_with('.') { format!("0{normalized}") } else { normalized };
        let normalized = normalized.strip_suffix('.').unwrap_or(&normalized).to_owned();
        let d = Decimal::from_str_exact(&normalized).map_err(|e| match e {
            rust_decimal::Error::Underflow => Error::TooPrecise(s.to_owned()),
            rust_decimal::Error::ExceedsMaximumPossibleValue => Error::AmountOverflow(s.to_owned()),
            _ => Error::NotANumber(s.to_owned()),
        })?;
        Self::from_decimal(d).map_err(|e| match e {
            Error::TooPrecise(_) => Error::TooPrecise(s.to_owned()),
            _ => Error::AmountOverflow(s.to_owned()),
        })
    }

    /// Converts an exact decimal; more than six significant decimals is an error, never rounded.
    pub fn from_decimal(d: Decimal) -> Result<Micros> {
        let d = d.normalize();
        if d.scale() > SCALE {
            return Err(Error::TooPrecise(d.to_string()));
        }
        let scaled =
            d.checked_mul(Decimal::from(MICROS_PER_UNIT)).ok_or_else(|| Error::AmountOverflow(d.to_string()))?;
        // `scaled` is integral here: its scale was at most SCALE before multiplying by 10^SCALE.
        scaled.to_i64().map(Micros).ok_or_else(|| Error::AmountOverflow(d.to_string()))
    }

    /// Reads a wire amount: an integer string of minor units at `scale` (0..=6).
    pub fn from_wire(value: &str, scale: i64) -> Result<Micros> {
        let scale = check_scale(scale)?;
        let bad = || Error::InvalidWireAmount { value: truncate(value) };
        if value.is_empty()
            || value.len() > 19
            || !value.bytes().all(|b| b.is_ascii_digit())
            || (value.len() > 1 && value.starts_with('0'))
        {
            return Err(bad());
        }
        let minor: i64 = value.parse().map_err(|_| bad())?;
        let factor = 10i64.pow(SCALE - u32::from(scale));
        minor.checked_mul(factor).map(Micros).ok_or_else(|| Error::AmountOverflow(truncate(value)))
    }

    /// Writes this amount as a wire integer string at `scale`, exactly or not at all.
    pub fn to_wire(self, scale: u8) -> Result<String> {
        let scale = check_scale(i64::from(scale))?;
        if self.0 < 0 {
            return Err(Error::NegativeAmount(self.to_string()));
        }
        let factor = 10i64.pow(SCALE - u32::from(scale));
        if self.0 % factor != 0 {
            return Err(Error::InexactAtScale { amount: self.to_string(), scale });
        }
        Ok((self.0 / factor).to_string())
    }

    /// The smallest scale at which this amount is exact (for writing compact wire values).
    pub fn natural_scale(self) -> u8 {
        let mut scale = 6u8;
        let mut v = self.0;
        while scale > 0 && v % 10 == 0 {
            v /= 10;
            scale -= 1;
        }
        scale
    }
}

fn check_scale(scale: i64) -> Result<u8> {
    u8::try_from(scale).ok().filter(|s| u32::from(*s) <= SCALE).ok_or(Error::InvalidScale(scale))
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Display: the plain decimal with at least two places, trailing zeros beyond them trimmed
/// (`0.10`, `0.005`, `12.00`, `-0.02`). Locale-aware formatting is the UI's job.
impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let units = abs / 1_000_000;
        let frac = format!("{:06}", abs % 1_000_000);
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 { &frac[..2] } else { trimmed };
        write!(f, "{}{units}.{frac}", if neg { "-" } else { "" })
    }
}

impl fmt::Debug for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Micros({self})")
    }
}

/// Machine form of money in JSON: the decimal string, e.g. `"0.005"` or `"-0.10"`.
impl FromStr for Micros {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let ok_shape = !body.is_empty()
            && body.len() <= MAX_AMOUNT_TEXT
            && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && body.bytes().filter(|b| *b == b'.').count() <= 1
            && !body.starts_with('.')
            && !body.ends_with('.');
        if !ok_shape {
            return Err(Error::NotANumber(truncate(s)));
        }
        let d = Decimal::from_str_exact(body).map_err(|_| Error::AmountOverflow(truncate(s)))?;
        let m = Self::from_decimal(d)?;
        if neg { m.checked_neg() } else { Ok(m) }
    }
}

impl Serialize for Micros {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Micros {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Micros;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount as a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Micros, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Micros, E> {
                Err(E::custom(Error::MoneyNotAString))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Micros, E> {
                Err(E::custom(Error::MoneyNotAString))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Micros, E> {
                Err(E::custom(Error::MoneyNotAString))
            }
        }
        d.deserialize_any(V)
    }
}

/// An amount of one asset. Arithmetic refuses to mix assets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Amount {
    /// How much, in millionths.
    pub micros: Micros,
    /// Of which currency.
    pub asset: Asset,
}

impl Amount {
    /// `micros` of `asset`.
    pub const fn new(micros: Micros, asset: Asset) -> Self {
        Amount { micros, asset }
    }

    /// The sum; refused for two assets or on overflow.
    pub fn checked_add(self, o: Amount) -> Result<Amount> {
        self.same_asset(o)?;
        Ok(Amount::new(self.micros.checked_add(o.micros)?, self.asset))
    }

    /// The difference; refused for two assets or on overflow.
    pub fn checked_sub(self, o: Amount) -> Result<Amount> {
        self.same_asset(o)?;
        Ok(Amount::new(self.micros.checked_sub(o.micros)?, self.asset))
    }

    fn same_asset(self, o: Amount) -> Result<()> {
        if self.asset == o.asset {
            Ok(())
        } else {
            Err(Error::AssetMismatch(self.asset.to_string(), o.asset.to_string()))
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.micros, self.asset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64> {
        Micros::parse_user(s).map(Micros::get)
    }

    #[test]
    fn accepts_what_people_type() {
        assert_eq!(p("0.10").unwrap(), 100_000);
        assert_eq!(p("0,10").unwrap(), 100_000);
        assert_eq!(p(".5").unwrap(), 500_000);
        assert_eq!(p("10").unwrap(), 10_000_000);
        assert_eq!(p("0,005").unwrap(), 5_000);
        assert_eq!(p("1.000").unwrap(), 1_000_000);
        assert_eq!(p("0.000001").unwrap(), 1);
        assert_eq!(p("2.5000000").unwrap(), 2_500_000);
        assert_eq!(p(" 3 ").unwrap(), 3_000_000);
        assert_eq!(p("1234,5").unwrap(), 1_234_500_000);
    }

    #[test]
    fn refuses_each_bad_form_with_its_own_error() {
        assert_eq!(p(""), Err(Error::EmptyAmount));
        assert_eq!(p("   "), Err(Error::EmptyAmount));
        assert!(matches!(p("-1"), Err(Error::NegativeAmount(_))));
        assert!(matches!(p("1e3"), Err(Error::ExponentInAmount(_))));
        assert!(matches!(p("1E-2"), Err(Error::ExponentInAmount(_))));
        assert!(matches!(p("0.0000001"), Err(Error::TooPrecise(_))));
        assert!(matches!(p("NaN"), Err(Error::NotANumber(_))));
        assert!(matches!(p("inf"), Err(Error::NotANumber(_))));
        assert!(matches!(p("."), Err(Error::NotANumber(_))));
        assert!(matches!(p("1,000.50"), Err(Error::ThousandsSeparator(_))));
        assert!(matches!(p("1.000,50"), Err(Error::ThousandsSeparator(_))));
        assert!(matches!(p("1 000"), Err(Error::ThousandsSeparator(_))));
        assert!(matches!(p("1,000"), Err(Error::AmbiguousSeparator(_))));
        assert!(matches!(p("99999999999999999999"), Err(Error::AmountOverflow(_))));
        assert!(matches!(p("9223372036854.775808"), Err(Error::AmountOverflow(_))));
    }

    #[test]
    fn wire_round_trip_is_exact() {
        assert_eq!(Micros::from_wire("10", 2).unwrap().get(), 100_000);
        assert_eq!(Micros::from_wire("5", 3).unwrap().get(), 5_000);
        assert_eq!(Micros::from_wire("0", 6).unwrap().get(), 0);
        assert_eq!(Micros::from_micros(5_000).to_wire(3).unwrap(), "5");
        assert_eq!(Micros::from_micros(100_000).to_wire(2).unwrap(), "10");
        assert!(matches!(Micros::from_micros(5_000).to_wire(2), Err(Error::InexactAtScale { .. })));
        assert!(matches!(Micros::from_wire("1", 7), Err(Error::InvalidScale(7))));
        assert!(matches!(Micros::from_wire("-1", 2), Err(Error::InvalidWireAmount { .. })));
        assert!(matches!(Micros::from_wire("01", 2), Err(Error::InvalidWireAmount { .. })));
        assert!(matches!(Micros::from_wire("9223372036854775807", 0), Err(Error::AmountOverflow(_))));
        assert_eq!(Micros::from_micros(5_000).natural_scale(), 3);
        assert_eq!(Micros::from_micros(100_000).natural_scale(), 1);
    }

    #[test]
    fn display_keeps_two_places_and_sub_cents() {
        assert_eq!(Micros::from_micros(100_000).to_string(), "0.10");
        assert_eq!(Micros::from_micros(5_000).to_string(), "0.005");
        assert_eq!(Micros::from_micros(12_000_000).to_string(), "12.00");
        assert_eq!(Micros::from_micros(-20_000).to_string(), "-0.02");
        assert_eq!(Micros::from_micros(1).to_string(), "0.000001");
    }

    #[test]
    fn serde_is_a_string_and_numbers_are_refused() {
        let a = Amount::new(Micros::from_micros(5_000), Asset::EUR);
        let j = serde_json::to_string(&a).unwrap();
        assert_eq!(j, r#"{"micros":"0.005","asset":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Amount>(&j).unwrap(), a);
        assert!(serde_json::from_str::<Micros>("0.005").is_err());
        assert!(serde_json::from_str::<Micros>("5").is_err());
        assert_eq!(serde_json::from_str::<Micros>("\"-0.10\"").unwrap().get(), -100_000);
        assert!(serde_json::from_str::<Micros>("\"1e3\"").is_err());
    }

    #[test]
    fn arithmetic_is_checked_and_single_asset() {
        let a = Amount::new(Micros::from_micros(i64::MAX), Asset::EUR);
        assert_eq!(a.checked_add(Amount::new(Micros::from_micros(1), Asset::EUR)), Err(Error::ArithmeticOverflow));
        let usd = Amount::new(Micros::from_micros(1), Asset::USD);
        assert!(matches!(a.checked_sub(usd), Err(Error::AssetMismatch(..))));
    }

    #[test]
    fn assets_are_three_capitals() {
        assert_eq!("EUR".parse::<Asset>().unwrap(), Asset::EUR);
        for bad in ["eur", "EU", "EURO", "E1R", "", "ÉUR"] {
            assert!(bad.parse::<Asset>().is_err(), "{bad}");
        }
    }
}
