"""Dnipropetrovsk region: DTEK Dnipro Electric Networks, 12 queues; part of the territory is served by another operator (ЦЕК)."""
