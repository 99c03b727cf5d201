"""Tests of format detection and `read_schedule_source` over hand-made and real files."""

import datetime as dt
import json

import pytest

from core.errors import SourceFormatError
from core.formats.schedule_sources import detect_format, read_schedule_source
from core.schedules.model import DayStatus
from tests.conftest import shared_file

UTC = dt.UTC
ALL_FORMATS = frozenset({"dtek", "yasno", "yasno-legacy"})
DTEK_PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
YASNO_KYIV = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"
YASNO_LEGACY = "yasno/yasno-legacy-v1_schedule-turn-off-electricity_2025-12-16.json"
GET_HOME_NUM = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
DTEK_FILES = [
    "dtek/dtek-dem_2026-07-01T0939Z_72a51c17.json",
    "dtek/dtek-dnem_2026-07-01T0918Z_86af11bd.json",
    "dtek/dtek-dnem_fact_2025-11-16T2208Z_aaeec615.json",
    "dtek/dtek-dnem_fact_2025-11-17T2208Z_b7f52684.json",
    "dtek/dtek-dnem_fact_2025-11-18T2208Z_4b3839d5.json",
    "dtek/dtek-dnem_fact_2025-11-19T2208Z_ad66bc44.json",
    "dtek/dtek-kem_2026-06-29T1027Z_9f06ddde.json",
    "dtek/dtek-kem_2026-06-30T1724Z_369b120c.json",
    DTEK_PAGE,
    "dtek/dtek-krem_2026-06-30T1724Z_369b120c.json",
    "dtek/dtek-oem_2026-07-01T0918Z_86af11bd.json",
    "dtek/outage-data-ua_kyiv-region_2026-02-25T1437Z_e7c027d8.json",
]
DTEK_FILES_MINIFIED = "dtek/dtek-kem_2026-06-29T1027Z_9f06ddde.json"
DTEK_FILES_INDENTED = "dtek/dtek-dnem_fact_2025-11-16T2208Z_aaeec615.json"
HOURS_YES = {str(hour): "yes" for hour in range(1, 25)}
BARE_FACT = {
    "data": {"1769637600": {"GPV1.1": HOURS_YES | {"1": "no"}}},
    "update": "28.01.2026 21:36",
}


def read_shared(relative: str, formats: frozenset[str] = ALL_FORMATS, **options: str):
    path = shared_file(relative)
    return read_schedule_source(path.read_bytes(), path.name, formats=formats, **options)


def encode(obj: object) -> bytes:
    return json.dumps(obj).encode()


# detection


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (encode(BARE_FACT), "dtek"),
        (encode({"data": {}, "updateFact": "28.01.2026 21:36", "days": {}}), "dtek"),
        (encode({"regionId": "kyiv", "fact": BARE_FACT}), "dtek"),
        (encode({"status": {}, "raw": {"fact": BARE_FACT}}), "dtek"),
        (b"<script>DisconSchedule.fact = " + encode(BARE_FACT) + b"</script>", "dtek"),
        (encode({"1.1": {"today": {}, "tomorrow": {}}}), "yasno"),
        (encode({"fetchedAt": "", "payload": {"components": []}}), "yasno-legacy"),
        (encode({"components": []}), "yasno-legacy"),
        (encode({"group": 36, "subgroup": 1}), None),
        (encode([{"id": 1956}]), None),
        (b"\xff\xfe garbage", None),
        (b"plain text", None),
    ],
)
def test_detect_format_by_shape(content: bytes, expected: str | None) -> None:
    assert detect_format(content) == expected


@pytest.mark.parametrize("relative", DTEK_FILES)
def test_detect_format_real_dtek_files(relative: str) -> None:
    assert detect_format(shared_file(relative).read_bytes()) == "dtek"


def test_detect_format_real_yasno_files() -> None:
    assert detect_format(shared_file(YASNO_KYIV).read_bytes()) == "yasno"
    assert detect_format(shared_file(YASNO_LEGACY).read_bytes()) == "yasno-legacy"


# reading and format choice


def test_read_schedule_source_bare_fact() -> None:
    document = read_schedule_source(encode(BARE_FACT), "fact.json", formats={"dtek"})

    assert document is not None
    assert document.source == "dtek"
    assert [(d.queue, d.status) for d in document.days] == [("1.1", DayStatus.APPLIES)]


def test_read_schedule_source_other_format_is_none() -> None:
    assert read_shared(YASNO_KYIV, formats=frozenset({"dtek"})) is None


def test_read_schedule_source_page_for_yasno_is_none() -> None:
    assert read_shared(DTEK_PAGE, formats=frozenset({"yasno"})) is None


def test_read_schedule_source_get_home_num_is_none() -> None:
    assert read_shared(GET_HOME_NUM) is None


def test_read_schedule_source_unknown_format_name() -> None:
    with pytest.raises(ValueError, match="unknown source formats"):
        read_schedule_source(encode(BARE_FACT), "f.json", formats={"dtek", "ukrenergo"})


def test_read_schedule_source_text_is_error() -> None:
    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(b"queue 1.1: 08-12", "notes.txt", formats=ALL_FORMATS)

    assert caught.value.params["file"] == "notes.txt"
    assert caught.value.params["reason"] == "not JSON and not a DTEK shutdowns page"


def test_read_schedule_source_binary_is_error() -> None:
    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(b"\x89PNG\r\n\x1a\n\x00", "image.png", formats={"dtek"})

    assert caught.value.params["place"] == "byte 0"
    assert "not UTF-8 text" in caught.value.params["reason"]


def test_read_schedule_source_error_place_in_wrapper() -> None:
    content = encode({"raw": {"fact": {"data": {"1769637600": {"GPV1.1": {"1": "no"}}}}}})

    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(content, "wrapped.json", formats={"dtek"})

    assert caught.value.params["place"] == 'raw.fact.data."1769637600".GPV1.1'


def test_read_schedule_source_legacy_without_city_names_cities() -> None:
    with pytest.raises(SourceFormatError, match=r"several cities \(dnipro, kiev\)"):
        read_shared(YASNO_LEGACY)


def test_read_schedule_source_legacy_unknown_city_is_error() -> None:
    with pytest.raises(SourceFormatError, match="choose one of dnipro, kiev"):
        read_shared(YASNO_LEGACY, legacy_city="lviv")


def test_read_schedule_source_legacy_with_city() -> None:
    document = read_shared(YASNO_LEGACY, legacy_city="kiev")

    assert document is not None
    assert document.source == "yasno-legacy"
    assert len(document.templates) == 12
    assert document.days == ()
    assert document.template_updated_at == dt.datetime(2025, 5, 6, 14, 52, 40, tzinfo=UTC)


def test_read_schedule_source_bare_legacy_payload() -> None:
    path = shared_file(YASNO_LEGACY)
    payload = json.loads(path.read_bytes())["payload"]

    document = read_schedule_source(
        encode(payload), path.name, formats={"yasno-legacy"}, legacy_city="dnipro"
    )

    assert document is not None
    assert len(document.templates) == 12


# real files


@pytest.mark.parametrize("relative", DTEK_FILES)
def test_read_schedule_source_real_dtek_file(relative: str) -> None:
    document = read_shared(relative, formats=frozenset({"dtek"}))

    assert document is not None
    assert document.source == "dtek"
    assert document.days or document.templates


def test_read_schedule_source_dtek_dem_has_no_fact() -> None:
    document = read_shared("dtek/dtek-dem_2026-07-01T0939Z_72a51c17.json")

    assert document is not None
    assert document.days == ()
    assert len(document.templates) == 12
    assert document.updated_at == dt.datetime(2024, 12, 15, 22, 13, tzinfo=UTC)


def test_read_schedule_source_unpublished_tomorrow_is_no_data() -> None:
    document = read_shared("dtek/dtek-dnem_fact_2025-11-16T2208Z_aaeec615.json")

    assert document is not None
    statuses = {d.status for d in document.days if d.day == dt.date(2025, 11, 18)}
    assert statuses == {DayStatus.NO_DATA}


def test_read_schedule_source_yasno_and_dtek_page_agree() -> None:
    day = dt.date(2026, 1, 29)
    dtek = read_shared(DTEK_PAGE)
    yasno = read_shared(YASNO_KYIV)
    assert dtek is not None
    assert yasno is not None

    dtek_day = {d.queue: d.intervals for d in dtek.days if d.day == day}
    yasno_day = {d.queue: d.intervals for d in yasno.days if d.day == day}

    assert len(dtek_day) == 60
    assert dtek_day == yasno_day


def test_read_schedule_source_dtek_page_update_times() -> None:
    document = read_shared(DTEK_PAGE)

    assert document is not None
    assert document.updated_at == dt.datetime(2026, 1, 28, 19, 36, tzinfo=UTC)
    assert len(document.templates) == 66


@pytest.mark.parametrize("relative", [YASNO_KYIV, DTEK_FILES_MINIFIED, DTEK_FILES_INDENTED])
def test_read_schedule_source_truncated_json_is_error(relative: str) -> None:
    path = shared_file(relative)
    content = path.read_bytes()

    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(content[: len(content) // 2], path.name, formats=ALL_FORMATS)

    assert caught.value.params["file"] == path.name
    assert "truncated" in caught.value.params["reason"]


def test_read_schedule_source_truncated_page_is_error() -> None:
    path = shared_file(DTEK_PAGE)
    content = path.read_bytes()
    cut = content[: content.index(b"DisconSchedule.fact") + 5000]

    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(cut, path.name, formats={"dtek"})

    assert caught.value.params["file"] == path.name
    assert caught.value.params["place"] == "line 10"
    assert "DisconSchedule.fact" in caught.value.params["reason"]


def test_read_schedule_source_cut_utf8_is_error() -> None:
    path = shared_file(DTEK_PAGE)
    content = path.read_bytes()
    cut = content[: content.index("Урлівська".encode()) + 1]

    with pytest.raises(SourceFormatError) as caught:
        read_schedule_source(cut, path.name, formats={"dtek"})

    assert caught.value.params["file"] == path.name
