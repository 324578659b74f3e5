-- The technician console (issue 14): accounts, their set-password links, console logins, API
-- tokens, who opened each session for which customer, and the launcher's step events.
CREATE TABLE technicians (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    created_at    TEXT NOT NULL
);
CREATE TABLE password_links (
    token_digest  TEXT PRIMARY KEY,
    technician_id TEXT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    expires_at    TEXT NOT NULL
);
CREATE TABLE console_logins (
    id_digest     TEXT PRIMARY KEY,
    technician_id TEXT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX console_logins_by_technician ON console_logins (technician_id);
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    technician_id TEXT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    token_digest  TEXT NOT NULL UNIQUE,
    tail          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_by_technician ON api_tokens (technician_id);
CREATE TABLE session_owners (
    code           TEXT PRIMARY KEY REFERENCES sessions (code) ON DELETE CASCADE,
    technician_id  TEXT REFERENCES technicians (id) ON DELETE SET NULL,
    customer_name  TEXT,
    customer_email TEXT
);
CREATE INDEX session_owners_by_technician ON session_owners (technician_id);
CREATE TABLE step_events (
    event_id     TEXT PRIMARY KEY,
    session_code TEXT NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    step         TEXT NOT NULL,
    details_json TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX step_events_by_session ON step_events (session_code, seq);
CREATE INDEX sessions_by_created ON sessions (created_at);
