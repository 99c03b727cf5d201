"""Named points in the job pipeline where a test can kill the process with a real SIGKILL.

Crash safety is easy to claim and hard to show: stopping a worker politely runs its cleanup,
which a power cut or the kernel's OOM killer never does. A process started with
`DSO_CRASH_AT=<name>` sends itself SIGKILL the first time it reaches `crash_point(name)`. So a
test can kill a worker exactly between two steps, such as after a billing system took a batch
and before the platform recorded it. The test then starts it again without the variable.

The names in use are listed in `POINTS`. An unknown name in the variable is a configuration
error, so a typo cannot make a crash test pass by never crashing. Without the variable a call
is one comparison.
"""

import os
import signal

from core.errors import ConfigError

VARIABLE = "DSO_CRASH_AT"

POINTS = frozenset(
    {
        # A notification is claimed, nothing has been sent yet.
        "notification.before_send",
        # The receiver accepted the notification; its delivery record is not written yet.
        "notification.after_send",
        # A reading batch is claimed, nothing has been delivered yet.
        "readings.before_delivery",
        # The billing destination took the batch; the platform has not recorded it yet.
        "readings.after_delivery",
    }
)


def _configured() -> str:
    name = os.environ.get(VARIABLE, "")
    if name and name not in POINTS:
        raise ConfigError(VARIABLE, name, f"expected one of {', '.join(sorted(POINTS))}")
    return name


_armed = _configured()


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL if `DSO_CRASH_AT` names this point."""
    if _armed == name:
        os.kill(os.getpid(), signal.SIGKILL)
