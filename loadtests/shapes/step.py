"""A step load to find the knee: add users in equal steps and hold each step long enough to read it.

Read the knee off the report's response-time chart: the step after which p95 turns up while
requests per second stop growing. The same environment variables as the spike stretch it.
"""

from loadtests.shapes.wartime_spike import Stage, StagedShape

STEP_USERS = 20
STEP_SECONDS = 20
STEPS = 9
STEP_RATE = 10


def step_stages(users: int, seconds: float, steps: int, rate: float) -> tuple[Stage, ...]:
    return tuple(
        Stage(f"step-{number}", until=seconds * number, users=users * number, rate=rate)
        for number in range(1, steps + 1)
    )


class StepLoad(StagedShape):
    stages = step_stages(STEP_USERS, STEP_SECONDS, STEPS, STEP_RATE)
