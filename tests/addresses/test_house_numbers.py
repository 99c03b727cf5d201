"""House number parsing, canonical keys and ranking."""

import json

import pytest

from core.addresses.house_numbers import HouseNumber, parse_house_number, rank_house_matches
from tests.conftest import shared_file

GET_HOME_NUM = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", HouseNumber(12)),
        ("12/4", HouseNumber(12, fraction="4")),
        ("12-А", HouseNumber(12, letter="А")),
        ("12а", HouseNumber(12, letter="А")),
        ("12 А", HouseNumber(12, letter="А")),
        ("12А", HouseNumber(12, letter="А")),
        ("12A", HouseNumber(12, letter="А")),
        ("12a", HouseNumber(12, letter="А")),
        ("12 корп. 2", HouseNumber(12, block="2")),
        ("12, к.2", HouseNumber(12, block="2")),
        ("12 корпус 2", HouseNumber(12, block="2")),
        ("12к2", HouseNumber(12, block="2")),
        ("31/КОРП.2", HouseNumber(31, block="2")),
        ("71/З", HouseNumber(71, letter="З")),
        ("71З", HouseNumber(71, letter="З")),
        ("34/1А", HouseNumber(34, fraction="1А")),
        ("52/3", HouseNumber(52, fraction="3")),
        ("83/А", HouseNumber(83, letter="А")),
        ("85А", HouseNumber(85, letter="А")),
        ("22/15", HouseNumber(22, fraction="15")),
        ("12К", HouseNumber(12, letter="К")),
        ("12 літ. Б", HouseNumber(12, letter="Б")),
        ("буд. 5", HouseNumber(5)),
        (" 7 ", HouseNumber(7)),
    ],
)
def test_parse_house_number_forms(text: str, expected: HouseNumber) -> None:
    assert parse_house_number(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("12/4", "12/4"),
        ("12-А", "12А"),
        ("12, к.2", "12 к2"),
        ("71/З", "71З"),
        ("34/1А", "34/1А"),
        ("12-а/3", "12А/3"),
    ],
)
def test_house_number_key(text: str, key: str) -> None:
    assert parse_house_number(text).key == key


def test_house_number_dtek_yasno_same_key() -> None:
    assert parse_house_number("71/З").key == parse_house_number("71З").key


def test_house_number_corner_is_not_fraction() -> None:
    corner = parse_house_number("12/4")

    assert corner.number == 12
    assert corner.key != parse_house_number("4").key


def test_house_number_block_is_not_fraction() -> None:
    assert parse_house_number("31/КОРП.2").fraction == ""


@pytest.mark.parametrize("text", ["", "   ", "абв", "12//4", "0", "12АБ", "71Б/З", "/4", "12-"])
def test_parse_house_number_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match=r"house number|two letters"):
        parse_house_number(text)


def test_parse_house_number_error_names_text() -> None:
    with pytest.raises(ValueError, match="'абв'"):
        parse_house_number("абв")


def test_parse_house_number_real_dtek_houses_all_parse() -> None:
    answer = json.loads(shared_file(GET_HOME_NUM).read_text(encoding="utf-8"))

    keys = {house: parse_house_number(house).key for house in answer["data"]}

    assert len(keys) == 48
    assert keys["71/З"] == "71З"
    assert keys["31/КОРП.2"] == "31 к2"
    assert keys["34/1А"] == "34/1А"
    assert keys["83/А"] == "83А"


def test_parse_house_number_real_dtek_keys_are_distinct() -> None:
    answer = json.loads(shared_file(GET_HOME_NUM).read_text(encoding="utf-8"))

    keys = [parse_house_number(house).key for house in answer["data"]]

    assert len(set(keys)) == len(keys)


def test_rank_house_matches_exact_first() -> None:
    numbers = ["100", "10/2", "10-Д", "10", "10-А", "110", "10/15", "9", "210"]

    assert rank_house_matches("10", numbers) == ["10", "10-А", "10-Д", "10/2", "10/15"]


def test_rank_house_matches_excludes_longer_numbers() -> None:
    assert rank_house_matches("10", ["100", "101", "1"]) == []


def test_rank_house_matches_letter_query() -> None:
    assert rank_house_matches("71з", ["71/З", "71", "71/Б", "71З"]) == ["71/З", "71З"]


def test_rank_house_matches_fraction_query() -> None:
    assert rank_house_matches("34/1", ["34", "34/1А", "34/1", "34/2"]) == ["34/1", "34/1А"]


def test_rank_house_matches_half_typed_query() -> None:
    assert rank_house_matches("10/", ["10/2", "10"]) == ["10", "10/2"]


def test_rank_house_matches_skips_unparseable() -> None:
    assert rank_house_matches("10", ["10", "гараж", "10Б"]) == ["10", "10Б"]


def test_rank_house_matches_unparseable_query_is_empty() -> None:
    assert rank_house_matches("абв", ["10"]) == []


def test_house_number_sort_key_orders_letters_alphabetically() -> None:
    numbers = ["10Є", "10Б", "10І", "10А", "10Ґ"]

    ordered = sorted(numbers, key=lambda text: parse_house_number(text).sort_key)

    assert ordered == ["10А", "10Б", "10Ґ", "10Є", "10І"]
