"""Odesa region: DTEK Odesa Electric Networks, 12 queues (at times up to five sub-queues per queue)."""
