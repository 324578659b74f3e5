-- `prune --older-than DAYS` finds what is past the retention period without reading every row.
CREATE INDEX consents_received_at ON consents (received_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
