"""KATOTTG codifier reader: settlements with hromada, raion and city districts."""

from functools import cache

import pytest

from core.addresses.schemas import AddressBatch, SettlementRecord
from core.errors import SourceFormatError
from core.formats.katottg import detect_katottg, read_katottg
from tests.conftest import shared_file

CODIFIER = "addresses/katottg_kodifikator_2025-05-16_UA80_UA32_UA51_UA12_UA14.csv"
HEADER = (
    "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;"
    "Категорія об’єкта;Назва об’єкта"
)
OBLAST = "UA32000000000030281"
RAION = "UA32040000000054694"
HROMADA = "UA32040090000083028"
VILLAGE = "UA32040090010032835"
SMALL_FILE = "\n".join(
    [
        HEADER,
        f"{OBLAST};;;;;O;Київська",
        f"{OBLAST};{RAION};;;;P;Бориспільський",
        f"{OBLAST};{RAION};{HROMADA};;;H;Золочівська",
        f"{OBLAST};{RAION};{HROMADA};{VILLAGE};;C;Гнідин",
    ]
)


@cache
def _codifier_text() -> str:
    return shared_file(CODIFIER).read_text(encoding="utf-8")


def _real(prefix: str | None = None) -> AddressBatch:
    prefixes = (prefix,) if prefix else None
    return read_katottg(_codifier_text(), file="katottg.csv", region_prefixes=prefixes)


def _settlement(batch: AddressBatch, name: str, hromada: str) -> SettlementRecord:
    [found] = [s for s in batch.settlements if s.name == name and s.hromada == hromada]
    return found


def test_katottg_small_file_reads_village() -> None:
    batch = read_katottg(SMALL_FILE, file="k.csv")

    assert batch.source == "katottg"
    assert batch.settlements == (
        SettlementRecord(
            name="Гнідин",
            kind="село",
            katottg=VILLAGE,
            hromada="Золочівська",
            district="Бориспільський",
        ),
    )


@pytest.mark.parametrize(
    ("prefix", "count"),
    [("UA12", 1500), ("UA14", 1298), ("UA32", 1182), ("UA51", 1174), ("UA80", 1)],
)
def test_katottg_settlement_count_per_oblast(prefix: str, count: int) -> None:
    assert len(_real(prefix).settlements) == count


def test_katottg_whole_file_settlement_count() -> None:
    assert len(_real().settlements) == 5155


@pytest.mark.parametrize(
    ("prefix", "kind", "count"),
    [
        ("UA12", "місто", 20),
        ("UA12", "селище", 94),
        ("UA12", "село", 1386),
        ("UA14", "місто", 52),
        ("UA32", "місто", 26),
        ("UA51", "місто", 19),
    ],
)
def test_katottg_kind_counts(prefix: str, kind: str, count: int) -> None:
    kinds = [s.kind for s in _real(prefix).settlements]

    assert kinds.count(kind) == count


def test_katottg_prefix_keeps_only_that_oblast() -> None:
    codes = [s.katottg or "" for s in _real("UA12").settlements]

    assert all(code.startswith("UA12") for code in codes)


def test_katottg_kyiv_is_special_status_city() -> None:
    [kyiv] = _real("UA80").settlements

    assert kyiv.name == "Київ"
    assert kyiv.kind == "місто зі спеціальним статусом"
    assert kyiv.katottg == "UA80000000000093317"
    assert kyiv.hromada is None
    assert kyiv.district is None


def test_katottg_kyiv_has_ten_city_districts() -> None:
    [kyiv] = _real("UA80").settlements

    assert kyiv.city_districts == (
        "Голосіївський",
        "Дарницький",
        "Деснянський",
        "Дніпровський",
        "Оболонський",
        "Печерський",
        "Подільський",
        "Святошинський",
        "Солом’янський",
        "Шевченківський",
    )


def test_katottg_known_village_hromada_and_raion() -> None:
    village = _settlement(_real("UA32"), "Гнідин", "Золочівська")

    assert village.kind == "село"
    assert village.katottg == VILLAGE
    assert village.district == "Бориспільський"


def test_katottg_dnipro_city_districts() -> None:
    dnipro = _settlement(_real("UA12"), "Дніпро", "Дніпровська")

    assert dnipro.kind == "місто"
    assert dnipro.district == "Дніпровський"
    assert len(dnipro.city_districts) == 8
    assert "Соборний" in dnipro.city_districts


def test_katottg_exclusion_zone_city_has_no_hromada() -> None:
    [pripyat] = [s for s in _real("UA32").settlements if s.name == "Прип’ять"]

    assert pripyat.hromada is None
    assert pripyat.district is None


def test_katottg_names_keep_typographic_apostrophe() -> None:
    names = {s.name for s in _real("UA12").settlements}

    assert "Кам’янське" in names
    assert "Кам'янське" not in names


def test_katottg_detects_real_file() -> None:
    assert detect_katottg(shared_file(CODIFIER).read_bytes())


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b'{"r61": {}}',
        "вул. Хрещатик;1".encode(),
        HEADER.encode("cp1251", errors="replace"),
    ],
)
def test_katottg_detect_rejects_other_files(content: bytes) -> None:
    assert not detect_katottg(content)


def test_katottg_detect_accepts_bom_and_ascii_apostrophe() -> None:
    content = ("\ufeff" + HEADER.replace("’", "'") + "\n").encode()

    assert detect_katottg(content)


def test_katottg_accepts_crlf_and_trailing_separator() -> None:
    text = SMALL_FILE.replace("\n", ";\r\n") + "\r\n\r\n"

    assert [s.name for s in read_katottg(text, file="k.csv").settlements] == ["Гнідин"]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (f"{OBLAST};{RAION};{HROMADA};C;Гнідин", "expected 7 fields"),
        (f"{OBLAST};{RAION};{HROMADA};{VILLAGE};;Z;Гнідин", "unknown category 'Z'"),
        (f"{OBLAST};{RAION};{HROMADA};32040090010032835;;C;Гнідин", "is not a codifier code"),
        (f"{OBLAST};{RAION};{HROMADA};UA3204009001003283X;;C;Гнідин", "is not a codifier code"),
        (f"{OBLAST};{RAION};{HROMADA};{VILLAGE};;C;", "the name is empty"),
        (f";{RAION};{HROMADA};{VILLAGE};;C;Гнідин", "the level-1 code is empty"),
    ],
)
def test_katottg_malformed_line_names_line_number(bad_line: str, reason: str) -> None:
    text = f"{SMALL_FILE}\n{bad_line}\n"

    with pytest.raises(SourceFormatError) as raised:
        read_katottg(text, file="k.csv")

    assert raised.value.params["file"] == "k.csv"
    assert raised.value.params["place"] == "line 6"
    assert reason in raised.value.params["reason"]


def test_katottg_missing_header_fails_on_line_one() -> None:
    text = "Рівень 1;Рівень 2\n" + SMALL_FILE.split("\n", 1)[1]

    with pytest.raises(SourceFormatError) as raised:
        read_katottg(text, file="k.csv")

    assert raised.value.params["place"] == "line 1"


def test_katottg_rejects_invalid_prefix() -> None:
    with pytest.raises(ValueError, match="'12'"):
        read_katottg(SMALL_FILE, file="k.csv", region_prefixes=("12",))
