"""Sending outside the app: e-mail (SMTP, or a maildir in the embedded stack) and signed
webhooks, with retries, the delivery log, digests, and disabling failing subscriptions.

The dispatcher (dispatcher.py) runs in its own thread and sends on a small thread pool, so a
slow receiver never holds up the consumer or the other deliveries. Deliveries are claimed with a
lease: several dispatchers (replicas) share the work, and a crashed one's claims are taken over
when their lease ends. Those the consumer creates are leased to its own process's dispatcher from
the start and handed to it after the commit, so they are sent without a claim. Delivery is at
least once: a crash after sending and before recording sends again, with the same
`X-Agreements-Delivery` id (webhooks) or Message-ID (e-mail).
"""
