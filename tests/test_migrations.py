"""The models (bot/store/models.py) and the Alembic migrations describe the same schema: a
column added to a model without a migration would fail on every existing database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.store.database import open_database
from bot.store.models import Base
from tests.support.databases import BACKENDS, fresh_database


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_models_match_the_migrations(tmp_path, backend):
    with fresh_database(backend, tmp_path) as url:
        engine = open_database(url).kw["bind"]  # migrated to the newest revision
        try:
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        finally:
            engine.dispose()
    assert differences == []
