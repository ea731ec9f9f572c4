-- Centime wallet schema, version 1. Every amount is an INTEGER of micro-units (10^-6).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE issuers (
    network    TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    name       TEXT,
    added_at   INTEGER NOT NULL
) STRICT;

-- The journal is append-only: one row per movement of money, chained by an HMAC.
CREATE TABLE journal (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('credit', 'payment', 'refund', 'adjustment')),
    network      TEXT NOT NULL,
    asset        TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount <> 0),
    site         TEXT,
    resource     TEXT,
    title        TEXT,
    counterparty TEXT,
    payment_id   TEXT,
    ref          TEXT,
    doc_hash     BLOB,
    mac          BLOB NOT NULL,
    CHECK ((kind = 'payment') = (amount < 0) OR kind = 'adjustment')
) STRICT;

CREATE UNIQUE INDEX journal_payment ON journal (payment_id) WHERE kind = 'payment';
CREATE UNIQUE INDEX journal_refund ON journal (ref) WHERE kind = 'refund';
CREATE UNIQUE INDEX journal_credit ON journal (network, ref) WHERE kind = 'credit';
CREATE INDEX journal_site_at ON journal (site, at);
CREATE INDEX journal_asset_at ON journal (asset, at);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

CREATE TABLE balances (
    network TEXT NOT NULL,
    asset   TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    PRIMARY KEY (network, asset)
) STRICT;

-- One row per payment: the documents and the current status. Status changes are also
-- appended to payment_events, which is append-only like the journal.
CREATE TABLE payments (
    payment_id    TEXT PRIMARY KEY,
    journal_id    INTEGER NOT NULL UNIQUE REFERENCES journal (id),
    request       TEXT NOT NULL,
    accepted      TEXT NOT NULL,
    authorization TEXT NOT NULL,
    header        TEXT NOT NULL,
    valid_before  INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'settled', 'rejected', 'unconfirmed')),
    receipt       TEXT,
    detail        TEXT,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX payments_status ON payments (status, journal_id);

CREATE TRIGGER payments_status_moves BEFORE UPDATE OF status ON payments
WHEN NOT (
    (OLD.status = 'pending' AND NEW.status IN ('settled', 'rejected', 'unconfirmed'))
    OR (OLD.status = 'unconfirmed' AND NEW.status IN ('settled', 'rejected', 'unconfirmed'))
    OR (OLD.status = NEW.status)
)
BEGIN SELECT RAISE(ABORT, 'this payment status change is not allowed'); END;
CREATE TRIGGER payments_documents_fixed BEFORE UPDATE OF payment_id, journal_id, request, accepted, authorization, header ON payments
BEGIN SELECT RAISE(ABORT, 'stored payment documents are immutable'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END;

CREATE TABLE payment_events (
    id         INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (payment_id),
    at         INTEGER NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT
) STRICT;
CREATE INDEX payment_events_payment ON payment_events (payment_id);
CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;
CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;

-- Redeemed credit notes, kept whole.
CREATE TABLE credits (
    network    TEXT NOT NULL,
    credit_id  TEXT NOT NULL,
    journal_id INTEGER NOT NULL UNIQUE REFERENCES journal (id),
    note       TEXT NOT NULL,
    PRIMARY KEY (network, credit_id)
) STRICT;

-- Spending rules. Each row carries an HMAC so that an edit outside Centime is detected.
CREATE TABLE sites (
    origin          TEXT PRIMARY KEY,
    blocked         INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    auto_pay        INTEGER NOT NULL DEFAULT 0 CHECK (auto_pay IN (0, 1)),
    max_per_payment INTEGER CHECK (max_per_payment > 0),
    budget          INTEGER CHECK (budget > 0),
    period          TEXT CHECK (period IN ('day', 'week', 'month')),
    updated_at      INTEGER NOT NULL,
    mac             BLOB NOT NULL,
    CHECK ((budget IS NULL) = (period IS NULL))
) STRICT;

CREATE TABLE limits (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    paused          INTEGER NOT NULL CHECK (paused IN (0, 1)),
    auto_pay_under  INTEGER NOT NULL CHECK (auto_pay_under >= 0),
    daily_cap       INTEGER NOT NULL CHECK (daily_cap > 0),
    max_per_payment INTEGER NOT NULL CHECK (max_per_payment > 0),
    mac             BLOB NOT NULL
) STRICT;
