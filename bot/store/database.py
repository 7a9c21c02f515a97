"""Where the database is, and bringing its schema up to date before anything uses it.

SQLite in var/ by default (nothing to install); PostgreSQL or anything SQLAlchemy speaks
through DATABASE_URL. Migrations run at every start, so a new install and an upgraded one
reach the same schema the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import PROJECT_ROOT


def database_url(var_dir: Path | None = None) -> str:
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        return configured
    return f"sqlite:///{(var_dir or PROJECT_ROOT / 'var') / 'waypoint.db'}"


def migrate(engine: Engine) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


LOCK_TIMEOUT_MS = 5000


def open_database(url: str) -> sessionmaker[Session]:
    """An engine for `url` with the schema migrated to head, as a session factory."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A lock held elsewhere makes a write fail after 5 s, as SQLite's busy timeout does, instead
    # of waiting for ever (a consent change would then never be answered).
    connect_args = {"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=connect_args)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
