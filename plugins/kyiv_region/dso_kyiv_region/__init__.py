"""Kyiv region: DTEK Kyiv Regional Electric Networks, 12 queues, settlement -> street -> house."""
