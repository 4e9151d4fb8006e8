"""HTTP API of the agreements service."""
