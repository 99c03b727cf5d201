"""Matching keys for street names, and cleaning of street names for display.

A stored street keeps the display name its DSO wrote. Lookups compare keys instead: lower case,
no apostrophes, Latin look-alike letters mapped to Cyrillic, and street-type and settlement words
removed, so that "вул. Лук'яненка", "Лукяненка вулиця" and "ЛУКЯНЕНКА" share one key.
The type word is kept apart by `street_type`, because "вул. X" and "пров. X" are two streets.
"""

import re
import unicodedata

# Apostrophe forms seen in DSO data and typed by users: ' ’ ʼ ` ‘ (and the prime ′).
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u2018\u2032")

# Lower-case Latin letters that look like Cyrillic ones. Upper case is folded first, so "B"
# becomes "в" (never "б") and "H" becomes "н".
_LOOKALIKES = str.maketrans("abcehikmoptxyï", "авсенікмортхуї")
_LOOKALIKE_LETTERS = frozenset("abcehikmoptxyï")

_CYRILLIC = re.compile(r"[а-яіїєґ]")

# Canonical street type -> its spellings, lower case and without the period.
_TYPE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "вулиця": ("вул", "вулиця", "ул", "вл"),
    "проспект": ("просп", "проспект", "пр-т", "пр"),
    "провулок": ("пров", "провул", "провулок"),
    "бульвар": ("бул", "бульв", "бульвар"),
    "площа": ("пл", "площа"),
    "набережна": ("наб", "набережна"),
    "узвіз": ("узвіз",),
    "шосе": ("шосе",),
    "проїзд": ("проїзд",),
    "тупик": ("туп", "тупик"),
    "майдан": ("майдан",),
    "алея": ("алея",),
    "лінія": ("лін", "лінія"),
    "масив": ("масив",),
    "садове товариство": ("с-т", "ст", "с/т"),
    "дорога": ("дорога",),
}
_TYPE_WORDS = {spelling: kind for kind, forms in _TYPE_SPELLINGS.items() for spelling in forms}

# Settlement words. The one-letter forms "м" and "с" are also initials ("вул. М. Коцюбинського"),
# so `_analyze_segment` drops them only where they qualify a street.
_SETTLEMENT_WORDS = frozenset({"місто", "село", "смт", "селище", "сел"})
_SETTLEMENT_INITIALS = frozenset({"м", "с"})

# Types whose word can be a street's whole name ("вул. Набережна", "Лінія 3").
_NAMING_TYPES = frozenset({"набережна", "лінія", "майдан", "площа", "алея", "дорога"})

_SEGMENT_SPLIT = re.compile(r"[,;()«»\"]+")
_TOKEN_SPLIT = re.compile(r"[\s.:!?№]+")
_DASHES = re.compile(r"\s*[\u2010-\u2015-]\s*")
_ORDINAL = re.compile(r"^(\d+)-?(?:а|я|й|ий|ій|та|ша|го|е)$")
_NUMBER_SUFFIX = re.compile(r"^(\d+)-(\w+)$")


def fold_text(text: str) -> str:
    """Fold case, apostrophes, dashes and Latin look-alikes, keeping every word.

    The result is lower case with single spaces. Settlement names and other qualifiers are
    compared with it where dropping type words would be wrong.
    """
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).casefold()
    text = _DASHES.sub("-", text)
    if _CYRILLIC.search(text):
        text = " ".join(_map_lookalikes(word) for word in text.split())
    return " ".join(text.replace(",", " ").split())


def _map_lookalikes(word: str) -> str:
    """Map Latin look-alikes to Cyrillic in a word made only of Cyrillic and look-alike letters."""
    latin = {ch for ch in word if "a" <= ch <= "z" or ch == "ï"}
    if not latin or not latin <= _LOOKALIKE_LETTERS:
        return word
    return word.translate(_LOOKALIKES)


def _segments(text: str) -> list[list[str]]:
    """Split folded text into comma- or bracket-separated parts, each a list of tokens."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).casefold()
    text = _DASHES.sub("-", text)
    parts = []
    for segment in _SEGMENT_SPLIT.split(text):
        tokens = [token for token in _TOKEN_SPLIT.split(segment) if token]
        if _CYRILLIC.search(text):
            tokens = [_map_lookalikes(token) for token in tokens]
        if tokens:
            parts.append(tokens)
    return parts


def _is_number(token: str) -> bool:
    return token[:1].isdigit()


def _analyze(text: str) -> tuple[list[str], str | None]:
    """Return the name tokens of a street and its canonical type (None when none is written)."""
    words: list[str] = []
    kinds: list[str] = []
    segments = _segments(text)
    for segment in segments:
        segment_words, segment_kinds = _analyze_segment(segment, qualified=len(segments) > 1)
        words.extend(segment_words)
        kinds.extend(segment_kinds)
    return _fold_numbers(words), _main_kind(kinds)


def _main_kind(kinds: list[str]) -> str | None:
    """Pick the street type when several are written: "вул. Набережно-Рибальська дорога" is a road.

    DTEK puts "вул." before names that carry their own type, so the other type wins.
    """
    specific = [kind for kind in kinds if kind != "вулиця"]
    if specific:
        return specific[0]
    return kinds[0] if kinds else None


def _analyze_segment(segment: list[str], *, qualified: bool) -> tuple[list[str], list[str]]:
    """Split one comma-separated part into name tokens and the canonical types written in it.

    A leading "м" or "с" is a settlement word only in a part that qualifies another part and
    has no type word ("вул. Соснова, с. Биківня"). Alone it is an initial ("С. Русової").
    """
    content: list[str] = []
    type_tokens: list[str] = []
    initial_is_settlement = qualified and not any(token in _TYPE_WORDS for token in segment)
    for position, token in enumerate(segment):
        if token in _TYPE_WORDS:
            type_tokens.append(token)
        elif token in _SETTLEMENT_WORDS or (
            initial_is_settlement and position == 0 and token in _SETTLEMENT_INITIALS
        ):
            continue
        else:
            content.append(token)
    kinds = [_TYPE_WORDS[token] for token in type_tokens]
    if any(not _is_number(token) for token in content):
        return content, kinds

    # Nothing but numbers is left, so a type word is the name itself ("Лінія 3", "вул. Набережна").
    naming = next((t for t in type_tokens if _TYPE_WORDS[t] in _NAMING_TYPES), None)
    if naming is None:
        return content, kinds
    naming_type = _TYPE_WORDS[naming]
    other_kinds = [_TYPE_WORDS[token] for token in type_tokens if token != naming]
    if not other_kinds and naming_type == "лінія":
        other_kinds = ["лінія"]
    return [naming_type, *content], other_kinds


def _fold_numbers(tokens: list[str]) -> list[str]:
    """Drop ordinal endings before a word ("47-а Садова") and hyphens in "205-а" at the end.

    An ending counts as ordinal when it has a hyphen or the number leads the name, so the house
    letter in "Садова 48А (Осокорки)" stays and that street never equals "Садова 48".
    """
    folded = []
    for index, token in enumerate(tokens):
        ordinal = _ORDINAL.match(token)
        suffix = _NUMBER_SUFFIX.match(token)
        if ordinal and index + 1 < len(tokens) and (index == 0 or "-" in token):
            token = ordinal.group(1)
        elif suffix:
            token = suffix.group(1) + suffix.group(2)
        folded.append(token)
    return folded


def street_key(text: str) -> str:
    """Return the matching key of a street name, in the word order the name was written.

    Type and settlement words are removed wherever they stand, unless nothing but numbers
    would be left: "Лінія 3" keeps its key "лінія 3", so it never equals "Лінія 4" or "3".
    """
    return " ".join(_analyze(text)[0])


def street_token_set(text: str) -> frozenset[str]:
    """Return the words of the street key, so that "Здановської Юлії" matches "Юлії Здановської"."""
    return frozenset(_analyze(text)[0])


def street_type(text: str) -> str | None:
    """Return the canonical street-type word written in the text, such as "провулок", or None."""
    return _analyze(text)[1]


_STRAY_SPACE_BEFORE = re.compile(r"\s+([,.;:)])")
_SPACE_AFTER_OPEN = re.compile(r"\(\s+")
_MISSING_SPACE_AFTER = re.compile(r"([,;])(?=\S)")
_ABBREVIATION_GLUED = re.compile(r"(?<![\w-])([А-ЯІЇЄҐа-яіїєґ]{1,6}\.)(?=[А-ЯІЇЄҐ\d])")
_BRACKET_GLUED = re.compile(r"(?<=\w)\(")
_SOCIETY_GLUED = re.compile(r"\b(СТ|КДТ)(?=[А-ЯІЇЄҐ][а-яіїєґ'’])")
_REPEATED_COMMAS = re.compile(r",(\s*,)+")
_TYPE_BEFORE_COMMA = re.compile(r"(?<!\w)(вул|пров|просп|бул|пл|наб),\s*(?=[А-ЯІЇЄҐ\d])")


def clean_street_name(raw: str) -> str:
    """Fold white space and fix punctuation of a street name for display, keeping its case.

    Doubled commas become one, spaces before punctuation go, a space follows a comma or an
    abbreviation glued to the next word ("вул.Садова" -> "вул. Садова"), and trailing commas go.
    """
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    text = _REPEATED_COMMAS.sub(",", text)
    text = _TYPE_BEFORE_COMMA.sub(r"\1. ", text)
    text = _STRAY_SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub("(", text)
    text = _MISSING_SPACE_AFTER.sub(r"\1 ", text)
    text = _ABBREVIATION_GLUED.sub(r"\1 ", text)
    text = _BRACKET_GLUED.sub(" (", text)
    text = _SOCIETY_GLUED.sub(r"\1 ", text)
    return text.strip(" ,;")


# Reverse of the national romanization table (Cabinet of Ministers resolution No. 55 of
# 27.01.2010). Each Latin spelling maps to its Cyrillic readings, most likely first. The table
# drops the soft sign and the apostrophe. The soft sign is restored only in the common endings
# "-ськ-", "-цьк-", "-зьк-" and "-льн-", so other words come back without it ("Lviv" -> "лвів").
_ROMAN_ANYWHERE: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "zgh": ("зг",),
    "tsk": ("цьк", "тськ", "цк"),
    "sk": ("ськ", "ск"),
    "zk": ("зьк", "зк"),
    "ln": ("льн", "лн"),
    "zh": ("ж",),
    "kh": ("х",),
    "ts": ("ц", "тс"),
    "ch": ("ч",),
    "sh": ("ш",),
    "ia": ("я", "іа"),
    "ie": ("є", "іе"),
    "iu": ("ю", "іу"),
    "g": ("ґ", "г"),
    "x": ("кс",),
    **{
        latin: (cyrillic,)
        for latin, cyrillic in zip(
            "abvhdezyklmnoprstufcjwq", "абвгдезиклмнопрстуфцйвк", strict=True
        )
    },
}
# At the start of a word the standard writes Є, Ї, Й, Ю, Я as ye, yi, y, yu, ya.
_ROMAN_WORD_START: dict[str, tuple[str, ...]] = {
    "ye": ("є",),
    "yi": ("ї",),
    "yu": ("ю",),
    "ya": ("я",),
    "yo": ("йо",),
    "y": ("й", "и"),
}
_VOWELS = frozenset("aeiouy")
_MAX_CANDIDATES = 8
_WORD = re.compile(r"[a-z]+|[^a-z]+")


def _readings(word: str, position: int) -> tuple[str, tuple[str, ...]]:
    """Return the longest Latin spelling at `position` and its Cyrillic readings."""
    if word[position] == "i" and word[position : position + 2] not in _ROMAN_ANYWHERE:
        return "i", _i_readings(word, position)
    table = _ROMAN_WORD_START if position == 0 else {}
    for size in (4, 3, 2, 1):
        chunk = word[position : position + size]
        if len(chunk) == size and (chunk in table or chunk in _ROMAN_ANYWHERE):
            return chunk, table.get(chunk) or _ROMAN_ANYWHERE[chunk]
    return word[position], (word[position],)


def _i_readings(word: str, position: int) -> tuple[str, ...]:
    """Order the readings of a lone "i": і after a consonant, й or ї after a vowel."""
    previous = word[position - 1] if position > 0 else ""
    if previous not in _VOWELS:
        return ("і", "ї", "й")
    at_end = position == len(word) - 1
    if previous == "y" and not at_end:
        return ("ї", "й", "і")
    if previous in "oi" and at_end:
        return ("ї", "й", "і")
    return ("й", "ї", "і")


def _word_candidates(word: str) -> list[tuple[int, str]]:
    """Return (cost, Cyrillic spelling) pairs for one Latin word, cheapest first."""
    beams: list[tuple[int, str]] = [(0, "")]
    position = 0
    while position < len(word):
        chunk, readings = _readings(word, position)
        beams = sorted(
            (cost + rank, text + reading)
            for cost, text in beams
            for rank, reading in enumerate(readings)
        )[: _MAX_CANDIDATES * 4]
        position += len(chunk)
    return beams


def transliterate_to_cyrillic_candidates(text: str) -> list[str]:
    """Return Ukrainian spellings of romanized text, most likely first.

    "Khreshchatyk" gives ["хрещатик"].

    The national table is not one-to-one ("i" is і, ї or й, and "ts" is ц or тс), so up to eight
    candidates are returned. Text without Latin letters is returned as its only candidate.
    """
    folded = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    spellings: list[tuple[int, str]] = [(0, "")]
    for part in _WORD.findall(folded):
        options = _word_candidates(part) if part[0].isascii() and part.isalpha() else [(0, part)]
        spellings = sorted(
            (cost + extra, text + piece) for cost, text in spellings for extra, piece in options
        )[: _MAX_CANDIDATES * 4]
    unique = list(dict.fromkeys(text for _, text in spellings))
    return unique[:_MAX_CANDIDATES]


# Standard Ukrainian ЙЦУКЕН layout on a US keyboard (the xkb "ua" layout): the key that types
# each ASCII character types the Ukrainian letter beside it.
# NOTE: Ґ sits on the backslash key here, as in xkb "ua". Some Windows layouts put it elsewhere.
_LAYOUT_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`\\" + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?|'
_LAYOUT_UKRAINIAN = "йцукенгшщзхїфівапролджєячсмитьбю.'ґ" + "ЙЦУКЕНГШЩЗХЇФІВАПРОЛДЖЄЯЧСМИТЬБЮ,Ґ"
_LAYOUT = str.maketrans(_LAYOUT_LATIN, _LAYOUT_UKRAINIAN)


def fix_keyboard_layout(text: str) -> str:
    """Retype text entered on the English layout as the Ukrainian layout reads it.

    "[htofnbr" becomes "хрещатик". Every mapped key is converted, punctuation included
    ("," is "б"), so call it only for input that was meant to be Ukrainian.
    """
    return text.translate(_LAYOUT)


# Kyiv city districts, plus the former Kyiv-Sviatoshynskyi raion of Kyiv region that DTEK also
# names, in the spelling the platform stores.
_KYIV_DISTRICTS = (
    "Голосіївський",
    "Дарницький",
    "Деснянський",
    "Дніпровський",
    "Оболонський",
    "Печерський",
    "Подільський",
    "Святошинський",
    "Солом'янський",
    "Шевченківський",
    "Києво-Святошинський",
)
_DISTRICT_WORD = r"(?:Києво-Свят|Голос|Дарн|Деснян|Дніпр|Обол|Печер|Поділ|Свят|Солом|Шевч)[\w'’ʼ-]*"
# A district at the start: "Дарницький р-н, ", "Дарн. р-н,", "Солом'янськийр-н,", "Дніпровський,".
_LEADING_DISTRICT = re.compile(
    rf"^(?P<district>{_DISTRICT_WORD})\.?\s*(?:(?:р-н|район)\.?)?\s*(?:(?<=н)|,|(?=вул|пров))"
    r"[\s,.-]*(?:м\s+(?=вул))?",
    re.IGNORECASE,
)
# A district as a later part: "Дніпров. р-н", "деснянськийр-н".
_DISTRICT_PART = re.compile(
    rf"^(?P<district>{_DISTRICT_WORD})\.?\s*(?:р-н|район)\.?$", re.IGNORECASE
)
_BARE_NUMBER = re.compile(r"^\d+\s*-?\s*[А-ЯІЇЄҐа-яіїєґ]?$")
_GLUED_SOCIETY = re.compile(r"\s+(?=(?:СТ|с/т|КДТ)\s+[А-ЯІЇЄҐ])")
# Types that name an area holding streets, so they qualify a street written beside them.
_LOCALITY_TYPES = frozenset({"садове товариство", "масив"})
_PARTS = re.compile(r"\s*[,()]\s*")


def _canonical_district(word: str) -> str | None:
    """Return the stored district name for a written or abbreviated district word."""
    stem = fold_text(word).removesuffix("р-н").rstrip(".-")
    if len(stem) < 4:
        return None
    matches = [name for name in _KYIV_DISTRICTS if fold_text(name).startswith(stem)]
    return matches[0] if len(matches) == 1 else None


def _street_score(part: str) -> int:
    """Rank a comma-separated part as the street: 2 with a street type word, 1 with a number."""
    kind = street_type(part)
    if kind is not None and kind not in _LOCALITY_TYPES:
        return 2
    return 1 if kind is None and re.search(r"\d", part) else 0


def split_kyiv_street_entry(raw: str) -> tuple[str, str | None, str | None]:
    """Split a Kyiv DTEK street-list entry into (street, district or None, qualifier or None).

    The qualifier is what DTEK wrote beside the street other than a district: a former village
    ("Бортничі", "с. Биківня"), a garden society, a tract, or an old name, joined with ", ".
    A number after the name stays in the street ("вул.Садова 191" -> "вул. Садова 191"),
    because the garden massifs have numbered streets ("Садова 1" to "Садова 211").
    """
    text = clean_street_name(raw)
    district = None
    leading = _LEADING_DISTRICT.match(text)
    if leading and (found := _canonical_district(leading.group("district"))):
        district, text = found, text[leading.end() :]

    parts: list[str] = []
    for part in _PARTS.split(_GLUED_SOCIETY.sub(", ", text)):
        part = part.strip(" .-")
        in_part = _DISTRICT_PART.match(part)
        if in_part and (found := _canonical_district(in_part.group("district"))):
            district = district or found
        elif part and _BARE_NUMBER.match(part) and parts:
            parts[-1] = f"{parts[-1]} {part}"
        elif part:
            parts.append(part)
    if not parts:
        return text, district, None

    street = max(parts, key=_street_score)
    qualifiers = [part for part in parts if part is not street]
    return street, district, ", ".join(qualifiers) or None


_UPPER_LOOKALIKES = str.maketrans("ABCEHIKMOPTXY", "АВСЕНІКМОРТХУ")
_LETTER_RUN = re.compile(r"\w+")


def replace_lookalikes(text: str) -> str:
    """Replace Latin look-alike letters inside Cyrillic words, keeping the letter case.

    Words without a Cyrillic letter stay as written, so a Latin street name is not altered.
    """

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _CYRILLIC.search(word.casefold()):
            return word
        return word.translate(_UPPER_LOOKALIKES).translate(_LOOKALIKES)

    return _LETTER_RUN.sub(fix, text)


_SOCIETY_PREFIX = re.compile(r"(?<![\w])(ст|кдт)(?=[а-яіїєґ]{3,})", re.IGNORECASE)


def split_glued_society(text: str) -> list[str]:
    """Return readings with a space after one glued garden-society abbreviation each.

    "ВУЛ. СТЕЦЕНКА 28 (СТАРТЕМІВЕЦЬ)" gives one reading per place where "СТ" may start a
    society name. In capitals the abbreviation cannot be told from a name that starts with the
    same letters ("СТЕЦЕНКА"), so callers try these readings only after the text as written.
    """
    return [text[: m.end(1)] + " " + text[m.end(1) :] for m in _SOCIETY_PREFIX.finditer(text)]
