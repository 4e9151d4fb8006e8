"""Shared package: reference data, calendar, events and plumbing used by every service."""
