"""House numbers as Ukrainian addresses write them: 12, 12А, 12/4, 34/1А, 12 корп. 2.

Sources spell one building in several ways (DTEK "71/З", YASNO "71З"), so a parsed
`HouseNumber` has one canonical `key` for equality and a `sort_key` for listing.
"""

import re
import unicodedata
from collections.abc import Iterable

import msgspec

# Ukrainian alphabet order, used to sort letters (Python's code point order puts Є, І, Ї before А).
_ALPHABET = "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"
_LETTER = "[АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯ]"

# Upper-case Latin letters typed in place of the Cyrillic letters they look like.
_LATIN_LOOKALIKES = str.maketrans("ABCEHIKMOPTXY", "АВСЕНІКМОРТХУ")

_PREFIX = re.compile(r"^(?:БУДИНОК|БУД\.?|Б\.|№)\s*")
_LETTER_WORD = re.compile(r"\s*,?\s*ЛІТ(?:ЕРА)?\.?\s*")
_HOUSE = re.compile(
    rf"""^(?P<number>\d{{1,5}})
    (?:\s*-?\s*(?P<letter>{_LETTER}))?
    (?:\s*/\s*(?P<after>\d{{1,4}}(?:\s*-?\s*{_LETTER})?|{_LETTER}))?
    (?:\s*,?\s*/?\s*(?:КОРПУС|КОРП|К)\s*\.?\s*(?P<block>\d{{1,3}}{_LETTER}?))?$""",
    re.VERBOSE,
)


class HouseNumber(msgspec.Struct, frozen=True):
    """A parsed house number.

    `fraction` is the part after "/" of a corner building ("4" in 12/4, "1А" in 34/1А), and
    `block` is the korpus ("2" in "12 корп. 2"). `letter` is one upper-case Cyrillic letter.
    """

    number: int
    letter: str = ""
    fraction: str = ""
    block: str = ""

    @property
    def key(self) -> str:
        """Canonical spelling used for equality: "12", "12А", "12/4", "34/1А", "12 к2"."""
        text = f"{self.number}{self.letter}"
        if self.fraction:
            text += f"/{self.fraction}"
        if self.block:
            text += f" к{self.block}"
        return text

    @property
    def sort_key(self) -> tuple[int, int, tuple[int, int], int, tuple[int, int]]:
        """Order for lists: 10, 10 к1, 10А, 10Д, 10/2, 10/2А, 10/15, then 11."""
        return (
            self.number,
            1 if self.fraction else 0,
            _part_rank(self.fraction),
            _letter_rank(self.letter),
            _part_rank(self.block),
        )


def _letter_rank(letter: str) -> int:
    return _ALPHABET.index(letter) if letter else -1


def _part_rank(part: str) -> tuple[int, int]:
    """Rank "15" or "1А" as (number, letter rank); an empty part ranks first."""
    digits = part.rstrip(_ALPHABET)
    return (int(digits) if digits else -1, _letter_rank(part[len(digits) :]))


def _prepare(text: str) -> str:
    """Fold case, Latin look-alikes, dashes and the words "буд." and "літ." out of the text."""
    folded = unicodedata.normalize("NFC", text).strip().upper().translate(_LATIN_LOOKALIKES)
    folded = re.sub(r"[\u2010-\u2015]", "-", folded)
    folded = _PREFIX.sub("", folded)
    return _LETTER_WORD.sub("", folded)


def parse_house_number(text: str) -> HouseNumber:
    """Parse a house number as DTEK, YASNO or a customer writes it.

    "12/4" is corner building 12 with fraction 4, never house 4. A "/" followed by one letter
    is the letter ("71/З" equals "71З"), and "31/КОРП.2" is block 2, not a fraction.
    Raises ValueError naming the text when it is not a house number.
    """
    match = _HOUSE.match(_prepare(text))
    if match is None:
        raise ValueError(
            f"{text!r} is not a house number. Use a form such as 12, 12А, 12/4 or 12 корп. 2"
        )

    number = int(match.group("number"))
    if number == 0:
        raise ValueError(f"{text!r} is not a house number: house numbers start at 1")
    letter = match.group("letter") or ""
    after = re.sub(r"[\s-]", "", match.group("after") or "")
    fraction = after
    if after.isalpha():
        if letter:
            raise ValueError(
                f"{text!r} has two letters ({letter} and {after}). A house number has one"
            )
        letter, fraction = after, ""
    return HouseNumber(number, letter, fraction, match.group("block") or "")


def _matches(query: HouseNumber, house: HouseNumber) -> bool:
    """Return whether every part the query gives equals that part of the house."""
    if query.number != house.number:
        return False
    if query.letter and query.letter != house.letter:
        return False
    if query.block and query.block != house.block:
        return False
    if not query.fraction:
        return True
    return house.fraction == query.fraction or (
        query.fraction.isdigit() and house.fraction.rstrip(_ALPHABET) == query.fraction
    )


def rank_house_matches(query: str, numbers: Iterable[str]) -> list[str]:
    """Return the numbers that the query names, as written, the exact match first.

    A search for "10" lists 10, then 10-А and 10-Д, then 10/2, and never 100. Trailing
    separators of a half-typed query ("10/") are ignored. An unparseable query matches nothing,
    and unparseable numbers in the list are skipped.
    """
    try:
        requested = parse_house_number(query.strip().rstrip("/-, "))
    except ValueError:
        return []

    found: list[tuple[bool, tuple[object, ...], int, str]] = []
    for position, written in enumerate(numbers):
        try:
            house = parse_house_number(written)
        except ValueError:
            continue
        if _matches(requested, house):
            found.append((house.key != requested.key, house.sort_key, position, written))
    found.sort()
    return [written for *_, written in found]
