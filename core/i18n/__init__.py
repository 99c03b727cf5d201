"""Message catalogs for customer- and staff-facing text: Ukrainian by default, English on request.

Message ids are the English texts. The Ukrainian catalog `uk.po` is read with Babel when first
needed, so no compile step is required after an install.
"""

import functools
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DEFAULT_LOCALE = "uk"
SUPPORTED_LOCALES = ("uk", "en")
_CATALOG_DIR = Path(__file__).parent


@functools.cache
def _catalog(locale: str) -> dict[str, str]:
    path = _CATALOG_DIR / f"{locale}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def translate(message: str, locale: str, **params: Any) -> str:
    """Return `message` in `locale`, formatted with `params`; English is the message id itself."""
    text = message if locale == "en" else _catalog(locale).get(message, message)
    return text.format(**params) if params else text


def negotiate_locale(accept_language: str | None, explicit: str | None = None) -> str:
    """Pick `uk` or `en` from an explicit `lang` choice, else the Accept-Language header.

    Ukrainian is the default when neither names a supported language.
    """
    if explicit in SUPPORTED_LOCALES:
        return explicit
    if not accept_language:
        return DEFAULT_LOCALE

    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        language = tag.strip().split("-")[0].lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if language in SUPPORTED_LOCALES:
            ranked.append((weight, language))
    if not ranked:
        return DEFAULT_LOCALE
    return max(ranked, key=lambda item: item[0])[1]
