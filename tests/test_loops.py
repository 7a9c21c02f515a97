"""Background loops survive a failing pass."""

import asyncio
import logging

from bot.loops import every


async def test_a_pass_that_raises_is_logged_by_type_and_the_next_pass_runs(caplog):
    passes = []

    async def step() -> None:
        passes.append(len(passes))
        if len(passes) == 1:
            raise KeyError("what a young person wrote")

    loop = asyncio.ensure_future(every(0.01, step, "waiting room"))
    while len(passes) < 3:
        await asyncio.sleep(0.01)
    loop.cancel()
    [failed] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert (failed.loop, failed.error) == ("waiting room", "KeyError")
    assert "what a young person wrote" not in caplog.text
