"""Core default hook implementations. Region plugins override them; they answer last."""

from core.hookspecs import hookimpl


@hookimpl
def dso_clean_street_name(name: str) -> str:
    return " ".join(name.split())
