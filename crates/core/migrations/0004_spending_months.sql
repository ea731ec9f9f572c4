-- Schema version 4: spending sums per month as well as per day (ADR 0012).
--
-- Month-by-site totals over a year of a heavy wallet read 12 x 300 rows here instead of
-- 365 x 300 day rows. Both tables now keep payments and refunds apart, so that a kind filter
-- is answered from them too. Derived data: rebuilt from the journal here, kept by
-- journal::append in the same transaction as each row, and checked by `verify`.

DROP TABLE spending_days;

CREATE TABLE spending_days (
    day      INTEGER NOT NULL,            -- Unix day (UTC): at / 86400
    site     TEXT NOT NULL,               -- '' for rows without a site
    network  TEXT NOT NULL,
    asset    TEXT NOT NULL,
    paid     INTEGER NOT NULL,            -- sum of the payments, positive micro-units
    refunded INTEGER NOT NULL,            -- sum of the refunds, positive micro-units
    payments INTEGER NOT NULL CHECK (payments >= 0),
    PRIMARY KEY (day, site, network, asset)
) STRICT, WITHOUT ROWID;

CREATE TABLE spending_months (
    month    INTEGER NOT NULL,            -- year * 12 + month - 1 (UTC)
    site     TEXT NOT NULL,
    network  TEXT NOT NULL,
    asset    TEXT NOT NULL,
    paid     INTEGER NOT NULL,
    refunded INTEGER NOT NULL,
    payments INTEGER NOT NULL CHECK (payments >= 0),
    PRIMARY KEY (month, site, network, asset)
) STRICT, WITHOUT ROWID;

INSERT INTO spending_days (day, site, network, asset, paid, refunded, payments)
SELECT at / 86400, COALESCE(site, ''), network, asset,
       SUM(CASE WHEN kind = 'payment' THEN -amount ELSE 0 END),
       SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END),
       SUM(kind = 'payment')
FROM journal WHERE kind IN ('payment', 'refund')
GROUP BY at / 86400, COALESCE(site, ''), network, asset;

INSERT INTO spending_months (month, site, network, asset, paid, refunded, payments)
SELECT CAST(strftime('%Y', at, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', at, 'unixepoch') AS INTEGER) - 1,
       COALESCE(site, ''), network, asset,
       SUM(CASE WHEN kind = 'payment' THEN -amount ELSE 0 END),
       SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END),
       SUM(kind = 'payment')
FROM journal WHERE kind IN ('payment', 'refund')
GROUP BY 1, COALESCE(site, ''), network, asset;
