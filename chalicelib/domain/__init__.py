"""The domain: reports, statuses, tracking ids, identities. Pure Python, no I/O."""
