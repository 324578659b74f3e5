-- Issue 13: the provider's own session behind each support session (its id and the technician's
-- link, a credential never handed to a customer), every switch between providers (an amendment
-- to the consent: provider changed, when, by which technician), and what the provider's report
-- says really happened (start, end, duration), with a flag when it does not fit the consent.
ALTER TABLE sessions ADD COLUMN provider_session_id TEXT;
ALTER TABLE sessions ADD COLUMN technician_url TEXT;
CREATE TABLE provider_switches (
    id                  INTEGER PRIMARY KEY,
    session_code        TEXT NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    switched_at         TEXT NOT NULL,
    technician          TEXT NOT NULL,
    from_provider       TEXT NOT NULL,
    to_provider         TEXT NOT NULL,
    provider_session_id TEXT,
    join_url            TEXT NOT NULL,
    after_consent       INTEGER NOT NULL
);
CREATE INDEX provider_switches_session ON provider_switches (session_code, id);
CREATE TABLE session_reports (
    session_code        TEXT NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    provider            TEXT NOT NULL,
    provider_session_id TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'found', 'missing', 'failed')),
    attempts            INTEGER NOT NULL,
    next_check_at       TEXT,
    started_at          TEXT,
    ended_at            TEXT,
    duration_seconds    REAL,
    flag                TEXT CHECK (flag IN ('never_happened', 'started_before_consent')),
    detail              TEXT,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (session_code, provider_session_id)
);
CREATE INDEX session_reports_due ON session_reports (state, next_check_at);
