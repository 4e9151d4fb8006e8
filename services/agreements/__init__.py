"""Agreements service: drafting, dossier documents, submission, and their events."""
