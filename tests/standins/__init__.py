"""Loopback stand-ins for the third-party services (Zoho Assist, TeamViewer): the only fakes in
the suite. They answer the shapes the providers document, and can be told to misbehave the ways
the real ones do (expired tokens, 401, 429, 5xx)."""
