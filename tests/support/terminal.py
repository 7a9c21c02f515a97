"""Start a process the way a terminal does, so Ctrl-C (SIGINT) reaches it.

A shell that runs a job in the background (`make test &`, or CI in a script) sets SIGINT to
"ignored", and children inherit that: a Ctrl-C test would then fail for a reason no user
meets. Tests that press Ctrl-C start `waypoint run` with SIGINT back at its default.
"""

from __future__ import annotations

import signal


def interruptible() -> None:
    """preexec_fn for subprocesses: SIGINT as a terminal gives it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
