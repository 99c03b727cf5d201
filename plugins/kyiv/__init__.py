"""Kyiv city: DTEK Kyiv Electric Networks, 60 queues, schedules on the DTEK site and YASNO."""
