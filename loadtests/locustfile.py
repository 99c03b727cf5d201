"""Locust entry point: the blackout users, one load shape, and the pass/fail rules at quit.

    locust -f loadtests/locustfile.py --headless --host http://127.0.0.1:8000 --shape step

`--shape` (or DSO_LOADTEST_SHAPE) picks `wartime_spike` (the default), `step`, or `none` for
a plain run sized by `--users`, `--spawn-rate` and `--run-time`. The host must be a loopback
address: these tests load only a server started on this machine.
"""

import argparse
import importlib
import ipaddress
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import events

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Locust puts only this file's folder on sys.path; the users import the project's packages.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from loadtests import thresholds  # noqa: E402
from loadtests.users import (  # noqa: E402
    PASSED_CHECKS,
    BlackoutUser,
    probe_optional_routes,
    sample_addresses,
)

SHAPE_ENV = "DSO_LOADTEST_SHAPE"
SUMMARY_ENV = "DSO_LOADTEST_SUMMARY"
SHAPES = {
    "wartime_spike": "loadtests.shapes.wartime_spike:WartimeSpike",
    "step": "loadtests.shapes.step:StepLoad",
    "none": "",
}
DEFAULT_SHAPE = "wartime_spike"

__all__ = ["BlackoutUser"]


def chosen_shape(argv: list[str]) -> str:
    """Read `--shape` before locust parses the command line, since the shape class must exist at import."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--shape", default=os.environ.get(SHAPE_ENV, DEFAULT_SHAPE))
    name: str = parser.parse_known_args(argv)[0].shape
    if name not in SHAPES:
        raise SystemExit(f"--shape {name!r} is invalid: choose one of {', '.join(SHAPES)}")
    return name


def load_shape(name: str) -> Any:
    target = SHAPES[name]
    if not target:
        return None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


# Locust runs the one shape class it finds in this module, so only the chosen one is bound here.
SHAPE_NAME = chosen_shape(sys.argv[1:])
Shape = load_shape(SHAPE_NAME)
if Shape is None:
    del Shape


@events.init_command_line_parser.add_listener
def add_options(parser: Any) -> None:
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default=SHAPE_NAME,
        help=f"load shape: a table of stages, or none to use --users and --run-time (env {SHAPE_ENV})",
    )


def is_loopback(host: str) -> bool:
    """Return whether every address the host name resolves to is a loopback address."""
    name = urlsplit(host).hostname if "//" in host else host
    if not name:
        return False
    try:
        infos = socket.getaddrinfo(name, None)
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


@events.init.add_listener
def check_setup(environment: Any, **_kwargs: Any) -> None:
    """Stop before the first request when the target is not on this machine or the CSV is missing."""
    host = environment.host or ""
    if not is_loopback(host):
        sys.exit(f"--host {host!r} is not a loopback address: load tests target 127.0.0.1 only")
    try:
        count = len(sample_addresses())
    except (OSError, ValueError) as error:
        sys.exit(str(error))
    print(f"loadtest: shape {SHAPE_NAME}, {count} sample addresses, target {host}")


@events.test_start.add_listener
def probe_routes(environment: Any, **_kwargs: Any) -> None:
    routes = probe_optional_routes(environment.host.rstrip("/"), sample_addresses()[0])
    for name, present in (("page", routes.page), ("ics", routes.calendar)):
        if not present:
            print(f"loadtest: the {name} route answers 404 on this server, its step is skipped")


@events.quitting.add_listener
def apply_thresholds(environment: Any, **_kwargs: Any) -> None:
    """Print the run's numbers and why it failed, and set the exit code."""
    check_latency = thresholds.latency_checked()
    broken = thresholds.broken_rules(environment, check_latency=check_latency)
    summary = {
        "shape": SHAPE_NAME,
        "passed_checks": dict(PASSED_CHECKS),
        "latency_checked": check_latency,
        "broken": broken,
        "requests": thresholds.latency_summary(environment.stats),
    }
    path = os.environ.get(SUMMARY_ENV)
    if path:
        Path(path).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"loadtest: content checks passed: {dict(sorted(PASSED_CHECKS.items()))}")
    for rule in broken:
        print(f"loadtest: FAILED: {rule}")
    if not broken:
        print("loadtest: passed every threshold")
    environment.process_exit_code = 1 if broken else 0
