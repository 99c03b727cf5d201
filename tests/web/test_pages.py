"""The region page and the region list, read as HTML over the test client on the demo data."""

import asyncio
import datetime as dt
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from core.addresses.schemas_api import OperatorOut
from core.cli import main
from core.outages.schemas import AddressOut, DayOut, OutageLookupOut, QueueOutlookOut, StateOut
from core.schedules.schemas import IntervalOut
from core.settings import Settings
from core.web.views import day_view, result_view, state_sentence
from tests.conftest import STAFF_TOKEN, refresh_indexes

ADDRESS = "вул. Здановської Юлії 71/З"
NOON = "2026-01-29T12:00:00+02:00"
TODAY = dt.date(2026, 1, 29)
KYIV_OFFSET = dt.timezone(dt.timedelta(hours=2))


@pytest.fixture
async def demo(client: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test client with the demo data of 2026-01-29 loaded and indexed."""
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    assert await asyncio.to_thread(main, ["demo", "load", "--date", "2026-01-29"]) == 0
    await refresh_indexes(client)
    return client


async def _page(client: Any, region: str = "kyiv", **params: str) -> Any:
    return await client.get(f"/regions/{region}", params=params)


async def _api(client: Any, address: str) -> dict[str, Any]:
    response = await client.get(
        "/api/v1/regions/kyiv/outages", params={"address": address, "at": NOON}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _clock(iso: str, day: str) -> str:
    """Return the wall-clock time of an API instant, with the next midnight as 24:00."""
    instant = dt.datetime.fromisoformat(iso)
    if instant.date().isoformat() > day and instant.strftime("%H:%M") == "00:00":
        return "24:00"
    return instant.strftime("%H:%M")


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]+)"', html)]


async def test_region_page_shows_queue_of_api(demo: Any) -> None:
    lookup = await _api(demo, ADDRESS)

    response = await _page(demo, address=ADDRESS, at=NOON)
    assert response.status_code == 200
    assert lookup["queue"]
    assert f"Черга {lookup['queue']}" in response.text


async def test_region_page_lists_today_intervals(demo: Any) -> None:
    lookup = await _api(demo, ADDRESS)
    today = lookup["days"][0]

    html = (await _page(demo, address=ADDRESS, at=NOON)).text
    assert today["intervals"]
    for interval in today["intervals"]:
        span = (
            f"{_clock(interval['start'], today['date'])}–{_clock(interval['end'], today['date'])}"
        )
        assert f"<li>{span} — відключення</li>" in html


async def test_region_page_states_now_in_a_sentence(demo: Any) -> None:
    state = (await _api(demo, ADDRESS))["state"]
    until = _clock(state["until"], "2026-01-29")
    expected = {
        "on": f"Світло є до {until}",
        "off": f"Світла немає з {_clock(state['since'], '2026-01-29')} до {until}",
        "possible": f"Можливе відключення до {until}",
    }[state["value"]]

    html = (await _page(demo, address=ADDRESS, at=NOON)).text
    assert expected in html


async def test_region_page_shows_both_days_and_source(demo: Any) -> None:
    html = (await _page(demo, address=ADDRESS, at=NOON)).text
    assert "Сьогодні, четвер 29.01.2026" in html
    assert "Завтра, пʼятниця 30.01.2026" in html
    assert "Графік діє" in html
    assert "Джерело: ДТЕК Київські електромережі, оновлено 29.01.2026 06:00" in html
    assert html.count('<div class="bar"') == 2


async def test_region_page_shows_times_in_kyiv(demo: Any) -> None:
    html = (await _page(demo, address=ADDRESS, at="2026-01-29T10:00:00Z")).text
    assert "Станом на 29.01.2026 12:00" in html


async def test_region_page_in_english(demo: Any) -> None:
    lookup = await _api(demo, ADDRESS)

    response = await _page(demo, address=ADDRESS, at=NOON, lang="en")
    assert '<html lang="en">' in response.text
    assert f"Queue {lookup['queue']}" in response.text
    assert "Today, Thursday 29.01.2026" in response.text
    assert response.headers["content-language"] == "en"


async def test_region_page_english_from_header(demo: Any) -> None:
    response = await demo.get(
        "/regions/kyiv", params={"address": ADDRESS, "at": NOON}, headers={"Accept-Language": "en"}
    )
    assert '<html lang="en">' in response.text
    assert "Power is" in response.text


async def test_region_page_ukrainian_by_default(demo: Any) -> None:
    response = await _page(demo)
    assert response.status_code == 200
    assert '<html lang="uk">' in response.text
    assert 'name="address"' in response.text


async def test_lang_switch_keeps_query(demo: Any) -> None:
    html = (await _page(demo, address=ADDRESS, at=NOON)).text
    match = re.search(r'<a class="lang" href="([^"]+)"', html)
    assert match is not None

    query = parse_qs(urlsplit(match.group(1).replace("&amp;", "&")).query)
    assert query["lang"] == ["en"]
    assert query["address"] == [ADDRESS]
    assert query["at"] == [NOON]


async def test_building_fed_by_two_lines(demo: Any) -> None:
    html = (await _page(demo, address="вул. Хрещатик 25/3", at=NOON)).text
    assert "Живиться від двох ліній: черги 1.1 і 2.1" in html
    assert "<h3>Черга 1.1</h3>" in html
    assert "<h3>Черга 2.1</h3>" in html


async def test_candidates_page_for_street_without_house(demo: Any) -> None:
    response = await _page(demo, address="Хрещатик", at=NOON)
    assert response.status_code == 200
    assert "Виберіть адресу:" in response.text
    assert "вул. Хрещатик 22" in response.text


async def test_candidate_link_opens_building(demo: Any) -> None:
    html = (await _page(demo, address="Хрещатик", at=NOON)).text
    link = next(href for href in _links(html) if "house=22" in href)

    response = await demo.get(link)
    assert response.status_code == 200
    assert "<h2>вул. Хрещатик 22</h2>" in response.text
    assert "Черга " in response.text


async def test_not_found_page_suggests_streets(demo: Any) -> None:
    response = await _page(demo, address="Хрещ 5", at=NOON)
    assert response.status_code == 404
    assert "Адресу «Хрещ 5» не знайдено" in response.text
    assert "Можливо, ви мали на увазі:" in response.text
    assert "вул. Хрещатик 5" in response.text


async def test_unknown_house_suggests_houses(demo: Any) -> None:
    response = await _page(demo, address="вул. Хрещатик 7", at=NOON)
    assert response.status_code == 404
    assert "вул. Хрещатик 12/4" in response.text


async def test_unknown_region_page_is_404(demo: Any) -> None:
    response = await _page(demo, "atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Регіон «atlantis» тут не обслуговується" in response.text


async def test_unknown_region_page_in_english(demo: Any) -> None:
    response = await _page(demo, "atlantis", lang="en")
    assert response.status_code == 404
    assert "Region 'atlantis' is not served here" in unescape(response.text)


async def test_long_address_is_rejected_on_page(demo: Any) -> None:
    response = await _page(demo, address="Хрещатик " * 1200)
    assert response.status_code == 400
    assert "Адреса задовга: 10800 символів" in response.text
    assert len(response.content) < 30_000


async def test_empty_address_asks_for_one(demo: Any) -> None:
    response = await _page(demo, address="   ")
    assert response.status_code == 200
    assert "Введіть вулицю і номер будинку." in response.text


async def test_control_characters_are_ignored(demo: Any) -> None:
    response = await _page(demo, address=f"\x00{ADDRESS}\x07\t", at=NOON)
    assert response.status_code == 200
    assert f"<h2>{ADDRESS}</h2>" in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"at": "yesterday"}, "Час «yesterday» недійсний"),
        ({"at": "9999-12-31T23:59:59-12:00"}, "недійсний"),
        ({"street_id": "abc"}, "Посилання на вулицю недійсне"),
        ({"street_id": "99999"}, "Вулицю 99999 не знайдено"),
        ({"house": "1" * 100, "street_id": "1"}, "Номер будинку задовгий"),
    ],
)
async def test_bad_input_gives_page_with_message(
    demo: Any, params: dict[str, str], message: str
) -> None:
    response = await _page(demo, **params)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text


async def test_page_size_under_30_kb(demo: Any) -> None:
    response = await _page(demo, address="вул. Хрещатик 25/3", at=NOON)
    assert response.status_code == 200
    assert len(response.content) < 30_000


@pytest.mark.parametrize("path", ["/", "/regions/kyiv", "/regions/atlantis"])
async def test_pages_have_no_script(demo: Any, path: str) -> None:
    response = await demo.get(path, params={"address": ADDRESS, "at": NOON})
    assert "<script" not in response.text.lower()
    assert "javascript:" not in response.text.lower()
    assert not re.search(r"<[^>]+\son\w+\s*=", response.text)


@pytest.mark.parametrize("path", ["/", "/regions/kyiv", "/regions/atlantis"])
async def test_pages_load_nothing_external(demo: Any, path: str) -> None:
    html = (await demo.get(path, params={"address": ADDRESS, "at": NOON})).text
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html
    assert "url(" not in html
    assert "<link" not in html
    assert "@font-face" not in html


async def test_page_security_policy_forbids_scripts(demo: Any) -> None:
    response = await _page(demo)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


async def test_print_styles_hide_form_keep_patterns(demo: Any) -> None:
    html = (await _page(demo, address=ADDRESS, at=NOON)).text
    print_css = html[html.index("@media print") :]
    assert re.search(r"form[^{]*\{display:none", print_css)
    assert ".possible{background:repeating-linear-gradient" in print_css
    assert "print-color-adjust:exact" in print_css


async def test_region_list_links_regions(demo: Any) -> None:
    html = (await demo.get("/")).text
    assert '<a href="/regions/kyiv">Київ</a>' in html


async def test_region_list_in_english_keeps_lang(demo: Any) -> None:
    html = (await demo.get("/", params={"lang": "en"})).text
    assert '<a href="/regions/kyiv?lang=en">Kyiv</a>' in html


def _answer(state: StateOut, **changes: Any) -> OutageLookupOut:
    at = dt.datetime(2026, 1, 29, 12, tzinfo=KYIV_OFFSET)
    outlook = QueueOutlookOut("3.1", state, None, False, [])
    fields: dict[str, Any] = {
        "region": "dnipro",
        "at": at,
        "address": AddressOut(1, 1, "вул. Центральна", "1", "с. Степове", None),
        "queue": "3.1",
        "queues": ["3.1"],
        "other_operator": None,
        "state": state,
        "next_outage": None,
        "next_outage_known": False,
        "days": [],
        "by_queue": [outlook],
        "planned_works": [],
        "incidents": [],
        "source": None,
    }
    return OutageLookupOut(**(fields | changes))


def _at(hour: int, minute: int = 0, day: int = 29) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=KYIV_OFFSET)


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        (StateOut("on", _at(7), _at(14)), "Світло є до 14:00"),
        (StateOut("on", None, None), "Світло є"),
        (StateOut("on", _at(19), _at(4, day=30)), "Світло є до завтра 04:00"),
        (StateOut("off", _at(10, 30), _at(14)), "Світла немає з 10:30 до 14:00"),
        (StateOut("off", _at(20), _at(0, day=30)), "Світла немає з 20:00 до 24:00"),
        (StateOut("off", _at(22, day=28), _at(2)), "Світла немає з вчора 22:00 до 02:00"),
        (StateOut("possible", None, None), "Можливе відключення"),
        (StateOut("emergency", None, None), "Аварійні відключення: графіки не діють"),
        (StateOut("unknown", None, None), "Немає даних"),
    ],
)
def test_state_sentence(state: StateOut, sentence: str) -> None:
    assert state_sentence(state, TODAY, "uk") == sentence


def test_other_operator_named_instead_of_queue() -> None:
    answer = _answer(
        StateOut("unknown", None, None),
        queue=None,
        queues=[],
        by_queue=[],
        other_operator=OperatorOut("ЦЕК", "0 800 300 015", None),
    )
    view = result_view(answer, "uk")
    assert view.queue_text == "Обслуговує ЦЕК"
    assert view.outlooks == []
    assert view.operator_text is not None
    assert "0 800 300 015" in view.operator_text


def test_emergency_day_is_drawn_unknown() -> None:
    slot = IntervalOut(_at(10), _at(14), "off")
    view = day_view(DayOut(TODAY, "emergency", [slot], None, None), _at(12), TODAY, "uk")
    assert [s.state for s in view.segments] == ["unknown"]
    assert view.slots == []
    assert view.status_text == "Аварійні відключення: графіки не діють"


def test_short_spring_day_bar_positions() -> None:
    """2025-03-30 has 23 hours in Kyiv, so 12:00 lies 11 of 23 hours into the day."""
    day = dt.date(2025, 3, 30)
    noon = dt.datetime(2025, 3, 30, 9, tzinfo=dt.UTC)
    view = day_view(DayOut(day, "no_outages", [], None, None), noon, day, "uk")
    assert [t.label for t in view.ticks] == ["00", "06", "12", "18", "24"]
    assert view.ticks[2].left == round(11 / 23 * 100, 2)
    assert view.now_left == round(11 / 23 * 100, 2)
    assert [s.state for s in view.segments] == ["on"]


def test_possible_slot_drawn_and_listed() -> None:
    slots = [IntervalOut(_at(8), _at(10), "possible"), IntervalOut(_at(20), _at(0, day=30), "off")]
    view = day_view(DayOut(TODAY, "waiting", slots, None, None), _at(12), TODAY, "uk")
    assert [s.state for s in view.segments] == ["on", "possible", "on", "off"]
    assert [(s.span, s.state_text) for s in view.slots] == [
        ("08:00–10:00", "можливе відключення"),
        ("20:00–24:00", "відключення"),
    ]
    assert view.segments[-1].left + view.segments[-1].width == 100.0
