"""Identity: sessions, sign-in limits and revocations (issue #15)."""
