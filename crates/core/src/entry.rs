//! The words of a journal entry: what it records ([`Kind`]) and where it stands
//! ([`EntryStatus`]), and how a column holding one is read.

/// What a journal row records. Its `Display`/`FromStr` form is the `kind` column, byte for
/// byte; `topup` is read as `credit`, the name earlier versions and people use.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "EntryKind"))]
pub enum Kind {
    /// Money from an issuer's credit note (a top-up).
    #[strum(to_string = "credit", serialize = "topup")]
    Credit,
    /// Money paid to a merchant: negative.
    Payment,
    /// A refused payment credited back: positive, held until its authorization expires.
    Refund,
    /// A correction to a balance: a refund reversed when its merchant settled anyway.
    Adjustment,
    /// Money sent to another wallet: a send, or a request this wallet paid (it carries the
    /// request's id then). Negative; an unredeemed one comes back as a [`Kind::Refund`].
    TransferOut,
    /// Money another wallet sent, redeemed at the issuer. Positive.
    TransferIn,
}

/// Where a journal entry stands, as the history shows and filters it: a payment's
/// [`crate::Status`], or `posted` for what has nothing to settle (credits, refunds, adjustments).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum EntryStatus {
    /// Debited and signed; the merchant's answer is not recorded yet.
    Pending,
    /// The merchant accepted the payment.
    Settled,
    /// The merchant refused it; a refund credited it back.
    Rejected,
    /// The merchant's answer was lost: asked again with the same authorization.
    Unconfirmed,
    /// Every entry that is not a payment: it has no status of its own.
    Posted,
}

impl From<crate::payments::Status> for EntryStatus {
    fn from(s: crate::payments::Status) -> Self {
        use crate::payments::Status as S;
        match s {
            S::Pending => EntryStatus::Pending,
            S::Settled => EntryStatus::Settled,
            S::Rejected => EntryStatus::Rejected,
            S::Unconfirmed => EntryStatus::Unconfirmed,
        }
    }
}

/// A column holding a word of a vocabulary ([`Kind`], [`EntryStatus`], [`crate::Status`]): a
/// word this version does not write reads as a conversion failure, never as a default.
pub(crate) fn word<T>(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr<Err = strum::ParseError>,
{
    let s: String = r.get(idx)?;
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}
