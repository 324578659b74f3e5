-- The end of a consent's support session, reported by the customer's launcher with the receipt id:
-- 'customer' when they pressed End support now (the consent is withdrawn), 'program_ended' when
-- the provider's program on their computer ended by itself. One per consent: the first report
-- stands and a repeat is answered from it.
CREATE TABLE withdrawals (
    receipt_id   TEXT PRIMARY KEY REFERENCES consents (receipt_id) ON DELETE CASCADE,
    withdrawn_at TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('customer', 'program_ended'))
);
