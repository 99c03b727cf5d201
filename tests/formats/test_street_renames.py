"""Street renames reader (Dnipro's rename.dp.ua file) and resolution of rename chains."""

import json
from functools import cache
from typing import Any

import pytest

from core.addresses.schemas import AddressBatch, RenameRecord
from core.errors import SourceFormatError
from core.formats.street_renames import (
    detect_street_renames,
    read_district_renames,
    read_street_renames,
    rename_key,
    resolve_rename_chains,
    typed_name,
)
from tests.conftest import shared_file

RENAMES = "addresses/dnipro_city_street_renames_rename.dp.ua.json"
NORTH = "Амур-Нижньодніпровський"
TYPE_WORDS = (
    "вул.",
    "пров.",
    "просп.",
    "бул.",
    "пл.",
    "наб.",
    "тупик",
    "узвіз",
    "масив",
    "парк",
    "станція",
    "озеро",
    "острів",
)
NAMING_WORDS = ("набережна", "парк", "плесо")


@cache
def _document() -> Any:
    return json.loads(shared_file(RENAMES).read_text(encoding="utf-8"))


@cache
def _real() -> AddressBatch:
    return read_street_renames(_document(), file="rename.json", settlement="Дніпро")


@cache
def _resolved() -> dict[tuple[str | None, str, str | None], str]:
    return resolve_rename_chains(_real().renames)


def _area(*objects: Any, old: str = "Жовтневий", new: str = "Соборний") -> Any:
    return {
        "lastUpdate": 1771960163000,
        "r63": {"oldAreaName": old, "newAreaName": new, "objects": list(objects)},
    }


def _rename(old: str, new: str, district: str | None = NORTH) -> RenameRecord:
    return RenameRecord(old_name=old, new_name=new, settlement="Дніпро", district=district)


@pytest.mark.parametrize(
    ("name", "object_type", "written"),
    [
        ("Баглія", "street", "вул. Баглія"),
        ("Подєбрадський", "lane", "пров. Подєбрадський"),
        ("Дмитра Яворницького", "avenue", "просп. Дмитра Яворницького"),
        ("Кельнський", "boulevard", "бул. Кельнський"),
        ("Троїцька", "square", "пл. Троїцька"),
        ("ім. В.І. Леніна", "embankment", "наб. ім. В.І. Леніна"),
        ("Січеславська набережна", "embankment", "Січеславська набережна"),
        ("Яснозорий", "impasse", "тупик Яснозорий"),
        ("Кодацький", "slope", "узвіз Кодацький"),
        ("Ломівський", "area", "масив Ломівський"),
        ("Амурський парк", "park", "Амурський парк"),
        ("Сосновий", "park", "парк Сосновий"),
        ("Дніпро-Ліски", "station", "станція Дніпро-Ліски"),
        ("Затишна", "lake", "озеро Затишна"),
        ("Плесо Ломівське", "lake", "Плесо Ломівське"),
        ("Водник", "island", "острів Водник"),
    ],
)
def test_street_renames_type_words(name: str, object_type: str, written: str) -> None:
    assert typed_name(name, object_type) == written


def test_street_renames_real_count() -> None:
    assert len(_real().renames) == 921


def test_street_renames_every_new_name_has_type_word() -> None:
    untyped = [
        rename.new_name
        for rename in _real().renames
        if not rename.new_name.startswith(TYPE_WORDS)
        and not any(word in rename.new_name.casefold().split() for word in NAMING_WORDS)
    ]

    assert untyped == []


def test_street_renames_settlement_and_district() -> None:
    first = _real().renames[0]

    assert first == _rename("вул. Баглія", "вул. Брацлавська")


def test_street_renames_new_type_applies_to_new_name() -> None:
    renames = [r for r in _real().renames if r.old_name == "пров. Урицького"]

    assert [(r.new_name, r.district) for r in renames] == [("вул. Євгена Коновальця", "Соборний")]


def test_street_renames_chain_resolves_to_final_name() -> None:
    resolved = _resolved()

    assert resolved[rename_key("вул. Кожем'яки", NORTH)] == "вул. Кожум'яки"
    assert resolved[rename_key("вул. Подєбрадська", NORTH)] == "вул. Кожум'яки"


def test_street_renames_chain_keeps_lane_apart() -> None:
    assert _resolved()[rename_key("пров. Кожем'яки", NORTH)] == "пров. Подєбрадський"


@pytest.mark.parametrize(
    ("old", "district", "final"),
    [
        ("вул. Жуковського", "Соборний", "вул. Левка Лук'яненка"),
        ("вул. Василя Жуковського", "Соборний", "вул. Левка Лук'яненка"),
        ("вул. Кам'яногорська", "Новокодацький", "вул. Духмяна"),
        ("вул. Андріївська", "Новокодацький", "вул. Духмяна"),
    ],
)
def test_street_renames_real_chains(old: str, district: str, final: str) -> None:
    assert _resolved()[rename_key(old, district)] == final


@pytest.mark.parametrize(
    ("district", "final"),
    [
        ("Центральний", "вул. Степана Бандери"),
        ("Чечелівський", "вул. Степана Бандери"),
        ("Новокодацький", "вул. Ліскуватий Яр"),
    ],
)
def test_street_renames_districts_stay_apart(district: str, final: str) -> None:
    assert _resolved()[rename_key("вул. Шмідта", district)] == final


def test_street_renames_old_name_absent_in_other_district() -> None:
    assert rename_key("вул. Шмідта", "Самарський") not in _resolved()


def test_street_renames_lookup_ignores_apostrophe_form() -> None:
    assert _resolved()[rename_key("вул. Кожем’яки", NORTH)] == "вул. Кожум'яки"


def test_street_renames_chain_does_not_cross_districts() -> None:
    resolved = _resolved()

    assert resolved[rename_key("вул. Весніна", "Шевченківський")] == "вул. Перекопська"
    assert resolved[rename_key("вул. Перекопська", "Чечелівський")] == "вул. Бессарабська"


def test_street_renames_repeated_old_name_takes_last() -> None:
    renames = [_rename("вул. А", "вул. Б"), _rename("вул. А", "вул. В")]

    assert resolve_rename_chains(renames) == {rename_key("вул. А", NORTH): "вул. В"}


def test_street_renames_two_step_cycle_ends() -> None:
    renames = [_rename("вул. Червона", "вул. Троїцька"), _rename("вул. Троїцька", "вул. Червона")]

    resolved = resolve_rename_chains(renames)

    assert resolved[rename_key("вул. Червона", NORTH)] == "вул. Червона"
    assert resolved[rename_key("вул. Троїцька", NORTH)] == "вул. Червона"


def test_street_renames_cycle_after_chain_ends() -> None:
    renames = [
        _rename("вул. А", "вул. Б"),
        _rename("вул. Б", "вул. В"),
        _rename("вул. В", "вул. Б"),
        _rename("вул. Г", "вул. А"),
    ]

    resolved = resolve_rename_chains(renames)

    assert resolved[rename_key("вул. Г", NORTH)] == "вул. Б"
    assert resolved[rename_key("вул. А", NORTH)] == "вул. Б"


def test_street_renames_spelling_fix_is_own_cycle() -> None:
    renames = [_rename("вул. Кам'янська", "вул. Кам’янська")]

    assert resolve_rename_chains(renames) == {
        rename_key("вул. Кам'янська", NORTH): "вул. Кам’янська"
    }


def test_street_renames_district_renames() -> None:
    assert read_district_renames(_document()) == {
        "Бабушкінський": "Шевченківський",
        "Жовтневий": "Соборний",
        "Кіровський": "Центральний",
        "Красногвардійський": "Чечелівський",
        "Ленінський": "Новокодацький",
    }


def test_street_renames_reads_small_file() -> None:
    obj = _area(
        {
            "type": "lane",
            "newType": "street",
            "oldName": "Радянський",
            "newName": "Феодосія  Макаревського",
        }
    )

    batch = read_street_renames(obj, file="r.json", settlement="Дніпро")

    assert batch.source == "street-renames"
    assert batch.renames == (
        RenameRecord(
            old_name="пров. Радянський",
            new_name="вул. Феодосія Макаревського",
            settlement="Дніпро",
            district="Соборний",
        ),
    )


def test_street_renames_detects_real_file() -> None:
    assert detect_street_renames(_document())


@pytest.mark.parametrize(
    "obj",
    [[], {}, {"lastUpdate": 1}, {"r61": {"objects": []}}, {"lastUpdate": 1, "r61": []}],
)
def test_street_renames_detect_rejects_other_shapes(obj: Any) -> None:
    assert not detect_street_renames(obj)


@pytest.mark.parametrize(
    ("obj", "place", "reason"),
    [
        ([], "renames", "expected a JSON object"),
        ({"lastUpdate": 1, "r61": {"objects": {}}}, "r61", "'objects' array"),
        (_area(new=""), "r63.newAreaName", "non-empty"),
        (_area("x"), "r63.objects[0]", "expected an object"),
        (
            _area({"type": "bridge", "oldName": "А", "newName": "Б"}),
            "r63.objects[0].type",
            "unknown object type 'bridge'",
        ),
        (
            _area({"type": ["street"], "oldName": "А", "newName": "Б"}),
            "r63.objects[0].type",
            "unknown object type",
        ),
        (
            _area({"type": "lane", "newType": "road", "oldName": "А", "newName": "Б"}),
            "r63.objects[0].newType",
            "'road'",
        ),
        (_area({"type": "street", "oldName": "А"}), "r63.objects[0].newName", "non-empty"),
    ],
)
def test_street_renames_malformed_file(obj: Any, place: str, reason: str) -> None:
    with pytest.raises(SourceFormatError) as raised:
        read_street_renames(obj, file="r.json", settlement="Дніпро")

    assert raised.value.params["file"] == "r.json"
    assert raised.value.params["place"] == place
    assert reason in raised.value.params["reason"]
