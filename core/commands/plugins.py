"""`dso plugins list`."""

import argparse

from core.plugins import build_plugin_manager
from core.settings import Settings


def list_plugins(settings: Settings, _args: argparse.Namespace) -> int:
    registry = build_plugin_manager(settings)
    rows = [("REGION", "PLUGIN", "VERSION", "STATE", "WHY")]
    rows += [
        (s.region, s.plugin, s.version, "enabled" if s.enabled else "disabled", s.reason)
        for s in registry.statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
        )
    return 0
