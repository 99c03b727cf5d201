"""Demo data shared by the region plugins: outage patterns and DTEK house-to-queue answers.

Each plugin chooses its streets and writes the files in its own native source format; `make run`
imports those files through the same readers as real ones. Patterns are deterministic, so two
runs on the same day produce the same schedules and the second import makes no new version.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

import msgspec

from core.formats.dtek import write_dtek_fact
from core.formats.yasno import write_yasno_planned_outages
from core.hookspecs import SourceFile
from core.timezone import local_minute_to_utc, now_utc, to_local

# The demo sources say they were updated at 06:00 Kyiv time on the first demo day.
UPDATE_MINUTE = 6 * 60

# Each queue is off twice a day for 3.5 hours, twelve hours apart, shifted by 30 minutes per
# queue and per day, so neighbouring queues and consecutive days differ.
OUTAGE_MINUTES = 210
STEP_MINUTES = 30
HALF_DAY = 720


def demo_off_spans(queue_index: int, day: dt.date) -> list[tuple[int, int]]:
    """Return the demo outages of one queue on one day as wall-clock minute spans."""
    first = ((queue_index * 2 + day.toordinal()) * STEP_MINUTES) % HALF_DAY
    return [(start, min(start + OUTAGE_MINUTES, 1440)) for start in (first, first + HALF_DAY)]


def demo_days(
    today: dt.date, queues: Sequence[str]
) -> dict[dt.date, dict[str, list[tuple[int, int]]]]:
    """Return demo outages for today and tomorrow, per queue."""
    return {
        day: {queue: demo_off_spans(index, day) for index, queue in enumerate(queues)}
        for day in (today, today + dt.timedelta(days=1))
    }


def dtek_house_answer(houses: Mapping[str, Sequence[str]], updated: dt.datetime) -> bytes:
    """Write a DTEK `getHomeNum` answer: house number -> the queues (`GPVx.y`) that feed it."""
    stamp = to_local(updated)
    data = {
        number: {
            "sub_type": "",
            "start_date": "",
            "end_date": "",
            "type": "",
            "sub_type_reason": [f"GPV{queue}" for queue in queues],
            "voluntarily": None,
        }
        for number, queues in houses.items()
    }
    answer = {"result": True, "data": data, "updateTimestamp": stamp.strftime("%H:%M %d.%m.%Y")}
    return msgspec.json.encode(answer)


def assign_queues(
    numbers: Sequence[str], queues: Sequence[str], offset: int
) -> dict[str, list[str]]:
    """Spread buildings over the queues, starting at `offset` so streets do not all start at 1.1.

    The last building of the first street (offset 0) is fed by two lines, so the demo shows a
    building without a single queue.
    """
    assigned = {
        number: [queues[(offset + index) % len(queues)]] for index, number in enumerate(numbers)
    }
    if offset == 0 and numbers:
        assigned[numbers[-1]] = [queues[0], queues[1 % len(queues)]]
    return assigned


def demo_update_time(today: dt.date) -> dt.datetime:
    """Return 06:00 Kyiv time on `today`, or the current minute when that is still ahead."""
    current_minute = now_utc().replace(second=0, microsecond=0)
    return min(local_minute_to_utc(today, UPDATE_MINUTE), current_minute)


def demo_sources(
    region: str,
    today: dt.date,
    queues: Sequence[str],
    addresses: dict[str | None, dict[str, list[str]]],
    *,
    schedule_formats: Sequence[str] = ("dtek",),
) -> list[SourceFile]:
    """Write a region's demo files: its schedule in each of `schedule_formats`, and house lists.

    `addresses` maps a settlement (None where the region has no settlement step) to streets and
    their house numbers. Each street becomes a DTEK `getHomeNum` answer.
    """
    updated = demo_update_time(today)
    days = demo_days(today, queues)
    files = [
        SourceFile(
            "schedule",
            f"{region}-demo-{name}.json",
            msgspec.json.encode(_WRITERS[name](days, updated_at=updated)),
        )
        for name in schedule_formats
    ]
    offset = 0
    for settlement, streets in addresses.items():
        for street, numbers in streets.items():
            context = {"street": street} | ({"settlement": settlement} if settlement else {})
            houses = assign_queues(numbers, queues, offset * 7)
            files.append(
                SourceFile(
                    "addresses",
                    f"{region}-demo-houses-{offset}.json",
                    dtek_house_answer(houses, updated),
                    context,
                )
            )
            offset += 1
    return files


_WRITERS = {"dtek": write_dtek_fact, "yasno": write_yasno_planned_outages}
