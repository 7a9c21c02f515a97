"""Shared fixtures: the real Rasa server and action server, started once per test session."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from bot import stack
from bot.config import PROJECT_ROOT, Settings
from bot.conversation import RasaBridge
from bot.store.database import open_database
from tests.support.databases import BACKENDS, fresh_database
from tests.support.net import free_port


def isolated_settings(var_dir: Path, **overrides) -> Settings:
    """Settings on free loopback ports with their own var dir, so tests never meet `make run`."""
    base = Settings.from_env()
    return dataclasses.replace(
        base,
        project_root=PROJECT_ROOT,
        var_dir=var_dir,
        host="127.0.0.1",
        rasa_port=free_port(),
        actions_port=free_port(),
        telegram_token=None,
        rasa_auth_token=None,
        **overrides,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a `waypoint` subprocess use these settings."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(
        WAYPOINT_VAR_DIR=str(settings.var_dir),
        WAYPOINT_RASA_PORT=str(settings.rasa_port),
        WAYPOINT_ACTIONS_PORT=str(settings.actions_port),
    )
    if settings.rasa_auth_token:
        env["RASA_AUTH_TOKEN"] = settings.rasa_auth_token
    return env


@pytest_asyncio.fixture(scope="session")
async def rasa_stack(tmp_path_factory):
    # A token that starts with "-" once broke `rasa run` (argparse read it as an option);
    # the session's servers use one so that can never come back.
    settings = dataclasses.replace(
        isolated_settings(tmp_path_factory.mktemp("var")), rasa_auth_token="-starts-with-a-dash-" + os.urandom(8).hex()
    )
    async with stack.serving(settings, reuse=False) as running:
        yield running


@pytest_asyncio.fixture
async def bridge(rasa_stack):
    client = RasaBridge(rasa_stack.settings.rasa_url, timeout=rasa_stack.settings.rasa_reply_timeout,
                        auth_token=rasa_stack.auth_token)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def waypoint_bin() -> str:
    return str(Path(sys.executable).parent / "waypoint")


class Clock:
    """A clock a test moves by hand (`clock.now += timedelta(days=8)`)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A migrated database, once on SQLite and once on PostgreSQL (skipped, saying why, without one)."""
    with fresh_database(request.param, tmp_path) as url:
        sessions = open_database(url)
        yield sessions
        sessions.kw["bind"].dispose()


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the data maintainers change (nlu/, responses/, bot/data/, the held-out sets) to
    change freely, with ../shared beside it as beside the project (the external sets are held out too)."""
    root = tmp_path / "project"
    for folder in ("nlu", "responses", "bot/data"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    (root / "tests" / "nlu").mkdir(parents=True)
    for held_out in (PROJECT_ROOT / "tests" / "nlu").glob("*.jsonl"):
        shutil.copy(held_out, root / "tests" / "nlu")
    if (PROJECT_ROOT.parent / "shared").is_dir():
        (tmp_path / "shared").symlink_to(PROJECT_ROOT.parent / "shared")
    return root
