"""Use cases: what the service does, whatever event asked for it."""
