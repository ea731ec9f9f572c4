-- Schema version 2: each payment document is stored once (ADR 0010).
--
-- `payments` kept the request, the accepted offer, the authorization and the whole
-- PAYMENT-SIGNATURE header: four overlapping copies. Now it keeps the request and the
-- authorization (and later the receipt) once each, compressed by the wallet (crate::stored),
-- and the index of the accepted offer in the request; the offer and the header are derived.
-- Rows are keyed by their journal row, and status events by that integer, not by the
-- payment id text. A column of type ANY holds a compressed BLOB, or TEXT taken as is.
--
-- The tables are rebuilt: renamed, recreated, refilled by the wallet between the two halves
-- of this file (the compression needs Rust), and the old ones dropped. It all runs in the
-- one BEGIN IMMEDIATE transaction of the migration: a failure leaves version 1 untouched.

ALTER TABLE payment_events RENAME TO payment_events_v1;
ALTER TABLE payments RENAME TO payments_v1;

CREATE TABLE payments (
    journal_id    INTEGER PRIMARY KEY REFERENCES journal (id),
    payment_id    TEXT NOT NULL UNIQUE,
    -- The payment's request (PaymentRequired JSON) and signed authorization (compact JWS).
    request       ANY NOT NULL,
    authorization ANY NOT NULL,
    -- Index of the accepted offer in request.accepts.
    offer         INTEGER NOT NULL CHECK (offer >= 0),
    valid_before  INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'settled', 'rejected', 'unconfirmed')),
    -- The merchant's signed receipt (compact JWS), once settled with one.
    receipt       ANY,
    detail        TEXT,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE payment_events (
    id         INTEGER PRIMARY KEY,
    journal_id INTEGER NOT NULL REFERENCES payments (journal_id),
    at         INTEGER NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT
) STRICT;

-- centime:repack-payments

INSERT INTO payment_events (id, journal_id, at, status, detail)
SELECT e.id, p.journal_id, e.at, e.status, e.detail
FROM payment_events_v1 e JOIN payments_v1 p ON p.payment_id = e.payment_id
ORDER BY e.id;

DROP TABLE payment_events_v1;
DROP TABLE payments_v1;

-- Only the payments whose outcome is unknown are looked up by status (on start, for the
-- reminder of unresolved payments); the history's status filter walks the journal.
CREATE INDEX payments_unresolved ON payments (status) WHERE status IN ('pending', 'unconfirmed');

CREATE TRIGGER payments_status_moves BEFORE UPDATE OF status ON payments
WHEN NOT (
    (OLD.status = 'pending' AND NEW.status IN ('settled', 'rejected', 'unconfirmed'))
    OR (OLD.status = 'unconfirmed' AND NEW.status IN ('settled', 'rejected', 'unconfirmed'))
    OR (OLD.status = NEW.status)
)
BEGIN SELECT RAISE(ABORT, 'this payment status change is not allowed'); END;
CREATE TRIGGER payments_documents_fixed BEFORE UPDATE OF journal_id, payment_id, request, authorization, offer, valid_before ON payments
BEGIN SELECT RAISE(ABORT, 'stored payment documents are immutable'); END;
-- A receipt is written once, when the payment settles.
CREATE TRIGGER payments_receipt_once BEFORE UPDATE OF receipt ON payments
WHEN OLD.receipt IS NOT NULL AND NEW.receipt IS NOT OLD.receipt
BEGIN SELECT RAISE(ABORT, 'a stored receipt is immutable'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END;

CREATE INDEX payment_events_payment ON payment_events (journal_id);
CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;
CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
BEGIN SELECT RAISE(ABORT, 'payment events are append-only'); END;
