-- Networks locked out by the wrong-code limit (server.domain.limits), so a restart keeps them.
-- One row per network key (an IPv4 address, an IPv6 /64 or /48); `until` is ISO-8601 UTC text.
CREATE TABLE lockouts (
    network TEXT PRIMARY KEY,
    until   TEXT NOT NULL
);
CREATE INDEX lockouts_until ON lockouts (until);
