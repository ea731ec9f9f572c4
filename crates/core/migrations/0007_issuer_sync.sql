-- Schema version 7: the wallet's side of settlement (ADR 21 §7, ADR 22).
--
-- Where each network's issuer is reached. Kept outside the issuers' seal on purpose: the URL is
-- where a statement is asked for, never what it is trusted under (every statement is checked
-- under the sealed key), so a swapped URL can only deny a sync, and changing it needs no seal.
CREATE TABLE issuer_endpoints (
    network    TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- What the issuer said of each payment: when it settled it (the history's "settled at the
-- issuer"), and when a refund of a refused payment became final (its settlement deadline passed
-- with no settlement: never reversed after).
ALTER TABLE payments ADD COLUMN issuer_settled_at INTEGER;
ALTER TABLE payments ADD COLUMN refund_final_at INTEGER;

-- A network the wallet may not pay on until a sync lifts it: restored from a backup, behind the
-- issuer's statement, or its key revoked. Not sealed: removing a hold only lets the holder fork
-- his own key, which the issuer proves and revokes.
CREATE TABLE sync_holds (
    network TEXT PRIMARY KEY,
    reason  TEXT NOT NULL CHECK (reason IN ('restored', 'behind', 'revoked')),
    detail  TEXT,
    since   INTEGER NOT NULL
) STRICT;

-- The last sync of each network, as its result was shown (JSON), for the app's "last sync".
CREATE TABLE syncs (
    network TEXT PRIMARY KEY,
    at      INTEGER NOT NULL,
    result  TEXT NOT NULL
) STRICT;

-- Merchants that refused a payment and settled it anyway, with the evidence: the refusal as it
-- was stored and the statement's entry of the settlement.
CREATE TABLE flagged_merchants (
    payment_id      TEXT PRIMARY KEY REFERENCES payments (payment_id),
    network         TEXT NOT NULL,
    pay_to          TEXT NOT NULL,
    refusal         TEXT,
    settlement      TEXT NOT NULL,
    issuer_settled_at INTEGER NOT NULL,
    flagged_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX flagged_merchants_pay_to ON flagged_merchants (pay_to);
