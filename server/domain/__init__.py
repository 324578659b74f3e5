"""The rules of sessions and consents, with no HTTP: refusals are exceptions (:mod:`.refusals`)."""
