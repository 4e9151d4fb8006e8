"""Routers of the notifications API: inbox, preferences, subscriptions, recipients, health."""
