"""Routers of the reporting service."""
