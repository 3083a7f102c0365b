"""Sets custom participant data on a live Genesys Cloud conversation (see README.md)."""
