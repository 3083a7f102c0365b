"""Data access for Genesys Cloud: credentials, tokens, a deadline-aware transport and the SDK calls."""
