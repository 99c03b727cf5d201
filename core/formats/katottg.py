"""Reader for the state codifier of administrative-territorial units (KATOTTG), CSV export.

The export is `;`-separated UTF-8 with a header line and seven fields a row: the codes of
levels 1 to 4, the additional level (city districts), the category letter and the name.
A row's own code is its most specific non-empty code, and the codes before it name its
parents: level 2 is the raion, level 3 the hromada, level 4 the settlement. Kyiv is one
category K row with only a level-1 code, and its city districts (category B) repeat that code
in levels 1 to 4.
"""

import csv
import io
import re
from collections.abc import Collection, Iterator

import msgspec

from core.addresses.normalize import fold_text
from core.addresses.schemas import AddressBatch, SettlementRecord
from core.errors import SourceFormatError

# A code is "UA" and 17 digits: oblast, raion, hromada and settlement parts plus a check part.
_CODE = re.compile(r"UA\d{17}")
_CODE_PREFIX = re.compile(r"UA\d*")
_FIELD_COUNT = 7

# Settlement categories and the kind stored for each.
SETTLEMENT_KINDS = {
    "M": "місто",
    "X": "селище",
    "C": "село",
    "K": "місто зі спеціальним статусом",
}
# Other categories: O oblast, P raion, H hromada, B city district.
_CATEGORIES = frozenset({*SETTLEMENT_KINDS, "O", "P", "H", "B"})

# Header field names as folded text, so either apostrophe form matches.
_HEADER_START = (fold_text("Перший рівень"), fold_text("Другий рівень"))
_HEADER_CATEGORY = fold_text("Категорія об’єкта")


class _Row(msgspec.Struct, frozen=True):
    """One data row: its codes from level 1 to the additional level, category and name."""

    codes: tuple[str, ...]
    category: str
    name: str

    @property
    def code(self) -> str:
        return next(code for code in reversed(self.codes) if code)

    def level(self, number: int) -> str:
        return self.codes[number - 1]


def _is_header(fields: list[str]) -> bool:
    folded = [fold_text(field) for field in fields]
    return tuple(folded[:2]) == _HEADER_START and _HEADER_CATEGORY in folded


def _check_row(fields: list[str], *, file: str, line: int) -> _Row:
    """Validate one split line and return it as a row."""
    # A trailing separator makes an eighth, empty field, which some exports write.
    while len(fields) > _FIELD_COUNT and not fields[-1].strip():
        fields = fields[:-1]
    if len(fields) != _FIELD_COUNT:
        reason = f"expected {_FIELD_COUNT} fields separated by ';', found {len(fields)}"
        raise SourceFormatError(file=file, place=f"line {line}", reason=reason)

    codes = tuple(field.strip() for field in fields[:5])
    for code in codes:
        if code and not _CODE.fullmatch(code):
            reason = f"'{code}' is not a codifier code (UA and 17 digits)"
            raise SourceFormatError(file=file, place=f"line {line}", reason=reason)
    if not codes[0]:
        raise SourceFormatError(file=file, place=f"line {line}", reason="the level-1 code is empty")

    category = fields[5].strip()
    if category not in _CATEGORIES:
        known = ", ".join(sorted(_CATEGORIES))
        reason = f"unknown category '{category}' (expected one of {known})"
        raise SourceFormatError(file=file, place=f"line {line}", reason=reason)
    name = fields[6].strip()
    if not name:
        raise SourceFormatError(file=file, place=f"line {line}", reason="the name is empty")
    return _Row(codes=codes, category=category, name=name)


def _rows(text: str, *, file: str) -> Iterator[_Row]:
    """Yield the data rows of the file, skipping the header line and blank lines."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            if reader.line_num == 1 and _is_header(fields):
                continue
            yield _check_row(fields, file=file, line=reader.line_num)
    except csv.Error as error:
        place = f"line {reader.line_num}"
        raise SourceFormatError(file=file, place=place, reason=str(error)) from error


def _check_prefixes(region_prefixes: Collection[str]) -> tuple[str, ...]:
    prefixes = tuple(region_prefixes)
    for prefix in prefixes:
        if not _CODE_PREFIX.fullmatch(prefix):
            raise ValueError(f"'{prefix}' is not a codifier code prefix such as 'UA12'")
    return prefixes


def _settlement(
    row: _Row, names: dict[tuple[str, str], str], city_districts: dict[str, list[str]]
) -> SettlementRecord:
    """Build one settlement, naming its hromada and raion from the rows of its parent codes."""
    code = row.code
    return SettlementRecord(
        name=row.name,
        kind=SETTLEMENT_KINDS[row.category],
        katottg=code,
        hromada=names.get(("H", row.level(3))),
        district=names.get(("P", row.level(2))),
        city_districts=tuple(city_districts.get(code, ())),
    )


def read_katottg(
    text: str, *, file: str, region_prefixes: Collection[str] | None = None
) -> AddressBatch:
    """Read the settlements of a KATOTTG CSV export (categories M, X, C and K).

    Each settlement names its hromada (the H row of its level-3 code), its raion (the P row of
    its level-2 code) and its city districts (the B rows under its code), in file order. Names
    keep the codifier's spelling, apostrophe ’ included. `region_prefixes` such as ("UA12",)
    keeps the settlements whose code starts with one of them. Raises SourceFormatError with
    the line number for a row with a wrong field count, an invalid code or an unknown category,
    and ValueError for a prefix that is not "UA" and digits.
    """
    prefixes = _check_prefixes(region_prefixes) if region_prefixes is not None else None
    rows = list(_rows(text, file=file))

    names: dict[tuple[str, str], str] = {}
    city_districts: dict[str, list[str]] = {}
    for row in rows:
        if row.category in ("P", "H"):
            names[(row.category, row.code)] = row.name
        elif row.category == "B":
            city_districts.setdefault(row.level(4), []).append(row.name)

    settlements = [
        _settlement(row, names, city_districts)
        for row in rows
        if row.category in SETTLEMENT_KINDS and (prefixes is None or row.code.startswith(prefixes))
    ]
    return AddressBatch(source="katottg", settlements=tuple(settlements))


def detect_katottg(content: bytes) -> bool:
    """Tell whether a file is a KATOTTG CSV export, by its header line."""
    head = content[:4096]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The cut may split a letter at the end, so the text before the first invalid byte counts.
        text = head[: error.start].decode("utf-8-sig")
    first_line = text.splitlines()[0] if text else ""
    return _is_header(first_line.split(";"))
