"""`make bench`: cold start, warm latency and memory measured side by side (see bench/run.py)."""
