"""The supervisor against real child processes: readiness, a crash, a clean stop."""

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.supervisor import ChildFailed, ChildSpec, Supervisor
from tests.support.net import alive, free_port, listening

TOY = Path(__file__).parent / "support" / "toy_server.py"


def toy(tmp_path: Path, name: str, *flags: str, ready_timeout: float = 20.0) -> ChildSpec:
    port = free_port()
    return ChildSpec(
        name=name,
        argv=[sys.executable, str(TOY), "--port", str(port), *flags],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=tmp_path / f"{name}.log",
        ready_timeout=ready_timeout,
    )


async def test_start_returns_only_when_every_child_answers_its_health_check(tmp_path):
    slow = toy(tmp_path, "slow", "--ready-after", "1.5")
    quick = toy(tmp_path, "quick")
    async with Supervisor([slow, quick]):
        async with httpx.AsyncClient() as client:
            for spec in (slow, quick):
                assert (await client.get(spec.health_url)).status_code == 200


async def test_child_that_dies_while_starting_is_reported_and_the_others_are_stopped(tmp_path):
    doomed = toy(tmp_path, "doomed", "--ready-after", "60", "--exit-after", "0.5", "--exit-code", "7")
    healthy = toy(tmp_path, "healthy")
    supervisor = Supervisor([healthy, doomed])
    with pytest.raises(ChildFailed) as failure:
        await supervisor.start()
    assert failure.value.name == "doomed"
    assert "exit" in failure.value.reason and "7" in failure.value.reason
    assert "simulated crash" in failure.value.report()
    assert not alive(supervisor.children[0].pid)


async def test_child_that_never_gets_ready_fails_after_its_timeout(tmp_path):
    stuck = toy(tmp_path, "stuck", "--ready-after", "600", ready_timeout=1.0)
    supervisor = Supervisor([stuck])
    with pytest.raises(ChildFailed, match="not ready after"):
        await supervisor.start()
    assert not alive(supervisor.children[0].pid)


async def test_crash_after_start_is_reported_with_its_log_and_the_others_stopped(tmp_path):
    pidfile = tmp_path / "worker.pid"
    crashing = toy(tmp_path, "crashing", "--exit-after", "1", "--exit-code", "9", "--grandchild-pidfile", str(pidfile))
    steady = toy(tmp_path, "steady")
    supervisor = Supervisor([steady, crashing])
    async with supervisor:
        failure = await asyncio.wait_for(supervisor.keep_running(give_up_after=1), timeout=20)
    assert failure.name == "crashing"
    assert "9" in failure.reason
    assert "simulated crash" in failure.report()
    assert not alive(supervisor.children[0].pid)
    # The crashed child's worker must not be left behind.
    worker = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not alive(worker)


async def test_stop_ends_every_child_and_its_workers_even_if_sigterm_is_ignored(tmp_path):
    pidfile = tmp_path / "worker.pid"
    forking = toy(tmp_path, "forking", "--grandchild-pidfile", str(pidfile))
    stubborn = toy(tmp_path, "stubborn", "--ignore-term")
    supervisor = Supervisor([forking, stubborn], stop_grace=1.0)
    async with supervisor:
        worker = int(pidfile.read_text())
        assert alive(worker)
        pids = [c.pid for c in supervisor.children]
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not alive(worker)
    assert not any(alive(pid) for pid in pids)
    for spec in (forking, stubborn):
        assert not listening(int(spec.health_url.split(":")[2].split("/")[0]))


async def test_a_child_that_exits_is_started_again_and_only_one_that_keeps_failing_gives_up(tmp_path):
    # A dead Rasa or action server used to stop the whole bot for good.
    flaky = toy(tmp_path, "flaky", "--exit-after", "1.5", "--exit-code", "3")
    steady = toy(tmp_path, "steady")
    restarts, answered_again = [], []

    def on_restart(failure: ChildFailed) -> None:
        restarts.append(failure.name)

    async with Supervisor([steady, flaky]) as supervisor:
        keeping = asyncio.ensure_future(supervisor.keep_running(on_restart, give_up_after=3, first_wait=0.2))
        async with httpx.AsyncClient() as client:
            while len(restarts) < 1:
                await asyncio.sleep(0.05)
            while not keeping.done():
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(flaky.health_url, timeout=1)).status_code == 200:
                        answered_again.append(True)
                await asyncio.sleep(0.1)
            steady_pid = supervisor.children[0].pid
            assert (await client.get(steady.health_url)).status_code == 200  # never touched
        failure = keeping.result()
    assert restarts == ["flaky", "flaky"] and answered_again
    assert failure.name == "flaky" and "3" in failure.reason
    assert not alive(steady_pid)


async def test_children_ended_by_stop_are_not_started_again(tmp_path):
    # Ctrl-C: stop() ends every child; the restart loop must not see that as a crash.
    first, second = toy(tmp_path, "first"), toy(tmp_path, "second")
    supervisor = Supervisor([first, second], stop_grace=1.0)
    restarts = []
    async with supervisor:
        keeping = asyncio.ensure_future(supervisor.keep_running(lambda f: restarts.append(f.name), first_wait=0.1))
        await asyncio.sleep(0.2)
    await asyncio.wait_for(keeping, 10)
    await asyncio.sleep(0.5)
    assert restarts == []
    for spec in (first, second):
        assert not listening(int(spec.health_url.split(":")[2].split("/")[0]))
