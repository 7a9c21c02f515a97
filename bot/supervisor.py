"""Starts the servers the bot needs, waits until they are really ready, and stops them all.

A young person must never write into a half-started bot, and a crashed server must never go
unnoticed while the channel keeps accepting messages. So readiness is a health endpoint that
answers, not a sleep; a child that exits is reported with the end of its log and started
again (the channel answers with the lines to call meanwhile), and only a child that keeps
failing stops the bot; and stopping sends SIGTERM to each child's whole process group (Sanic
forks workers), then SIGKILL after a grace period.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ReadyCheck = Callable[[httpx.Response], bool]


def _status_ok(response: httpx.Response) -> bool:
    return response.status_code == 200


@dataclass
class ChildSpec:
    name: str
    argv: Sequence[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ready_timeout: float = 180.0
    is_ready: ReadyCheck = _status_ok


class ChildFailed(RuntimeError):
    """A child did not become ready, or exited while it should have been running."""

    def __init__(self, name: str, reason: str, log_tail: str) -> None:
        self.name = name
        self.reason = reason
        self.log_tail = log_tail
        super().__init__(f"{name} {reason}")

    def report(self) -> str:
        tail = self.log_tail.rstrip() or "(its log is empty)"
        return f"{self.name} {self.reason}. Last lines of its log:\n{tail}"


def _die_with_parent() -> None:
    """Runs in the child before exec: if the supervisor is killed, the child gets SIGTERM."""
    os.setsid()
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def tail_of(path: Path, lines: int = 20) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 16_384))
            return b"\n".join(fh.read().splitlines()[-lines:]).decode("utf-8", "replace")
    except OSError:
        return ""


class Child:
    def __init__(self, spec: ChildSpec) -> None:
        self.spec = spec
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def spawn(self) -> None:
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spec.log_path.open("ab") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                *self.spec.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self.spec.cwd,
                env={**os.environ, **self.spec.env},
                preexec_fn=_die_with_parent,
            )

    def failure(self, reason: str) -> ChildFailed:
        return ChildFailed(self.spec.name, reason, tail_of(self.spec.log_path))

    async def wait_ready(self, client: httpx.AsyncClient) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.spec.ready_timeout
        while True:
            if self.process.returncode is not None:
                raise self.failure(f"exited with code {self.process.returncode} while starting")
            try:
                response = await client.get(self.spec.health_url, timeout=2.0)
                if self.spec.is_ready(response):
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise self.failure(f"was not ready after {self.spec.ready_timeout:.0f} s")
            try:
                await asyncio.wait_for(self.process.wait(), timeout=0.25)
            except asyncio.TimeoutError:
                pass

    async def stop(self, grace: float) -> None:
        process = self.process
        if process is None:
            return
        if process.returncode is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    await asyncio.wait_for(process.wait(), timeout=wait)
                    break
                except asyncio.TimeoutError:
                    continue
        # Sanic workers live in the child's group and outlive a crashed leader; end them too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Supervisor:
    """Owns a set of child processes for the lifetime of an `async with` block."""

    def __init__(self, specs: Sequence[ChildSpec], stop_grace: float = 10.0) -> None:
        self.children = [Child(spec) for spec in specs]
        self.stop_grace = stop_grace
        self._stopping = False

    async def __aenter__(self) -> "Supervisor":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Spawn every child at once, then return when all are ready, or raise ChildFailed."""
        try:
            for child in self.children:
                await child.spawn()
            async with httpx.AsyncClient() as client:
                await asyncio.gather(*(c.wait_ready(client) for c in self.children))
        except BaseException:
            await self.stop()
            raise

    async def _first_exit(self) -> tuple[ChildFailed, Child]:
        """The first child that exits while the supervisor is running, and why."""
        waits = {
            asyncio.ensure_future(c.process.wait()): c for c in self.children if c.process
        }
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
        child = waits[next(iter(done))]
        return child.failure(f"stopped unexpectedly with exit code {child.process.returncode}"), child

    async def keep_running(self, on_restart: Callable[[ChildFailed], None] = lambda failure: None, *,
                           give_up_after: int = 5, within: float = 600.0, first_wait: float = 1.0) -> ChildFailed:
        """Restarts any child that exits, waiting longer each time (first_wait, doubling, at most
        30 s), while the channel keeps answering with the lines to call. Returns (never raises)
        the failure only when one child has failed `give_up_after` times `within` seconds:
        then it cannot recover and the bot should stop."""
        failures: dict[str, list[float]] = {}
        failure, child = await self._first_exit()
        while not self._stopping:  # a child stopped by stop() is never started again
            now = time.monotonic()
            recent = [t for t in failures.get(child.spec.name, []) if now - t < within] + [now]
            failures[child.spec.name] = recent
            if len(recent) >= give_up_after:
                return failure
            on_restart(failure)
            await child.stop(self.stop_grace)  # its workers too
            await asyncio.sleep(min(30.0, first_wait * 2 ** (len(recent) - 1)))
            if self._stopping:
                break
            try:
                await child.spawn()
                if self._stopping:  # stop() ran while it was starting
                    await child.stop(self.stop_grace)
                    break
                async with httpx.AsyncClient() as client:
                    await child.wait_ready(client)
            except ChildFailed as again:
                failure = again
                continue
            failure, child = await self._first_exit()
        return failure

    async def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        await asyncio.gather(*(c.stop(self.stop_grace) for c in reversed(self.children)))
