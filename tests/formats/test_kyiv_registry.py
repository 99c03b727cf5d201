"""Kyiv street registry reader: type words, district bitmask and former names."""

import datetime as dt
import json
from functools import cache
from typing import Any

import pytest

from core.addresses.schemas import AddressBatch, StreetAlias, StreetRecord
from core.errors import SourceFormatError
from core.formats.kyiv_registry import (
    MASSIF_DISTRICT,
    detect_kyiv_registry,
    district_names,
    read_kyiv_registry,
    street_display_name,
)
from tests.conftest import shared_file

REGISTRY = "addresses/kyiv_streets_registry_2020-10-25_projection.json"


@cache
def _real() -> AddressBatch:
    obj = json.loads(shared_file(REGISTRY).read_text(encoding="utf-8"))
    return read_kyiv_registry(obj, file="streets.json")


def _item(title: str = "Хрещатик", type_code: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "uniqueDigitalCode": 1,
        "fullTitle": title,
        "type": type_code,
        "districtsFlags": 16,
        "namingDate": None,
        "oldFullTitle": None,
        "oldType": None,
        **fields,
    }


@pytest.mark.parametrize(
    ("type_code", "title", "name"),
    [
        (0, "Хрещатик", "вул. Хрещатик"),
        (1, "Аскольдів", "пров. Аскольдів"),
        (2, "Контрактова", "пл. Контрактова"),
        (3, "Лінія 3", "Лінія 3"),
        (3, "Лінія 12-та", "Лінія 12-та"),
        (4, "Голосіївський", "просп. Голосіївський"),
        (5, "Шевченка Тараса", "бул. Шевченка Тараса"),
        (6, "Андріївський", "узвіз Андріївський"),
        (7, "Богатирський", "проїзд Богатирський"),
        (8, "Столичне", "шосе Столичне"),
        (9, "Кільцева", "дорога Кільцева"),
        (10, "Героїв Крут", "алея Героїв Крут"),
        (11, "Дніпровська", "наб. Дніпровська"),
        (12, "Тверський", "тупик Тверський"),
        (13, "Незалежності", "майдан Незалежності"),
    ],
)
def test_kyiv_registry_type_codes(type_code: int, title: str, name: str) -> None:
    assert street_display_name(title, type_code) == name


@pytest.mark.parametrize(
    ("type_code", "title", "name"),
    [
        (0, "Лінія 3", "вул. Лінія 3"),
        (1, "вулиця Аїстова", "вул. Аїстова"),
        (0, "провулок Щорса", "пров. Щорса"),
        (1, "Вулиця Чапаєвське шосе", "вул. Чапаєвське шосе"),
        (2, "Безіменна площа", "Безіменна площа"),
        (0, "Безіменний проїзд", "Безіменний проїзд"),
        (2, "Набережна", "пл. Набережна"),
    ],
)
def test_kyiv_registry_written_type_words(type_code: int, title: str, name: str) -> None:
    assert street_display_name(title, type_code) == name


@pytest.mark.parametrize(
    ("flags", "district"),
    [
        (0, None),
        (1, "Дарницький"),
        (4, "Солом'янський"),
        (512, "Святошинський"),
        (20, "Солом'янський, Шевченківський"),
        (146, "Подільський, Шевченківський, Печерський"),
        (4097, f"Дарницький, {MASSIF_DISTRICT}"),
        (3328, f"Оболонський, {MASSIF_DISTRICT}"),
    ],
)
def test_kyiv_registry_district_flags(flags: int, district: str | None) -> None:
    assert district_names(flags) == district


def test_kyiv_registry_record_count() -> None:
    assert len(_real().streets) == 2843


def test_kyiv_registry_alias_count() -> None:
    assert sum(1 for street in _real().streets if street.aliases) == 371


def test_kyiv_registry_source_name() -> None:
    assert _real().source == "kyiv-street-registry"


def test_kyiv_registry_abrykosova_in_three_districts() -> None:
    streets = [s for s in _real().streets if s.name == "вул. Абрикосова"]

    assert [s.district for s in streets] == ["Оболонський", "Дарницький", "Подільський"]


def test_kyiv_registry_former_name_is_alias() -> None:
    [street] = [s for s in _real().streets if s.name == "вул. Августина Волошина"]

    assert street.aliases == (
        StreetAlias(name="вул. Галана Ярослава", former=True, valid_until=dt.date(2017, 10, 12)),
    )


def test_kyiv_registry_alias_keeps_former_type() -> None:
    [street] = [s for s in _real().streets if s.name == "вул. Оборони Києва"]

    assert [alias.name for alias in street.aliases] == ["шосе 19 км Житомирського"]


def test_kyiv_registry_every_name_has_type_word() -> None:
    first_words = {s.name.split()[0] for s in _real().streets}

    assert first_words == {
        "вул.",
        "пров.",
        "пл.",
        "Лінія",
        "просп.",
        "бул.",
        "узвіз",
        "проїзд",
        "шосе",
        "дорога",
        "алея",
        "наб.",
        "тупик",
        "майдан",
    }


def test_kyiv_registry_reads_one_record() -> None:
    item = _item("Хрещатик", oldFullTitle="Леніна", oldType=0, namingDate="8/24/1991")

    batch = read_kyiv_registry([item], file="s.json")

    assert batch.streets == (
        StreetRecord(
            name="вул. Хрещатик",
            district="Шевченківський",
            aliases=(
                StreetAlias(name="вул. Леніна", former=True, valid_until=dt.date(1991, 8, 24)),
            ),
        ),
    )


def test_kyiv_registry_alias_without_old_type_keeps_type() -> None:
    item = _item("Сонячний", 1, oldFullTitle="Червоний")

    [street] = read_kyiv_registry([item], file="s.json").streets

    assert street.aliases == (StreetAlias(name="пров. Червоний", former=True),)


def test_kyiv_registry_detects_real_file() -> None:
    assert detect_kyiv_registry(json.loads(shared_file(REGISTRY).read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "obj", [[], ["вул. Хрещатик"], {"fullTitle": "Хрещатик"}, [{"id": 1, "value": "вул. Х"}]]
)
def test_kyiv_registry_detect_rejects_other_shapes(obj: Any) -> None:
    assert not detect_kyiv_registry(obj)


@pytest.mark.parametrize(
    ("obj", "place", "reason"),
    [
        ({"a": 1}, "registry", "expected a JSON array"),
        (["x"], "[0]", "expected an object"),
        ([{"fullTitle": "Х"}], "[0]", "missing fields: type, districtsFlags"),
        ([_item(type_code=14)], "[0].type", "from 0 to 13"),
        ([_item(type_code=True)], "[0].type", "from 0 to 13"),
        ([_item(title=" ")], "[0].fullTitle", "non-empty"),
        ([_item(districtsFlags="16")], "[0].districtsFlags", "bitmask"),
        ([_item(namingDate="2017-10-12")], "[0].namingDate", "M/D/YYYY"),
        ([_item(oldFullTitle="Х", oldType=20)], "[0].oldType", "from 0 to 13"),
    ],
)
def test_kyiv_registry_malformed_record(obj: Any, place: str, reason: str) -> None:
    with pytest.raises(SourceFormatError) as raised:
        read_kyiv_registry(obj, file="s.json")

    assert raised.value.params["file"] == "s.json"
    assert raised.value.params["place"] == place
    assert reason in raised.value.params["reason"]
