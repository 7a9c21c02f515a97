"""Alembic's entry point: migrate the database that DATABASE_URL (or the caller) names."""

from alembic import context
from sqlalchemy import create_engine

from bot.store.database import database_url
from bot.store.models import Base

url = context.config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
