"""DTEK address readers: the Kyiv street list, the regional object and getHomeNum."""

import json
from typing import Any

import pytest

from core.addresses.schemas import BuildingRecord, StreetRecord
from core.errors import SourceFormatError
from core.formats.dtek_addresses import (
    detect_address_format,
    read_dtek_house_queues,
    read_dtek_regional_streets,
    read_dtek_street_list,
    read_dtek_streets_from_page,
)
from tests.conftest import shared_file

KYIV_STREETS = "addresses/dtek-kem_streets_list_2026-01-29.json"
KYIV_PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
DNIPRO_STREETS = "addresses/dtek-dnem_DisconSchedule.streets_EXCERPT_2024-12.json"
GET_HOME_NUM = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"


def _load(relative: str) -> Any:
    return json.loads(shared_file(relative).read_text(encoding="utf-8"))


def _names(entries: list[str]) -> list[str]:
    return [record.name for record in read_dtek_street_list(entries, file="t.json").streets]


def test_dtek_street_list_splits_district() -> None:
    batch = read_dtek_street_list(["Солом'янський р-н, вул. Мостова"], file="t.json")

    assert batch.source == "dtek-street-list"
    assert batch.streets == (StreetRecord(name="вул. Мостова", district="Солом'янський"),)


def test_dtek_street_list_merges_spelling_variants() -> None:
    entries = ["вул. Кар'єрна", "вул. Кар’єрна", "вул.Медична", "вул. Медична"]

    assert _names(entries) == ["вул. Кар'єрна", "вул. Медична"]


def test_dtek_street_list_merges_district_spellings() -> None:
    entries = ["Солом’янський р-н,вул. Садова", "Солом'янський р-н, вул. Садова"]

    assert _names(entries) == ["вул. Садова"]


def test_dtek_street_list_keeps_street_and_lane_apart() -> None:
    entries = ["Солом'янський р-н, вул. Енергетиків", "Солом'янський,пров. Енергетиків"]

    assert _names(entries) == ["вул. Енергетиків", "пров. Енергетиків"]


def test_dtek_street_list_keeps_districts_apart() -> None:
    entries = ["Деснянський р-н, вул. Садова", "Дарницький р-н, вул. Садова", "вул. Садова"]

    assert len(_names(entries)) == 3


def test_dtek_street_list_keeps_localities_apart() -> None:
    entries = ["вул. Садова (Жуляни)", "вул. Садова (Бортничі)", "вул. Садова"]

    assert _names(entries) == ["вул. Садова (Жуляни)", "вул. Садова (Бортничі)", "вул. Садова"]


def test_dtek_street_list_keeps_numbered_streets_apart() -> None:
    assert _names(["вул.Садова 191", "вул. Садова 192", "вул. Садова 191"]) == [
        "вул. Садова 191",
        "вул. Садова 192",
    ]


def test_dtek_street_list_skips_blank_entries() -> None:
    assert _names(["", "  ", "вул. Мостова"]) == ["вул. Мостова"]


@pytest.mark.parametrize("document", [{"streets": []}, "вул. Мостова", None, 12])
def test_dtek_street_list_rejects_non_array(document: Any) -> None:
    with pytest.raises(SourceFormatError, match=r"bad\.json"):
        read_dtek_street_list(document, file="bad.json")


def test_dtek_street_list_rejects_non_string_entry() -> None:
    with pytest.raises(SourceFormatError, match=r"bad\.json.*streets\[1\]"):
        read_dtek_street_list(["вул. Мостова", {"name": "x"}], file="bad.json")


def test_dtek_street_list_real_file_merges_variants() -> None:
    entries = _load(KYIV_STREETS)

    batch = read_dtek_street_list(entries, file=KYIV_STREETS)

    assert len(entries) == 2626
    assert len(set(entries)) == 2626
    # 2,515 streets, less one: "вул. Набережно-Рибальська дорога" and "дорога
    # Набережно-Рибальська" are one road written with and without DTEK's leading "вул.".
    assert len(batch.streets) == 2514


def test_dtek_street_list_real_file_districts() -> None:
    batch = read_dtek_street_list(_load(KYIV_STREETS), file=KYIV_STREETS)

    districts = {record.district for record in batch.streets} - {None}

    assert districts == {
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
    }
    assert not any("р-н" in record.name for record in batch.streets)


def test_dtek_page_streets_match_street_list() -> None:
    page = shared_file(KYIV_PAGE).read_text(encoding="utf-8")

    from_page = read_dtek_streets_from_page(page, file=KYIV_PAGE)
    from_list = read_dtek_street_list(_load(KYIV_STREETS), file=KYIV_STREETS)

    assert from_page.source == "dtek-page-streets"
    assert from_page.streets == from_list.streets


def test_dtek_page_streets_amid_script() -> None:
    page = '<script>DisconSchedule.streets = ["вул. Урлівська"]\nDisconSchedule.fact = {}'

    batch = read_dtek_streets_from_page(page, file="page.html")

    assert batch.streets == (StreetRecord(name="вул. Урлівська"),)


def test_dtek_page_streets_missing_assignment() -> None:
    with pytest.raises(SourceFormatError, match=r"page\.html.*DisconSchedule\.streets"):
        read_dtek_streets_from_page("<html></html>", file="page.html")


def test_dtek_page_streets_invalid_json() -> None:
    with pytest.raises(SourceFormatError, match=r"page\.html.*invalid JSON"):
        read_dtek_streets_from_page('DisconSchedule.streets = ["вул.', file="page.html")


def test_dtek_regional_streets_merges_settlement_spellings() -> None:
    document = {"с. Мар’їнка": ["вул. Кам’янська"], "с. Мар'їнка": ["вул. Кам'янська", "вул. Нова"]}

    batch = read_dtek_regional_streets(document, file="dnem.json")

    assert batch.streets == (
        StreetRecord(name="вул. Кам’янська", settlement="с. Мар’їнка"),
        StreetRecord(name="вул. Нова", settlement="с. Мар’їнка"),
    )


def test_dtek_regional_streets_keeps_settlements_apart() -> None:
    document = {"с. Миколаївка": ["вул. Садова"], "смт Миколаївка": ["вул. Садова"]}

    batch = read_dtek_regional_streets(document, file="dnem.json")

    assert [record.settlement for record in batch.streets] == ["с. Миколаївка", "смт Миколаївка"]


def test_dtek_regional_streets_real_excerpt() -> None:
    document = _load(DNIPRO_STREETS)

    batch = read_dtek_regional_streets(document, file=DNIPRO_STREETS)
    settlements = {record.settlement for record in batch.streets}
    marinka = [r.name for r in batch.streets if r.settlement == "с. Мар’їнка"]

    assert len(document) == 50
    assert sum(len(streets) for streets in document.values()) == 362
    assert len(settlements) == 49
    assert len(batch.streets) == 360
    assert "с. Мар'їнка" not in settlements
    assert len(marinka) == len(set(marinka))


@pytest.mark.parametrize(
    ("document", "place"),
    [
        (["вул. Нова"], "streets"),
        ({"с. Довге": "вул. Нова"}, "с. Довге"),
        ({"с. Довге": [1]}, "с. Довге"),
    ],
)
def test_dtek_regional_streets_rejects_malformed(document: Any, place: str) -> None:
    with pytest.raises(SourceFormatError, match=rf"dnem\.json.*{place}"):
        read_dtek_regional_streets(document, file="dnem.json")


def test_dtek_house_queues_normalizes_queue() -> None:
    answer = {"result": True, "data": {"71/З": {"sub_type_reason": ["GPV36.1"]}}}

    batch = read_dtek_house_queues(answer, file="home.json", street="вул. Здановської Юлії")

    assert batch.source == "dtek-house-queues"
    assert batch.streets == (
        StreetRecord(name="вул. Здановської Юлії", buildings=(BuildingRecord("71/З", ("36.1",)),)),
    )


def test_dtek_house_queues_empty_reason_has_no_queue() -> None:
    answer = {"result": True, "data": {"4": {"sub_type_reason": []}, "8": {"sub_type": ""}}}

    batch = read_dtek_house_queues(answer, file="home.json", street="вул. Нова")

    assert batch.streets[0].buildings == (BuildingRecord("4"), BuildingRecord("8"))


def test_dtek_house_queues_empty_data_list() -> None:
    batch = read_dtek_house_queues({"result": True, "data": []}, file="h.json", street="вул. Нова")

    assert batch.streets == (StreetRecord(name="вул. Нова"),)


def test_dtek_house_queues_real_answer() -> None:
    batch = read_dtek_house_queues(
        _load(GET_HOME_NUM), file=GET_HOME_NUM, street="вул. Здановської Юлії"
    )

    buildings = {b.number: b.queues for b in batch.streets[0].buildings}

    assert len(buildings) == 48
    assert buildings["71/З"] == ("36.1",)
    assert buildings["4"] == ("26.1",)
    assert {q for queues in buildings.values() for q in queues} == {
        "26.1",
        "27.1",
        "28.1",
        "35.1",
        "36.1",
    }


@pytest.mark.parametrize(
    ("answer", "place"),
    [
        ({"result": False, "data": {}}, "result"),
        ({"data": {}}, "result"),
        ([], "result"),
        ({"result": True, "data": "none"}, "data"),
        ({"result": True, "data": {"4": []}}, "data"),
        ({"result": True, "data": {"4": {"sub_type_reason": "GPV1.1"}}}, "sub_type_reason"),
        ({"result": True, "data": {"4": {"sub_type_reason": ["Черга 1"]}}}, "sub_type_reason"),
    ],
)
def test_dtek_house_queues_rejects_malformed(answer: Any, place: str) -> None:
    with pytest.raises(SourceFormatError, match=rf"home\.json.*{place}"):
        read_dtek_house_queues(answer, file="home.json", street="вул. Нова")


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (KYIV_STREETS, "dtek-street-list"),
        (KYIV_PAGE, "dtek-page-streets"),
        (DNIPRO_STREETS, "dtek-regional-streets"),
        (GET_HOME_NUM, "dtek-house-queues"),
        (
            "yasno/yasno_addresses-v2-streets_r25_dso902_query-zdanovskoi_2026-01-29.json",
            "yasno-streets",
        ),
        (
            "yasno/yasno_addresses-v2-houses_r25_dso902_street1956_query-71z_2026-01-29.json",
            "yasno-houses",
        ),
        (
            "yasno/yasno_addresses-v2-group_r25_dso902_street1956_house10939_2026-01-29.json",
            "yasno-group",
        ),
        ("yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json", None),
        ("dtek/dtek-kem_2026-06-29T1027Z_9f06ddde.json", None),
        ("addresses/kyiv_streets_registry_2020-10-25_projection.json", None),
        ("addresses/katottg_kodifikator_2025-05-16_UA80_UA32_UA51_UA12_UA14.csv", None),
    ],
)
def test_detect_address_format_real_files(relative: str, expected: str | None) -> None:
    path = shared_file(relative)

    assert detect_address_format(path.read_bytes(), path.name) == expected


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"\xff\xfe\x00", "x.json", None),
        (b"not json", "x.json", None),
        (b"[]", "yasno_houses.json", "yasno-houses"),
        (b"[]", "streets.json", "yasno-streets"),
        (b"[]", "list.json", "dtek-street-list"),
        (b"{}", "x.json", None),
    ],
)
def test_detect_address_format_edge_cases(
    content: bytes, filename: str, expected: str | None
) -> None:
    assert detect_address_format(content, filename) == expected
