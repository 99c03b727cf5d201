"""Run `dso` commands as real child processes, so a test can kill one and start it again.

Crash tests use these with `DSO_CRASH_AT` (see core/crashpoints.py): the child kills itself
with SIGKILL at the named point, exactly as the kernel would kill it, and the test checks what
a fresh process does next.
"""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


class DsoProcess:
    """One `python -m core.cli <args>` child in its own process group, output kept in a file."""

    def __init__(self, args: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.args = args
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def wait_exit(self, timeout: float) -> int:
        """Wait until the child exits by itself and return its exit code (negative: a signal)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"`dso {' '.join(self.args)}` did not exit in {timeout} s; output:\n{self.output()}"
            ) from None

    def stop(self, timeout: float = 30) -> int:
        """Ask the child to stop with SIGTERM, as a service manager would, and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.wait(5)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._log.close()

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


async def wait_killed(process: DsoProcess, crash_at: str) -> None:
    """Wait up to 30 s for the child to exit; fail unless SIGKILL at `crash_at` ended it."""
    for _ in range(600):
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    assert process.returncode == -signal.SIGKILL, (
        f"the process should have been killed at {crash_at}; output:\n{process.output()}"
    )


async def wait_ready(client: httpx.AsyncClient, process: DsoProcess) -> None:
    """Wait up to 60 s until a `dso serve` child answers /health/ready with 200."""
    for _ in range(600):
        assert process.returncode is None, f"`dso serve` exited early:\n{process.output()}"
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"`dso serve` never became ready:\n{process.output()}")
