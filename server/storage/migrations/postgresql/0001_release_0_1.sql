-- The schema of release 0.1, as on SQLite. Times stay ISO-8601 UTC text ('2026-12-01T08:00:00Z',
-- whole seconds), which sorts as time does, so both engines compare and return them alike.
CREATE TABLE sessions (
    code        text PRIMARY KEY CHECK (length(code) = 9),
    technician  text NOT NULL,
    ticket      text,
    join_url    text NOT NULL,
    provider    text NOT NULL,
    created_at  text NOT NULL,
    expires_at  text NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'consented', 'cancelled'))
);
-- One consent per session (the primary key) and one per receipt id (UNIQUE): the database, not
-- a server process, refuses a second one, whichever process tries.
CREATE TABLE consents (
    session_code text PRIMARY KEY REFERENCES sessions (code),
    receipt_id   text NOT NULL UNIQUE,
    reference    text NOT NULL UNIQUE,
    record_json  text NOT NULL,
    received_at  text NOT NULL,
    answer_json  text NOT NULL
);
CREATE TABLE secrets (
    name   text PRIMARY KEY,
    value  bytea NOT NULL
);
