"""The wartime spike: calm, a 20x surge within seconds of a schedule being published, a plateau, a decay.

Stages are a table, so a run can be read and changed without reading code. Two environment
variables stretch it: DSO_LOADTEST_USERS_SCALE multiplies the users (and spawn rates), and
DSO_LOADTEST_TIME_SCALE multiplies the durations. The default run lasts 3 minutes and stops by
itself when the table ends.
"""

import os
from dataclasses import dataclass

from locust import LoadTestShape

USERS_SCALE_ENV = "DSO_LOADTEST_USERS_SCALE"
TIME_SCALE_ENV = "DSO_LOADTEST_TIME_SCALE"


@dataclass(frozen=True)
class Stage:
    """Hold `users` until `until` seconds from the start, starting or stopping `rate` users a second."""

    name: str
    until: float
    users: int
    rate: float


# 100 users are 20x fewer than the 2,000 of the surge; at rate 200 the surge is full 10 s after
# the publish. Each user keeps one connection open, as a browser does.
STAGES = (
    Stage("calm", until=30, users=100, rate=20),
    Stage("publish-surge", until=60, users=2000, rate=200),
    Stage("plateau", until=120, users=2000, rate=200),
    Stage("decay", until=150, users=800, rate=100),
    Stage("tail", until=180, users=200, rate=50),
)


def scale(name: str) -> float:
    """Return a positive multiplier from the environment, 1 when unset."""
    value = float(os.environ.get(name, "1"))
    if value <= 0:
        raise ValueError(f"{name}={value} is invalid: use a number above 0")
    return value


class StagedShape(LoadTestShape):
    """Walk a table of stages scaled by the environment; stop after the last one."""

    abstract = True
    stages: tuple[Stage, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        users, seconds = scale(USERS_SCALE_ENV), scale(TIME_SCALE_ENV)
        self.scaled = tuple(
            Stage(
                stage.name,
                until=stage.until * seconds,
                users=max(1, round(stage.users * users)),
                rate=max(0.1, stage.rate * users / seconds),
            )
            for stage in self.stages
        )

    def current_stage(self, run_time: float) -> Stage | None:
        return next((stage for stage in self.scaled if run_time < stage.until), None)

    def tick(self) -> tuple[int, float] | None:
        stage = self.current_stage(self.get_run_time())
        return None if stage is None else (stage.users, stage.rate)


class WartimeSpike(StagedShape):
    stages = STAGES
