"""Temporal workflow definitions (orchestration only, deterministic) and their worker."""
