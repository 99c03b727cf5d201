"""Donetsk region: DTEK Donetsk Electric Networks, 12 queues; the day schedule has been stale since 2024 while the weekly template stays current."""
