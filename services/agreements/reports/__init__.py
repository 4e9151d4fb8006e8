"""The report pages' access to the reporting service (its own API, port 8003)."""
