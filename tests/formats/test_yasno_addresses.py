"""YASNO address API readers: the street -> house -> group chain."""

import json
from typing import Any

import pytest

from core.addresses.schemas import BuildingRecord, StreetRecord
from core.errors import SourceFormatError
from core.formats.yasno_addresses import (
    classify_yasno_address_file,
    ids_from_filename,
    read_yasno_address_chain,
)
from tests.conftest import shared_file

STREETS = "yasno/yasno_addresses-v2-streets_r25_dso902_query-zdanovskoi_2026-01-29.json"
HOUSES = "yasno/yasno_addresses-v2-houses_r25_dso902_street1956_query-71z_2026-01-29.json"
GROUP = "yasno/yasno_addresses-v2-group_r25_dso902_street1956_house10939_2026-01-29.json"

STREET_LIST = [{"id": 1956, "value": "вул. Здановської Юлії"}]
HOUSE_LIST = [{"id": 10939, "value": "71З"}]


def _load(relative: str) -> Any:
    return json.loads(shared_file(relative).read_text(encoding="utf-8"))


def test_yasno_chain_links_street_house_and_group() -> None:
    batch = read_yasno_address_chain(
        STREET_LIST,
        HOUSE_LIST,
        {"group": 36, "subgroup": 1},
        street_id=1956,
        house_id=10939,
        file="chain",
    )

    assert batch.source == "yasno-addresses"
    assert batch.streets == (
        StreetRecord("вул. Здановської Юлії", buildings=(BuildingRecord("71З", ("36.1",)),)),
    )


def test_yasno_chain_real_files() -> None:
    ids = ids_from_filename(GROUP)

    batch = read_yasno_address_chain(
        _load(STREETS),
        _load(HOUSES),
        _load(GROUP),
        street_id=ids["street"],
        house_id=ids["house"],
        file=GROUP,
    )

    assert batch.streets == (
        StreetRecord("вул. Здановської Юлії", buildings=(BuildingRecord("71З", ("36.1",)),)),
    )


def test_yasno_chain_picks_requested_ids() -> None:
    streets = [{"id": 1, "value": "вул. Нова"}, {"id": 2, "value": "вул. Стара"}]
    houses = [{"id": 7, "value": "5"}, {"id": 8, "value": "5А"}]

    batch = read_yasno_address_chain(
        streets, houses, {"group": 2, "subgroup": 2}, street_id=2, house_id=8, file="chain"
    )

    assert batch.streets[0].name == "вул. Стара"
    assert batch.streets[0].buildings == (BuildingRecord("5А", ("2.2",)),)


@pytest.mark.parametrize(
    ("streets", "houses", "group", "place"),
    [
        (STREET_LIST, HOUSE_LIST, {"group": 36}, "group"),
        (STREET_LIST, HOUSE_LIST, {"group": "36", "subgroup": 1}, "group"),
        (STREET_LIST, HOUSE_LIST, {"group": True, "subgroup": 1}, "group"),
        (STREET_LIST, HOUSE_LIST, {"group": 0, "subgroup": 1}, "group"),
        (STREET_LIST, HOUSE_LIST, [36, 1], "group"),
        ({"id": 1956}, HOUSE_LIST, {"group": 36, "subgroup": 1}, "streets"),
        ([{"id": "1956", "value": "x"}], HOUSE_LIST, {"group": 36, "subgroup": 1}, "streets"),
        ([{"id": 1, "value": "вул. Нова"}], HOUSE_LIST, {"group": 36, "subgroup": 1}, "streets"),
        (STREET_LIST, [], {"group": 36, "subgroup": 1}, "houses"),
        (STREET_LIST, [{"id": 10939}], {"group": 36, "subgroup": 1}, "houses"),
    ],
)
def test_yasno_chain_rejects_malformed(streets: Any, houses: Any, group: Any, place: str) -> None:
    with pytest.raises(SourceFormatError, match=rf"chain\.json.*{place}"):
        read_yasno_address_chain(
            streets, houses, group, street_id=1956, house_id=10939, file="chain.json"
        )


def test_yasno_chain_missing_id_lists_known_ids() -> None:
    with pytest.raises(SourceFormatError, match=r"id 5 is not in the list \(ids: 1956\)"):
        read_yasno_address_chain(
            STREET_LIST,
            HOUSE_LIST,
            {"group": 1, "subgroup": 1},
            street_id=5,
            house_id=10939,
            file="c",
        )


@pytest.mark.parametrize(
    ("relative", "expected"),
    [(STREETS, "streets"), (HOUSES, "houses"), (GROUP, "group")],
)
def test_classify_yasno_real_files(relative: str, expected: str) -> None:
    assert classify_yasno_address_file(_load(relative)) == expected


@pytest.mark.parametrize(
    ("document", "filename", "expected"),
    [
        ([{"id": 1, "value": "Хрещатик"}], "", "streets"),
        ([{"id": 1, "value": "12/4"}, {"id": 2, "value": "14"}], "", "houses"),
        ([], "houses.json", "houses"),
        ([], "streets.json", "streets"),
        ([], "x.json", None),
        ([{"id": 1}], "", None),
        ({"group": 1}, "", None),
        ({"group": 1, "subgroup": 2}, "", "group"),
        ("вул. Нова", "", None),
    ],
)
def test_classify_yasno_shapes(document: Any, filename: str, expected: str | None) -> None:
    assert classify_yasno_address_file(document, filename=filename) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (GROUP.split("/")[1], {"region": 25, "dso": 902, "street": 1956, "house": 10939}),
        (HOUSES.split("/")[1], {"region": 25, "dso": 902, "street": 1956}),
        (STREETS.split("/")[1], {"region": 25, "dso": 902}),
        ("capture.json", {}),
        ("street12_housex.json", {"street": 12}),
    ],
)
def test_ids_from_filename(name: str, expected: dict[str, int]) -> None:
    assert ids_from_filename(name) == expected
