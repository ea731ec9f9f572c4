-- Schema version 9: payments between wallets (issue 16; docs/p2p and ADR 25, 27).
--
-- The journal learns two kinds: `transfer_out` (a send, or a request this wallet paid:
-- negative) and `transfer_in` (money another wallet sent, redeemed at the issuer: positive).
-- Its CHECK constraints only widen, so the table keeps its rows, indexes and triggers: the
-- wallet rewrites the two constraints in place (crate::migrate::widen_journal_kinds) rather
-- than copying every row of a journal that may hold a million.
-- centime:widen-journal-kinds

CREATE UNIQUE INDEX journal_transfer_out ON journal (payment_id) WHERE kind = 'transfer_out';
CREATE UNIQUE INDEX journal_transfer_in ON journal (network, ref) WHERE kind = 'transfer_in';

-- People this wallet pays or is paid by: a name for a wallet key. Each row carries a MAC (its
-- name, key and rule) and the set of rows a MAC in `meta.contacts_digest`, bound to the
-- journal's head like the rules (ADR 15): a key swapped under a friend's name, a rule raised
-- or a contact put back from an older copy is refused before anything is paid by it.
CREATE TABLE contacts (
    -- The name folded to lower case: names are unique whatever their case.
    folded          TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    wallet_key      TEXT NOT NULL UNIQUE,
    -- A rule for this contact's requests: paid without asking up to `max_per_request` each and
    -- `monthly_cap` a calendar month (UTC). Without one, every request is asked.
    auto_pay        INTEGER NOT NULL DEFAULT 0 CHECK (auto_pay IN (0, 1)),
    max_per_request INTEGER CHECK (max_per_request > 0),
    monthly_cap     INTEGER CHECK (monthly_cap > 0),
    added_at        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    mac             BLOB NOT NULL,
    CHECK (auto_pay = 0 OR (max_per_request IS NOT NULL AND monthly_cap IS NOT NULL))
) STRICT;

-- What this wallet sent (a `transfer_out` row each): the signed transfer, its authorization
-- inside, kept whole. `pending` until the recipient redeems it (`redeemed`, learnt from the
-- issuer's statement) or its authorization expires unredeemed (`returned`: a refund row
-- credits it back, final at once since the issuer never settles it after).
CREATE TABLE transfers (
    journal_id        INTEGER PRIMARY KEY REFERENCES journal (id),
    payment_id        TEXT NOT NULL UNIQUE,
    seq               INTEGER NOT NULL UNIQUE,
    recipient         TEXT NOT NULL,
    request_id        TEXT,
    -- The authorization inside the transfer, as signed: what the issuer's statement lists
    -- when the recipient redeems it (a different one under this id is a fork).
    authorization     TEXT NOT NULL,
    transfer          TEXT NOT NULL,
    valid_before      INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'redeemed', 'returned')),
    -- The short code the issuer gave at deposit, when it was deposited (set once).
    code              TEXT,
    issuer_settled_at INTEGER,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX transfers_pending ON transfers (valid_before) WHERE status = 'pending';
CREATE TRIGGER transfers_documents_fixed BEFORE UPDATE OF journal_id, payment_id, seq, recipient, request_id, authorization, transfer, valid_before ON transfers
BEGIN SELECT RAISE(ABORT, 'stored transfer documents are immutable'); END;
CREATE TRIGGER transfers_status_moves BEFORE UPDATE OF status ON transfers
WHEN NOT (OLD.status = NEW.status OR (OLD.status = 'pending' AND NEW.status IN ('redeemed', 'returned')))
BEGIN SELECT RAISE(ABORT, 'a transfer moves only from pending, once'); END;
CREATE TRIGGER transfers_code_once BEFORE UPDATE OF code ON transfers
WHEN OLD.code IS NOT NULL AND NEW.code IS NOT OLD.code
BEGIN SELECT RAISE(ABORT, 'a transfer keeps the code it was given'); END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are never deleted'); END;

-- What this wallet received (a `transfer_in` row each, its credit note in `credits` under
-- `t_<paymentId>` like any credit, so that statements and restores know it): who sent it, the
-- request it paid, and the transfer as redeemed.
CREATE TABLE received_transfers (
    journal_id INTEGER PRIMARY KEY REFERENCES journal (id),
    payment_id TEXT NOT NULL UNIQUE,
    sender     TEXT NOT NULL,
    request_id TEXT,
    transfer   TEXT NOT NULL
) STRICT;
CREATE TRIGGER received_transfers_no_update BEFORE UPDATE ON received_transfers
BEGIN SELECT RAISE(ABORT, 'received transfers are immutable'); END;
CREATE TRIGGER received_transfers_no_delete BEFORE DELETE ON received_transfers
BEGIN SELECT RAISE(ABORT, 'received transfers are never deleted'); END;

-- Requests this wallet made, kept to show them and to know which one a transfer paid.
CREATE TABLE requests (
    request_id TEXT PRIMARY KEY,
    network    TEXT NOT NULL,
    asset      TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    purpose    TEXT NOT NULL,
    request    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
