"""Street matching keys, types, transliteration and Kyiv street-list splitting."""

import json
import re
from collections import defaultdict
from collections.abc import Callable

import pytest

from core.addresses.index import settlement_key
from core.addresses.normalize import (
    clean_street_name,
    fix_keyboard_layout,
    fold_text,
    split_kyiv_street_entry,
    street_key,
    street_token_set,
    street_type,
    transliterate_to_cyrillic_candidates,
)
from core.addresses.search import query_keys
from tests.conftest import shared_file

KYIV_STREETS = "addresses/dtek-kem_streets_list_2026-01-29.json"
KYIV_REGISTRY = "addresses/kyiv_streets_registry_2020-10-25_projection.json"

# Street types of the Kyiv street registry, by its numeric `type` column.
REGISTRY_TYPES = {
    0: "вулиця",
    1: "провулок",
    2: "площа",
    3: "лінія",
    4: "проспект",
    5: "бульвар",
    6: "узвіз",
    7: "проїзд",
    8: "шосе",
    9: "дорога",
    10: "алея",
    11: "набережна",
    12: "тупик",
    13: "майдан",
}

TYPE_PREFIX = re.compile(
    r"(?<!\S)(вулиця|вул\.?|ул\.|пров\.|провул\.|провулок|просп\.|бул\.|наб\.|пл\.|узвіз|шосе"
    r"|проїзд|тупик|дорога|с-т|лін\.|Лінія|масив)(?=\s|$)\s*"
)
CYRILLIC_TO_LATIN = dict(zip("АВСЕНІКМОРТХасеіоркху", "ABCEHIKMOPTXaceiopkxy", strict=True))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("вул. Лук'яненка", "вул. Лукяненка"),
        ("вул. Лук’яненка", "Лукʼяненка"),
        ("вул. Лук`яненка", "вулиця Лук‘яненка"),
        ("вул. Здановської Юлії", "Здановської Юлії вул."),
        ("просп. Бажана Миколи", "проспект Бажана Миколи"),
        ("пр-т Бажана Миколи", "пр. Бажана Миколи"),
        ("бульв. Дружби Народів", "бульвар Дружби Народів"),
        ("вул. Сiчових Стрільців", "вул. Січових Стрільців"),
        ("BУЛ. KИЇВСЬКА", "вул. Київська"),
        ("вул. Соснова, с. Биківня", "Соснова (село Биківня)"),
        ("вул.  Оноре   де Бальзака", "вул. Оноре де Бальзака"),
        ("вул. 47-а Садова", "вул. 47 Садова"),
    ],
)
def test_street_key_matches_spelling_variants(first: str, second: str) -> None:
    assert street_key(first) == street_key(second)


def test_street_key_missing_apostrophe_matches() -> None:
    assert street_key("Лукяненка") == street_key("вул. Лук'яненка")


def test_street_key_keeps_line_number() -> None:
    assert street_key("Лінія 3") == "лінія 3"
    assert street_key("Лінія 3") != street_key("Лінія 4")
    assert street_key("Лінія 3") != street_key("3")


def test_street_key_keeps_type_word_name() -> None:
    assert street_key("вул. Набережна") == "набережна"
    assert street_key("Набережна вулиця") == "набережна"
    assert street_type("Набережна вулиця") == "вулиця"


def test_street_key_keeps_initials() -> None:
    assert street_key("вул. М. Коцюбинського") == "м коцюбинського"
    assert street_key("м. Київ, вул. Хрещатик") == "київ хрещатик"


def test_street_key_keeps_street_letter() -> None:
    assert street_key("вул. Садова 205-А") == "садова 205а"
    assert street_key("вул. Садова 205-А") != street_key("вул. Садова 205")


def test_street_token_set_ignores_word_order() -> None:
    assert street_token_set("вул. Здановської Юлії") == street_token_set("Юлії Здановської")
    assert street_key("вул. Здановської Юлії") != street_key("Юлії Здановської")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("вул. Мостова", "вулиця"),
        ("Мостова вулиця", "вулиця"),
        ("пров. Енергетиків", "провулок"),
        ("просп. Бажана Миколи", "проспект"),
        ("пр-т Перемоги", "проспект"),
        ("бул. Лесі Українки", "бульвар"),
        ("пл. Львівська", "площа"),
        ("наб. Дніпровська", "набережна"),
        ("Андріївський узвіз", "узвіз"),
        ("Столичне шосе", "шосе"),
        ("проїзд Квітневий", "проїзд"),
        ("тупик Фортечний", "тупик"),
        ("майдан Незалежності", "майдан"),
        ("алея Героїв", "алея"),
        ("Лінія 3", "лінія"),
        ("масив Пегетина гора", "масив"),
        ("с-т Озон", "садове товариство"),
        ("дорога Кільцева", "дорога"),
        ("Черняховського", None),
        ("м. Київ", None),
    ],
)
def test_street_type_finds_canonical_word(text: str, expected: str | None) -> None:
    assert street_type(text) == expected


def test_street_type_separates_street_from_lane() -> None:
    street, lane = "вул. Енергетиків", "пров. Енергетиків"

    assert street_key(street) == street_key(lane)
    assert (street_type(street), street_key(street)) != (street_type(lane), street_key(lane))


@pytest.mark.parametrize(
    ("latin", "expected"),
    [
        ("Khreshchatyk", "хрещатик"),
        ("Kyiv", "київ"),
        ("Zdanovskoi Yulii", "здановської юлії"),
        ("Yevhena Sverstiuka", "євгена сверстюка"),
        ("Zghurivska", "згурівська"),
        ("Andriia Shevchenka", "андрія шевченка"),
        ("Tsentralna", "центральна"),
        ("Yosypa Tyshchenka", "йосипа тищенка"),
        ("Zelenyi", "зелений"),
    ],
)
def test_transliteration_candidates_contain_spelling(latin: str, expected: str) -> None:
    assert expected in transliterate_to_cyrillic_candidates(latin)


def test_transliteration_ranks_unambiguous_spelling_first() -> None:
    assert transliterate_to_cyrillic_candidates("Khreshchatyk")[0] == "хрещатик"


def test_transliteration_limits_candidate_count() -> None:
    assert len(transliterate_to_cyrillic_candidates("Mariinska Mariinska Mariinska")) <= 8


def test_transliteration_keeps_cyrillic_text() -> None:
    assert transliterate_to_cyrillic_candidates("Хрещатик 22") == ["хрещатик 22"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("[htofnbr", "хрещатик"),
        ("Ker`zytyrf", "Лук'яненка"),
        ("Pljdcmrjs", "Здовськоі"),
        ("]dfyf", "ївана"),
        ("\\fnf", "ґата"),
        ("dek/ Cfljdf", "вул. Садова"),
    ],
)
def test_fix_keyboard_layout_maps_keys(typed: str, expected: str) -> None:
    assert fix_keyboard_layout(typed) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("вул.Садова 191", "вул. Садова 191"),
        ("Дарницький р-н,, вул. Підбірна", "Дарницький р-н, вул. Підбірна"),
        ("вул. Садова 2 , Осокорки", "вул. Садова 2, Осокорки"),
        ("вул.  Оноре  де Бальзака ", "вул. Оноре де Бальзака"),
        ("провул.Радистів(деснянськийр-н)", "провул. Радистів (деснянськийр-н)"),
        ("Ананасна СТБудівельник", "Ананасна СТ Будівельник"),
        ("Дніпровський р-н. вул, Садова 12,", "Дніпровський р-н. вул. Садова 12"),
        ("вул. Порічкова( СТ Арсеналець)", "вул. Порічкова (СТ Арсеналець)"),
    ],
)
def test_clean_street_name_fixes_spacing(raw: str, expected: str) -> None:
    assert clean_street_name(raw) == expected


def test_clean_street_name_keeps_case_and_apostrophe() -> None:
    assert clean_street_name("вул. Прип'ятська") == "вул. Прип'ятська"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Солом'янський р-н, вул. Мостова", ("вул. Мостова", "Солом'янський", None)),
        ("Шевченківський р-н,вул. Сонячна", ("вул. Сонячна", "Шевченківський", None)),
        ("Дарницький р-н,, вул. Підбірна", ("вул. Підбірна", "Дарницький", None)),
        ("Солом’янський,вул. Робітнича", ("вул. Робітнича", "Солом'янський", None)),
        ("Солом'янськийр-н,вул.Трояндова", ("вул. Трояндова", "Солом'янський", None)),
        ("Дніпровський р-нвул. Садова 33", ("вул. Садова 33", "Дніпровський", None)),
        ("Солом'янський р-н,м вул. Мостова", ("вул. Мостова", "Солом'янський", None)),
        ("Лінія 1, Дніпров. р-н", ("Лінія 1", "Дніпровський", None)),
        ("Києво-Свят р-н, вул. Озерна", ("вул. Озерна", "Києво-Святошинський", None)),
        ("вул.Садова 191", ("вул. Садова 191", None, None)),
        ("вул. Соснова, с. Биківня", ("вул. Соснова", None, "с. Биківня")),
        ("пров. 1-й Садовий (Бортничі)", ("пров. 1-й Садовий", None, "Бортничі")),
        ("провул.Радистів(деснянськийр-н)", ("провул. Радистів", "Деснянський", None)),
        (
            "Лінія 8 (Обол. р-н, КДТ Чорнобилець)",
            ("Лінія 8", "Оболонський", "КДТ Чорнобилець"),
        ),
        ("с-т Ентузіаст, вул. Ентузіастів 1", ("вул. Ентузіастів 1", None, "с-т Ентузіаст")),
        ("масив Пегетина гора, вул. Ідейна", ("вул. Ідейна", None, "масив Пегетина гора")),
        ("Святош.р-н,Садова 27 СТВідпочинок", ("Садова 27", "Святошинський", "СТ Відпочинок")),
        ("Дніпровський район, вул. Садова, 32", ("вул. Садова 32", "Дніпровський", None)),
        ("с-т Звя'язківець", ("с-т Звя'язківець", None, None)),
        ("вул. Мостова", ("вул. Мостова", None, None)),
    ],
)
def test_split_kyiv_street_entry(raw: str, expected: tuple[str, str | None, str | None]) -> None:
    assert split_kyiv_street_entry(raw) == expected


def _kyiv_streets() -> list[str]:
    entries = json.loads(shared_file(KYIV_STREETS).read_text(encoding="utf-8"))
    return [split_kyiv_street_entry(entry)[0] for entry in entries]


def _other_apostrophe(name: str) -> str:
    return name.translate(str.maketrans("'’ʼ", "’ʼ'"))


def _without_apostrophe(name: str) -> str:
    return re.sub("['’ʼ]", "", name)


def _split_type(name: str) -> tuple[str, str, int] | None:
    """Return (type word, rest, end of the type word), or None when it is the whole name.

    The type word is the whole name in "Лінія 3", so that name has no variant without it.
    """
    match = TYPE_PREFIX.search(name)
    if match is None:
        return None
    rest = (name[: match.start()] + name[match.end() :]).strip()
    if all(word[:1].isdigit() for word in rest.split()):
        return None
    return match.group(1), rest, match.end()


def _without_type(name: str) -> str:
    split = _split_type(name)
    return split[1] if split else name


def _type_after(name: str) -> str:
    split = _split_type(name)
    return f"{split[1]} {split[0]}" if split else name


def _one_latin_lookalike(name: str) -> str:
    """Replace the first Cyrillic letter after the type word that has a Latin twin."""
    split = _split_type(name)
    start = split[2] if split else 0
    for index in range(start, len(name)):
        if name[index] in CYRILLIC_TO_LATIN:
            return name[:index] + CYRILLIC_TO_LATIN[name[index]] + name[index + 1 :]
    return name


VARIANTS: dict[str, Callable[[str], str]] = {
    "other apostrophe": _other_apostrophe,
    "no apostrophe": _without_apostrophe,
    "no type word": _without_type,
    "type word after": _type_after,
    "capitals": str.upper,
    "one Latin look-alike": _one_latin_lookalike,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_street_key_real_kyiv_variants_all_match(variant: str) -> None:
    names = _kyiv_streets()
    make = VARIANTS[variant]

    misses = [name for name in names if street_key(make(name)) != street_key(name)]

    assert len(names) == 2626
    assert misses == []


def test_street_key_real_kyiv_variants_change_names() -> None:
    names = _kyiv_streets()

    changed = {label: sum(make(n) != n for n in names) for label, make in VARIANTS.items()}

    assert changed["capitals"] == 2626
    assert changed["one Latin look-alike"] == 2626
    assert changed["no type word"] == 2577
    assert changed["type word after"] == 2577
    assert changed["other apostrophe"] == 45


def test_street_key_real_kyiv_types_keep_streets_apart() -> None:
    by_key: dict[str, set[str | None]] = defaultdict(set)
    for name in _kyiv_streets():
        by_key[street_key(name)].add(street_type(name))

    shared = {key: kinds for key, kinds in by_key.items() if len(kinds) > 1}

    assert "енергетиків" in shared
    assert {"вулиця", "провулок"} <= shared["енергетиків"]


def test_street_key_registry_titles_never_collide() -> None:
    records = json.loads(shared_file(KYIV_REGISTRY).read_text(encoding="utf-8"))
    streets: dict[tuple[str | None, str], set[tuple[str, int]]] = defaultdict(set)
    for record in records:
        name = f"{REGISTRY_TYPES[record['type']]} {record['fullTitle']}"
        streets[(street_type(name), street_key(name))].add(
            (fold_text(record["fullTitle"]), record["type"])
        )

    collisions = {key: titles for key, titles in streets.items() if len(titles) > 1}

    assert len(streets) == 2599
    assert collisions == {}


def test_street_type_registry_type_is_found() -> None:
    records = json.loads(shared_file(KYIV_REGISTRY).read_text(encoding="utf-8"))

    wrong = [
        record["fullTitle"]
        for record in records
        if street_type(f"{REGISTRY_TYPES[record['type']]} {record['fullTitle']}")
        != REGISTRY_TYPES[record["type"]]
    ]

    assert wrong == []


def test_street_key_keeps_house_letter_before_qualifier() -> None:
    assert street_key("вул. Садова 48А (Осокорки)") != street_key("вул. Садова 48 (Осокорки)")


@pytest.mark.parametrize("query", ["1-", "1-г", "1-т", "вул. 1-ш"])
def test_partly_typed_ordinal_tries_number(query: str) -> None:
    assert "1" in query_keys(query)


def test_house_letter_keeps_its_key() -> None:
    assert query_keys("10г")[0] == "10г"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("м. Бровари", "бровари"),
        ("Бровари м.", "бровари"),
        ("селище Кринички", "кринички"),
        ("с. Селище", "селище"),
        ("смт Селище", "селище"),
        ("с. Нове Село", "нове село"),
        ("село Велике Селище", "велике селище"),
    ],
)
def test_settlement_key_keeps_name_words(name: str, key: str) -> None:
    assert settlement_key(name) == key
