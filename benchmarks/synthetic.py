"""A synthetic national-scale address registry, built straight into the in-memory index.

Street names are drawn from real word stems combined with common endings and types, so keys
and prefixes are spread the way real names are; house numbers follow the mix of real lists
(plain, lettered, corner fractions and blocks).
"""

import random

from core.addresses.house_numbers import parse_house_number
from core.addresses.index import BuildingEntry, RegionIndex, StreetEntry
from core.addresses.normalize import street_key, street_token_set, street_type

STEMS = [
    "Шевченк",
    "Франк",
    "Лесі",
    "Хмельницьк",
    "Грушевськ",
    "Сковород",
    "Котляревськ",
    "Мазеп",
    "Сагайдачн",
    "Бандер",
    "Вишнев",
    "Садов",
    "Лугов",
    "Польов",
    "Степов",
    "Лісов",
    "Річков",
    "Соборн",
    "Незалежност",
    "Мир",
    "Центральн",
    "Шкільн",
    "Зелен",
    "Молодіжн",
    "Весел",
    "Сонячн",
    "Квітков",
    "Дружб",
    "Європейськ",
    "Козацьк",
    "Гетьманськ",
    "Запорізьк",
    "Київськ",
    "Одеськ",
    "Дніпровськ",
    "Харківськ",
    "Львівськ",
    "Черкаськ",
    "Полтавськ",
    "Волинськ",
    "Подільськ",
]
ENDINGS = ("а", "ої", "ого", "ська", "івська", "енка", "ка", "на")
TYPES = ("вул.", "вул.", "вул.", "пров.", "просп.", "бул.", "пл.", "наб.")


def street_names(count: int, seed: int = 7) -> list[str]:
    generator = random.Random(seed)
    names = set()
    while len(names) < count:
        stem = generator.choice(STEMS) + generator.choice(ENDINGS)
        extra = f" {generator.randint(1, 400)}" if generator.random() < 0.5 else ""
        names.add(f"{generator.choice(TYPES)} {stem}{extra}")
    return sorted(names)


def house_numbers(count: int, generator: random.Random) -> list[str]:
    numbers = []
    for value in range(1, count + 1):
        roll = generator.random()
        if roll < 0.08:
            numbers.append(f"{value}А")
        elif roll < 0.12:
            numbers.append(f"{value}/{generator.randint(1, 30)}")
        elif roll < 0.14:
            numbers.append(f"{value} корп. {generator.randint(1, 4)}")
        else:
            numbers.append(str(value))
    return numbers


def build_index(streets: int, buildings: int, queues: int = 60, seed: int = 7) -> RegionIndex:
    """Build one region's index with `streets` streets and about `buildings` buildings."""
    generator = random.Random(seed)
    index = RegionIndex()
    per_street = max(1, buildings // streets)
    building_id = 0
    queue_tuples: dict[str, tuple[str]] = {}
    for street_id, name in enumerate(street_names(streets, seed), start=1):
        key = street_key(name)
        index.add_street(
            StreetEntry(
                street_id,
                name,
                key,
                " ".join(sorted(street_token_set(name))),
                street_type(name),
                None,
                None,
                None,
            )
        )
        for number in house_numbers(per_street, generator):
            building_id += 1
            parsed = parse_house_number(number)
            queue = f"{generator.randint(1, queues)}.1"
            index.add_building(
                BuildingEntry(
                    building_id,
                    street_id,
                    number,
                    parsed.key,
                    queue_tuples.setdefault(queue, (queue,)),
                )
            )
    index.finish()
    return index
