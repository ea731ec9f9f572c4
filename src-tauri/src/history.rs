//! History commands: summary, sites, insights, entry details, and the export to a file with
//! progress events and cancel.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use centime_app_models::{
    ClaimDto, DocumentDto, EntryDetailsDto, ExportArgs, ExportFormatDto, ExportProgressDto, ExportResultDto,
    HistoryFilterDto, HistorySummaryDto, InsightsDto, SpendDto, StatusChangeDto, SummaryTotalDto, events,
};
use centime_core::history::{ExportFormat, GroupBy, HistoryFilter, Total, parse_time};
use centime_core::{SignedDocument, Wallet};
use centime_protocol::Micros;
use tauri::{AppHandle, Emitter as _};

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The core's filter for the UI's: empty choices are no condition.
pub fn filter_of(f: &HistoryFilterDto) -> AppResult<HistoryFilter> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(HistoryFilter {
        since: nonempty(&f.since).as_deref().map(parse_time).transpose()?,
        until: nonempty(&f.until).as_deref().map(parse_time).transpose()?,
        site: nonempty(&f.site),
        kind: f.kind,
        status: f.status,
        search: nonempty(&f.search),
    })
}

fn add(a: Micros, b: Micros) -> AppResult<Micros> {
    a.get().checked_add(b.get()).map(Micros::from_micros).ok_or_else(|| AppError::Internal("a total overflowed".into()))
}

/// Totals per asset: (asset, spent, payments), in asset order.
fn per_asset(totals: &[Total]) -> AppResult<Vec<(String, Micros, i64)>> {
    let mut by: BTreeMap<String, (Micros, i64)> = BTreeMap::new();
    for t in totals {
        let slot = by.entry(t.asset.to_string()).or_insert((Micros::from_micros(0), 0));
        slot.0 = add(slot.0, t.spent)?;
        slot.1 = slot.1.saturating_add(t.payments);
    }
    Ok(by.into_iter().map(|(a, (s, n))| (a, s, n)).collect())
}

pub fn summary(w: &Wallet, f: &HistoryFilter) -> AppResult<HistorySummaryDto> {
    let count = w.count(f)?;
    let totals = per_asset(&w.totals(f, GroupBy::Month)?)?
        .into_iter()
        .map(|(asset, spent, payments)| SummaryTotalDto { asset, spent: spent.to_string(), payments })
        .collect();
    Ok(HistorySummaryDto { count, totals })
}

/// Sites that appear in the history or have a rule, sorted.
pub fn sites(w: &Wallet) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = w
        .totals(&HistoryFilter::default(), GroupBy::Site)?
        .into_iter()
        .map(|t| t.key)
        .filter(|k| !k.is_empty())
        .collect();
    out.extend(w.sites()?.into_iter().map(|r| r.origin));
    out.sort();
    out.dedup();
    Ok(out)
}

fn spend(t: &Total, share_bp: u32) -> SpendDto {
    SpendDto {
        key: t.key.clone(),
        asset: t.asset.to_string(),
        spent: t.spent.to_string(),
        payments: t.payments,
        share_bp,
    }
}

/// A part of a whole in basis points (0..=10000), exact integer arithmetic.
pub fn share_bp(part: Micros, whole: Micros) -> u32 {
    if whole.get() <= 0 || part.get() <= 0 {
        return 0;
    }
    let bp = i128::from(part.get()) * 10_000 / i128::from(whole.get());
    u32::try_from(bp.clamp(0, 10_000)).unwrap_or(0)
}

pub fn insights(w: &Wallet, f: &HistoryFilter) -> AppResult<InsightsDto> {
    let by_day = w.totals(f, GroupBy::Day)?.iter().map(|t| spend(t, 0)).collect();
    let by_month = w.totals(f, GroupBy::Month)?.iter().map(|t| spend(t, 0)).collect();
    let sites = w.totals(f, GroupBy::Site)?;
    let whole: BTreeMap<String, Micros> = per_asset(&sites)?.into_iter().map(|(a, s, _)| (a, s)).collect();
    let mut ranked: Vec<&Total> = sites.iter().collect();
    ranked.sort_by(|a, b| b.spent.get().cmp(&a.spent.get()).then_with(|| a.key.cmp(&b.key)));
    let by_site = ranked
        .into_iter()
        .map(|t| {
            let total = whole.get(&t.asset.to_string()).copied().unwrap_or(Micros::from_micros(0));
            spend(t, share_bp(t.spent, total))
        })
        .collect();
    Ok(InsightsDto { by_day, by_month, by_site })
}

/// The members of a JSON value as dotted names (`accepts.0.amount`), strings as they are.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<ClaimDto>) {
    let name = |k: &str| if prefix.is_empty() { k.to_owned() } else { format!("{prefix}.{k}") };
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                flatten(&name(k), v, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(&name(&i.to_string()), v, out);
            }
        }
        serde_json::Value::String(s) => out.push(ClaimDto { name: prefix.to_owned(), value: s.clone() }),
        other => out.push(ClaimDto { name: prefix.to_owned(), value: other.to_string() }),
    }
}

fn signed(kind: &str, d: &SignedDocument) -> DocumentDto {
    let header = d.header.iter().map(|c| ClaimDto { name: format!("header.{}", c.name), value: c.value.clone() });
    let claims = d.claims.iter().map(|c| ClaimDto { name: c.name.clone(), value: c.value.clone() });
    DocumentDto {
        kind: kind.into(),
        raw: d.compact.clone(),
        claims: header.chain(claims).collect(),
        signature_valid: Some(d.signature_valid),
    }
}

pub fn details(w: &Wallet, id: i64) -> AppResult<EntryDetailsDto> {
    let d = w.entry_details(id)?;
    let mut documents = Vec::new();
    if let Some(raw) = &d.request {
        let mut claims = Vec::new();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) {
            flatten("", &v, &mut claims);
        }
        documents.push(DocumentDto { kind: "request".into(), raw: raw.clone(), claims, signature_valid: None });
    }
    for (kind, doc) in [("authorization", &d.authorization), ("receipt", &d.receipt), ("credit_note", &d.credit_note)] {
        if let Some(doc) = doc {
            documents.push(signed(kind, doc));
        }
    }
    Ok(EntryDetailsDto {
        entry: convert::entry(&d.entry),
        status_history: d
            .events
            .iter()
            .map(|e| StatusChangeDto { status: e.status, at: e.at.clone(), detail: e.detail.clone() })
            .collect(),
        documents,
        compensation: d.refund.as_ref().map(convert::entry),
        compensates: d.refund_of.as_ref().map(convert::entry),
    })
}

/// Clears the "an export is running" flag however the export ends.
struct Running(Arc<AppState>);
impl Drop for Running {
    fn drop(&mut self) {
        self.0.exporting.store(false, Ordering::SeqCst);
    }
}

/// Writes the filtered rows to `args.path` (through a temporary file renamed on success),
/// emitting `export-progress` to the main window. One export at a time; `cancel_export`
/// stops it and nothing is left at the destination.
pub fn export(app: &AppHandle, state: &Arc<AppState>, args: &ExportArgs) -> AppResult<ExportResultDto> {
    let dest = PathBuf::from(&args.path);
    if !dest.is_absolute() {
        return Err(AppError::Invalid(format!("{} is not an absolute path", dest.display())));
    }
    if dest.is_dir() {
        return Err(AppError::Invalid(format!("{} is a directory", dest.display())));
    }
    let filter = filter_of(&args.filter)?;
    let format = match args.format {
        ExportFormatDto::Csv => ExportFormat::Csv,
        ExportFormatDto::Json => ExportFormat::Json,
    };
    if state.exporting.swap(true, Ordering::SeqCst) {
        return Err(AppError::Invalid("an export is already running".into()));
    }
    let _running = Running(state.clone());
    state.cancel_export.store(false, Ordering::SeqCst);

    // Written beside the destination and renamed over it once complete, readable by the user
    // alone: a cancelled or failed export leaves nothing at the destination.
    let rows = centime_core::files::write_private(&dest, |file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        let rows = state.with_wallet(|w| {
            let total = w.count(&filter)?;
            let _ = app.emit_to("main", events::EXPORT_PROGRESS, ExportProgressDto { rows: 0, total });
            let rows = w.export_with_progress(&filter, format, &mut out, &mut |rows| {
                let _ = app.emit_to("main", events::EXPORT_PROGRESS, ExportProgressDto { rows, total });
                if state.cancel_export.load(Ordering::SeqCst) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })?;
            Ok(rows)
        })?;
        out.flush().map_err(|e| AppError::Internal(format!("writing the export: {e}")))?;
        Ok::<_, AppError>(rows)
    })?;
    Ok(ExportResultDto { rows, path: dest.display().to_string() })
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

    #[test]
    fn requests_flatten_to_dotted_names() {
        let v = serde_json::json!({"x402Version": 2, "accepts": [{"amount": "0.05", "extra": {"name": "A"}}]});
        let mut out = Vec::new();
        flatten("", &v, &mut out);
        let pairs: Vec<(&str, &str)> = out.iter().map(|c| (c.name.as_str(), c.value.as_str())).collect();
        assert_eq!(pairs, [("accepts.0.amount", "0.05"), ("accepts.0.extra.name", "A"), ("x402Version", "2")]);
    }

    #[test]
    fn empty_filter_fields_are_no_condition() {
        let f = filter_of(&HistoryFilterDto {
            since: Some(" ".into()),
            until: Some("2026-11-24".into()),
            site: Some(String::new()),
            kind: Some(centime_core::Kind::Payment),
            status: None,
            search: Some("  ".into()),
        })
        .unwrap_or_default();
        assert_eq!(f.since, None);
        assert_eq!(f.until, Some(1_795_478_400));
        assert_eq!(f.site, None);
        assert_eq!(f.kind, Some(centime_core::Kind::Payment));
        assert_eq!(f.search, None);
    }
}
