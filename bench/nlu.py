"""NLU speed: full training time from scratch, and one parse's latency through Rasa's API.

Targets (NLU issue): training <= 3 minutes on this 2-core machine; parse p95 <= 15 ms.
Measured here, never asserted in unit tests. Writes results/bench-nlu.json.

    make bench            # or: .venv/bin/python -m bench.nlu [--skip-training]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bot import model, stack
from bot.config import PROJECT_ROOT, Settings

HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.jsonl"


def time_training() -> float:
    """A from-scratch `rasa train nlu+core`: fresh output dir and an empty Rasa cache."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **model.rasa_env(PROJECT_ROOT), "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache")}
        started = time.monotonic()
        subprocess.run(
            [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"), "train", "--config", "config.yml",
             "--domain", "responses", "--data", "nlu", "stories", "--out", tmp],
            cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def time_parses(rounds: int) -> list[float]:
    settings = Settings.from_env()
    texts = [json.loads(line)["text"] for line in HOLDOUT.read_text().splitlines() if line.strip()]
    async with stack.serving(settings) as running:
        async with httpx.AsyncClient(base_url=settings.rasa_url, params={"token": running.auth_token}) as client:
            for text in texts[:20]:  # warm-up
                await client.post("/model/parse", json={"text": text})
            latencies = []
            for _ in range(rounds):
                for text in texts:
                    started = time.perf_counter()
                    response = await client.post("/model/parse", json={"text": text})
                    latencies.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description="NLU training time and parse latency")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result: dict[str, float | int] = {}
    if not args.skip_training:
        print("[bench] training from scratch (empty Rasa cache)...", flush=True)
        result["training_seconds"] = round(time_training(), 1)
        print(f"[bench] training: {result['training_seconds']} s (target <= 180 s)")
    latencies = asyncio.run(time_parses(args.rounds))
    result.update(
        parses=len(latencies),
        parse_p50_ms=round(statistics.median(latencies), 2),
        parse_p95_ms=round(percentile(latencies, 95), 2),
        parse_p99_ms=round(percentile(latencies, 99), 2),
    )
    print(f"[bench] /model/parse over {len(latencies)} calls: p50 {result['parse_p50_ms']} ms, "
          f"p95 {result['parse_p95_ms']} ms (target <= 15), p99 {result['parse_p99_ms']} ms")
    out = PROJECT_ROOT / "results" / "bench-nlu.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"[bench] wrote {out}")


if __name__ == "__main__":
    main()
