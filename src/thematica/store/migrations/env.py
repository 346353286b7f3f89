"""Alembic environment: always given a live connection by thematica.store.migrations."""

from alembic import context

from thematica.store.migrations import include_name
from thematica.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
