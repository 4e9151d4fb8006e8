"""The notifications service: who must be told what, rendered in Vietnamese or English, delivered
by in-app inbox, e-mail and signed webhooks."""
