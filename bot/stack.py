"""The two servers behind every channel: Rasa (in .venv-rasa) and the action server (in .venv).

`serving(settings)` yields once both answer on loopback: it reuses servers that are already
running (a maintainer's `make run` in another terminal) and otherwise starts and later stops
its own, so `waypoint chat --jsonl` and the tests need no manual start.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bot import model, secret_store
from bot.config import Settings
from bot.supervisor import ChildSpec, Supervisor


@dataclass(frozen=True)
class Stack:
    settings: Settings
    auth_token: str
    supervisor: Supervisor | None  # None when we attached to servers someone else runs


def auth_token(settings: Settings) -> str:
    return settings.rasa_auth_token or secret_store.load(settings.var_dir)["rasa_auth_token"]


def _model_loaded(response: httpx.Response) -> bool:
    return response.status_code == 200 and bool(response.json().get("model_id"))


def child_specs(settings: Settings, token: str) -> list[ChildSpec]:
    root = settings.project_root
    model_file = settings.model_file or model.ensure_model(root, log_file=settings.log_dir / "train.log")
    rasa = ChildSpec(
        name="rasa",
        argv=[
            str(root / ".venv-rasa" / "bin" / "rasa"), "run",
            "--model", str(model_file),
            "--interface", settings.host,
            "--port", str(settings.rasa_port),
            "--enable-api",
            # "=" form: a token may start with "-", which argparse would read as an option.
            f"--auth-token={token}",
            "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml",
        ],
        health_url=f"{settings.rasa_url}/status?token={token}",
        is_ready=_model_loaded,
        log_path=settings.log_dir / "rasa.log",
        env={**model.rasa_env(root), "WAYPOINT_ACTIONS_URL": f"{settings.actions_url}/webhook"},
        cwd=root,
    )
    actions = ChildSpec(
        name="actions",
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions",
              "--port", str(settings.actions_port)],
        health_url=f"{settings.actions_url}/health",
        log_path=settings.log_dir / "actions.log",
        env={"SANIC_HOST": settings.host, "PYTHONPATH": str(root)},
        cwd=root,
        ready_timeout=60.0,
    )
    return [rasa, actions]


async def already_running(settings: Settings) -> bool:
    async with httpx.AsyncClient(timeout=2.0) as client:
        try:
            hello = await client.get(settings.rasa_url + "/")
            health = await client.get(settings.actions_url + "/health")
        except httpx.HTTPError:
            return False
    return hello.status_code == 200 and "Rasa" in hello.text and health.status_code == 200


@asynccontextmanager
async def serving(settings: Settings, *, reuse: bool = True) -> AsyncIterator[Stack]:
    token = auth_token(settings)
    if reuse and await already_running(settings):
        yield Stack(settings, token, supervisor=None)
        return
    async with Supervisor(child_specs(settings, token)) as supervisor:
        yield Stack(settings, token, supervisor)
