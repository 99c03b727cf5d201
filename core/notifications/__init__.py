"""Subscriptions to schedule changes and the notifications sent through webhooks and e-mail.

A subscription names a building or a queue of a region and one channel. Each schedule version
that changes a subscribed queue writes one notification per subscription, with its outbox
row, in the import transaction. A dramatiq job then delivers it (see `core.jobs`).
"""
