-- Issue 13: the provider's own session behind each support session (its id and the technician's
-- link, a credential never handed to a customer), every switch between providers (an amendment
-- to the consent: provider changed, when, by which technician), and what the provider's report
-- says really happened (start, end, duration), with a flag when it does not fit the consent.
ALTER TABLE sessions ADD COLUMN provider_session_id text;
ALTER TABLE sessions ADD COLUMN technician_url text;
CREATE TABLE provider_switches (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_code        text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    switched_at         text NOT NULL,
    technician          text NOT NULL,
    from_provider       text NOT NULL,
    to_provider         text NOT NULL,
    provider_session_id text,
    join_url            text NOT NULL,
    after_consent       integer NOT NULL
);
CREATE INDEX provider_switches_session ON provider_switches (session_code, id);
CREATE TABLE session_reports (
    session_code        text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    provider            text NOT NULL,
    provider_session_id text NOT NULL,
    state               text NOT NULL CHECK (state IN ('pending', 'found', 'missing', 'failed')),
    attempts            integer NOT NULL,
    next_check_at       text,
    started_at          text,
    ended_at            text,
    duration_seconds    double precision,
    flag                text CHECK (flag IN ('never_happened', 'started_before_consent')),
    detail              text,
    updated_at          text NOT NULL,
    PRIMARY KEY (session_code, provider_session_id)
);
CREATE INDEX session_reports_due ON session_reports (state, next_check_at);
