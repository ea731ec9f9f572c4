-- Schema version 6: every payment's sequence number (ADR 21).
--
-- `seq` is signed into the authorization; this column is its index, so that the next payment's
-- number (one more than the highest) is found in the payment's own transaction and no number is
-- ever used twice: two different authorizations with one `seq` are a fork proof against the
-- wallet. Payments signed before this version carry none (NULL).

ALTER TABLE payments ADD COLUMN seq INTEGER CHECK (seq IS NULL OR seq >= 1);
CREATE UNIQUE INDEX payments_seq ON payments (seq) WHERE seq IS NOT NULL;

DROP TRIGGER payments_documents_fixed;
CREATE TRIGGER payments_documents_fixed BEFORE UPDATE OF journal_id, payment_id, request, authorization, offer, valid_before, seq ON payments
BEGIN SELECT RAISE(ABORT, 'stored payment documents are immutable'); END;
