-- Schema version 3: history at 1,000,000 entries (ADR 0012).

-- History pages are ordered by (at, id), newest first: an index on `at` (the row id is its
-- implicit last column) serves the unfiltered and time-range pages, `journal_site_at` the
-- per-site ones. Nothing filters by asset alone: the global daily cap's `at >= today` range
-- reads the few rows of the day through `journal_at`.
DROP INDEX journal_asset_at;
CREATE INDEX journal_at ON journal (at);
-- Credits, refunds and adjustments are a few percent of the journal: a partial index finds
-- them without walking the payments.
CREATE INDEX journal_kind_at ON journal (kind, at) WHERE kind <> 'payment';
-- Every payment whose status is not the usual `settled` (pending, unconfirmed, rejected).
DROP INDEX payments_unresolved;
CREATE INDEX payments_status ON payments (status) WHERE status <> 'settled';

-- Net spending per UTC day, site, network and asset: what the insight charts sum, kept in the
-- same transaction as each payment or refund row (journal::append), checked against the journal
-- by `verify`. Derived, so not MAC'd: an edit is found by `verify`, never trusted for money.
CREATE TABLE spending_days (
    day      INTEGER NOT NULL,
    site     TEXT NOT NULL,
    network  TEXT NOT NULL,
    asset    TEXT NOT NULL,
    spent    INTEGER NOT NULL,
    payments INTEGER NOT NULL CHECK (payments >= 0),
    PRIMARY KEY (day, site, network, asset)
) STRICT, WITHOUT ROWID;

INSERT INTO spending_days (day, site, network, asset, spent, payments)
SELECT at / 86400, COALESCE(site, ''), network, asset, -SUM(amount), SUM(kind = 'payment')
FROM journal WHERE kind IN ('payment', 'refund')
GROUP BY at / 86400, COALESCE(site, ''), network, asset;
