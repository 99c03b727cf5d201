"""Write the request paths that the wrk runs walk, one file per endpoint, from the sample CSV.

The samples are the addresses `loadtests.dataset` wrote with the database, so every path names
a street and a building that exist. The order is shuffled with a fixed seed, so two runs send
the same requests.

    python -m benchmarks.http.paths var/loadtest/addresses.csv var/bench/paths
"""

import argparse
import csv
import random
from pathlib import Path
from urllib.parse import urlencode

# Autocomplete prefixes are 3 to 8 characters of what a person types, as in loadtests/users.py.
PREFIX_LENGTHS = (3, 4, 5, 6, 8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path, help="CSV written by loadtests.dataset --out")
    parser.add_argument(
        "out", type=Path, help="folder for lookup.txt, autocomplete.txt, resolve.txt"
    )
    parser.add_argument("--seed", type=int, default=2026, help="shuffle seed")
    args = parser.parse_args()

    with args.samples.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    generator = random.Random(args.seed)
    generator.shuffle(rows)

    lookups, prefixes, resolves = [], [], []
    for row in rows:
        base = f"/api/v1/regions/{row['region']}"
        lookups.append(
            f"{base}/outages?{urlencode({'street_id': row['street_id'], 'house': row['house']})}"
        )
        prefix = row["typed"][: generator.choice(PREFIX_LENGTHS)].rstrip(" ,.-'’")
        if len(prefix) >= 3:
            prefixes.append(f"{base}/addresses/streets?{urlencode({'q': prefix})}")
        if row["resolve"]:
            resolves.append(f"{base}/addresses/resolve?{urlencode({'address': row['resolve']})}")

    args.out.mkdir(parents=True, exist_ok=True)
    for name, paths in (("lookup", lookups), ("autocomplete", prefixes), ("resolve", resolves)):
        if not paths:
            raise SystemExit(f"no {name} paths could be made from {args.samples}")
        (args.out / f"{name}.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
        print(f"paths: {len(paths)} {name} paths in {args.out / f'{name}.txt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
