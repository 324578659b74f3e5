-- The end of a consent's support session, as on SQLite: 'customer' (End support now: the consent
-- is withdrawn) or 'program_ended' (the provider's program ended by itself). One per consent.
CREATE TABLE withdrawals (
    receipt_id   text PRIMARY KEY REFERENCES consents (receipt_id) ON DELETE CASCADE,
    withdrawn_at text NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('customer', 'program_ended'))
);
