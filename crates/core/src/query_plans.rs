//! The hot statements that name a kind or a status keep the partial indexes made for them. Their
//! words are in the statements' text, built from the enums: SQLite uses a partial index only
//! when the statement's own literal matches the index's condition, never for a bound parameter.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::details::{PAYMENT_OF, REFUND_OF};
use crate::entry::{EntryStatus, Kind};
use crate::history::HistoryFilter;
use crate::payments::{PAID_IN, Status};

fn plan(conn: &Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = std::iter::repeat_n(Value::Null, stmt.parameter_count());
    let rows = stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).unwrap();
    rows.collect::<rusqlite::Result<Vec<_>>>().unwrap().join("\n")
}

/// `sql` with the literal `word` bound as a parameter instead: what the index is lost to.
fn bound(sql: &str, word: &str) -> String {
    let literal = format!("'{word}'");
    assert!(sql.contains(&literal), "{sql}");
    sql.replace(&literal, "?99")
}

fn page(filter: HistoryFilter) -> String {
    filter.page_query(50, None).unwrap().0
}

#[test]
fn the_hot_statements_use_their_partial_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let conn = crate::sqlite::open(&dir.path().join("w.db"), true).unwrap();
    let payment = Kind::Payment.to_string();
    let credits = page(HistoryFilter { kind: Some(Kind::Credit), ..Default::default() });
    let pending = page(HistoryFilter { status: Some(EntryStatus::Pending), ..Default::default() });
    let cases = [
        ("already paid", PAID_IN.clone(), payment.clone(), "journal_paid_resource"),
        ("refund of a payment", REFUND_OF.clone(), Kind::Refund.to_string(), "journal_refund"),
        ("payment of a refund", PAYMENT_OF.clone(), payment.clone(), "journal_payment"),
        ("history of credits", credits, payment, "journal_kind_at"),
        ("history of pending payments", pending, Status::Settled.to_string(), "payments_status"),
    ];
    for (what, sql, word, index) in cases {
        let used = plan(&conn, &sql);
        assert!(used.contains(index), "{what}: {index} not used:\n{used}\n{sql}");
        let lost = plan(&conn, &bound(&sql, &word));
        assert!(!lost.contains(index), "{what}: {index} used with a bound parameter too:\n{lost}");
    }
}
