-- Schema version 8: the merchant the issuer certified for a payment (ADR 21 §8, ADR 23).
--
-- Written once, in the payment's own transaction, from the certificate the wallet checked when
-- it paid: the name the history shows instead of the page's claim, the key its receipt must be
-- signed by, and until when the issuer vouched for it. The certificate itself stays in the
-- stored request (sealed by the journal row's `doc_hash`); `verify` checks these columns against
-- it. NULL for a payment whose offer carried no certificate, and for payments made before.
ALTER TABLE payments ADD COLUMN certified_name TEXT;
ALTER TABLE payments ADD COLUMN certified_receipt_key TEXT;
ALTER TABLE payments ADD COLUMN certified_until INTEGER;

CREATE TRIGGER payments_certified_once BEFORE UPDATE OF certified_name, certified_receipt_key, certified_until ON payments
WHEN OLD.certified_receipt_key IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a payment''s certified merchant is immutable'); END;
