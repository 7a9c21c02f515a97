"""NLU speed and size: training time from scratch, one parse's latency through Rasa's API,
and the Rasa server's memory.

Targets (understanding issue): training under 5 minutes on this 2-core machine; parse p95 at
most twice the pipeline's before the sentence encoder (bench/before-encoder.json, measured on
this machine kind with that model); Rasa server RSS under 1.6 GB. Measured here, never
asserted in unit tests. Writes results/bench-nlu.json.

    make bench            # or: .venv/bin/python -m bench.nlu [--skip-training]
    WAYPOINT_MODEL=models/<old>.tar.gz .venv/bin/python -m bench.nlu --skip-training   # another model
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
BEFORE = Path(__file__).with_name("before-encoder.json")
MAX_RSS_MB = 1600


def rasa_server_memory_mb(port: int) -> tuple[float, float]:
    """(RSS now, peak RSS) of the `rasa run` process serving on `port`, from /proc."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"run" in argv and str(port).encode() in argv and any(a.endswith(b"/rasa") for a in argv):
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)
    return (float("nan"), float("nan"))


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


async def time_parses(rounds: int) -> tuple[list[float], float, float, str]:
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
            model_file = Path((await client.get("/status")).json().get("model_file") or "?").name
        rss, peak = rasa_server_memory_mb(settings.rasa_port)
    return latencies, rss, peak, model_file


def main() -> None:
    parser = argparse.ArgumentParser(description="NLU training time and parse latency")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result: dict[str, float | int] = {}
    if not args.skip_training:
        print("[bench] training from scratch (empty Rasa cache)...", flush=True)
        result["training_seconds"] = round(time_training(), 1)
        print(f"[bench] training: {result['training_seconds']} s (target < 300 s)")
    latencies, rss, peak, model_file = asyncio.run(time_parses(args.rounds))
    result.update(
        model=model_file,
        parses=len(latencies),
        parse_p50_ms=round(statistics.median(latencies), 2),
        parse_p95_ms=round(percentile(latencies, 95), 2),
        parse_p99_ms=round(percentile(latencies, 99), 2),
        rasa_rss_mb=round(rss), rasa_peak_rss_mb=round(peak),
    )
    before = json.loads(BEFORE.read_text())
    print(f"[bench] /model/parse over {len(latencies)} calls ({model_file}):")
    print(f"[bench]   before the encoder ({before['model']}): p50 {before['parse_p50_ms']} ms, "
          f"p95 {before['parse_p95_ms']} ms, Rasa RSS {before['rasa_rss_mb']} MB, "
          f"training {before['training_seconds']} s")
    print(f"[bench]   now: p50 {result['parse_p50_ms']} ms, p95 {result['parse_p95_ms']} ms "
          f"(target <= {2 * before['parse_p95_ms']:.1f}), p99 {result['parse_p99_ms']} ms")
    print(f"[bench] Rasa server memory: RSS {result['rasa_rss_mb']} MB, peak {result['rasa_peak_rss_mb']} MB "
          f"(target < {MAX_RSS_MB} MB)")
    out = PROJECT_ROOT / "results" / "bench-nlu.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"[bench] wrote {out}")


if __name__ == "__main__":
    main()
