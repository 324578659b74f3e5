-- The wrong-code limit counted in the database (server.domain.shared_limits), so the processes on
-- one database share one budget per client and a lock-out survives a restart. failed_at: seconds
-- since the epoch; only failures still inside the limit's window are kept.
CREATE TABLE wrong_codes (
    client_key  text NOT NULL,
    failed_at   double precision NOT NULL
);
CREATE INDEX wrong_codes_client ON wrong_codes (client_key, failed_at);
CREATE INDEX wrong_codes_age ON wrong_codes (failed_at);
