"""Runs a check script in the Rasa environment (TensorFlow and Rasa live only there) and
returns the JSON object it prints last: for tests of pipeline components with their real
weights, which the app environment cannot import."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from bot import model
from bot.config import PROJECT_ROOT


def run_in_rasa_env(script: str) -> Any:
    run = subprocess.run(
        [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-c", script],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
        env={**os.environ, **model.rasa_env(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])
