"""Background work that must outlive its own mistakes.

The waiting-room watcher sends the out-of-hours crisis pack and the purge deletes expired
kept messages; when one of them died on an unexpected exception, nobody waiting got the pack
again and nothing was purged, silently. Here a pass that fails is logged by the error's type
(never a message's words) and the next pass runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(seconds: float, step: Callable[[], Awaitable[None]], name: str) -> None:
    """Runs `step` every `seconds` until cancelled, whatever a pass raises."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await step()
        except Exception as exc:  # noqa: BLE001 - any failure, so the loop itself never dies
            log.error("background pass failed; the next one will run",
                      extra={"loop": name, "error": exc.__class__.__name__})
