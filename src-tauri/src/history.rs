//! History commands' work: pages, summary, insights, entry details, and the export to a file
//! with progress events and cancel. The figures come from the core; this converts them.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use centime_app_models::{
    CertifiedMerchantDto, ClaimDto, DocumentDto, DocumentKind, EntryDetailsDto, ExportArgs, ExportFormatDto,
    ExportProgressDto, ExportResultDto, HistoryFilterDto, HistoryPageDto, HistorySummaryDto, InsightsDto, SpendDto,
    StatusChangeDto, SummaryTotalDto, events,
};
use centime_core::history::{ExportFormat, HistoryFilter, Total, parse_time};
use centime_core::{SignedDocument, Wallet};
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

/// One page of the filtered history, newest first.
pub fn page(w: &Wallet, filter: &HistoryFilterDto, cursor: Option<&str>, limit: u32) -> AppResult<HistoryPageDto> {
    let page = w.history(&filter_of(filter)?, usize::try_from(limit).unwrap_or(50), cursor)?;
    Ok(HistoryPageDto { entries: page.entries.iter().map(convert::entry).collect(), next: page.next })
}

pub fn summary(w: &Wallet, filter: &HistoryFilterDto) -> AppResult<HistorySummaryDto> {
    let s = w.summary(&filter_of(filter)?)?;
    let totals = s
        .totals
        .iter()
        .map(|t| SummaryTotalDto { asset: t.asset.to_string(), spent: t.spent.to_string(), payments: t.payments })
        .collect();
    Ok(HistorySummaryDto { count: s.count, totals })
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

pub fn insights(w: &Wallet, filter: &HistoryFilterDto) -> AppResult<InsightsDto> {
    let i = w.insights(&filter_of(filter)?)?;
    Ok(InsightsDto {
        by_day: i.by_day.iter().map(|t| spend(t, 0)).collect(),
        by_month: i.by_month.iter().map(|t| spend(t, 0)).collect(),
        by_site: i.by_site.iter().map(|s| spend(&s.total, s.share_bp)).collect(),
    })
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

fn signed(kind: DocumentKind, d: &SignedDocument) -> DocumentDto {
    let header = d.header.iter().map(|c| ClaimDto { name: format!("header.{}", c.name), value: c.value.clone() });
    let claims = d.claims.iter().map(|c| ClaimDto { name: c.name.clone(), value: c.value.clone() });
    DocumentDto {
        kind,
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
        documents.push(DocumentDto { kind: DocumentKind::Request, raw: raw.clone(), claims, signature_valid: None });
    }
    let signed_ones = [
        (DocumentKind::Authorization, &d.authorization),
        (DocumentKind::Receipt, &d.receipt),
        (DocumentKind::CreditNote, &d.credit_note),
    ];
    for (kind, doc) in signed_ones {
        if let Some(doc) = doc {
            documents.push(signed(kind, doc));
        }
    }
    Ok(EntryDetailsDto {
        entry: convert::entry(&d.entry),
        merchant_name: d.merchant_name.clone(),
        certified: d
            .certified
            .as_ref()
            .map(|m| CertifiedMerchantDto { name: m.name.clone(), issuer: m.issuer.clone() }),
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

/// Writes the filtered rows to `args.path` whole or not at all (the core's
/// `ExportReader::export_to_file`), emitting `export-progress` to the main window. The wallet
/// is locked only while the export's own read connection opens: payments and the window's
/// reads go on meanwhile. One export at a time; `cancel_export` stops it and nothing is left
/// at the destination.
pub fn export(app: &AppHandle, state: &Arc<AppState>, args: &ExportArgs) -> AppResult<ExportResultDto> {
    let dest = PathBuf::from(&args.path);
    if !dest.is_absolute() {
        return Err(AppError::Invalid(format!("{} is not an absolute path", dest.display())));
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
    let reader = state.with_wallet(|w| Ok(w.export_reader()?))?;
    let rows = reader.export_to_file(&filter, format, &dest, &mut |p| {
        let _ = app.emit_to("main", events::EXPORT_PROGRESS, ExportProgressDto { rows: p.rows, total: p.total });
        if state.cancel_export.load(Ordering::SeqCst) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })?;
    Ok(ExportResultDto { rows, path: dest.display().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

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
