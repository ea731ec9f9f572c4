-- Schema version 5: payments by resource (ADR 0016).
--
-- Every payment first asks whether its resource is already paid (`pay::already_paid_in`): the
-- latest payments of exactly that page. Without this index that is a scan of every entry of
-- the site, on the payment's hot path; with it, a few rows. Payments only: other kinds never
-- entitle anything.

CREATE INDEX journal_paid_resource ON journal (resource, id) WHERE kind = 'payment';
