-- The schema of release 0.1 (main at e37e53b), which marked its files user_version 1.
CREATE TABLE sessions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 9),
    technician  TEXT NOT NULL,
    ticket      TEXT,
    join_url    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'consented', 'cancelled'))
);
CREATE TABLE consents (
    session_code TEXT PRIMARY KEY REFERENCES sessions (code),
    receipt_id   TEXT NOT NULL UNIQUE,
    reference    TEXT NOT NULL UNIQUE,
    record_json  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    answer_json  TEXT NOT NULL
);
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);
