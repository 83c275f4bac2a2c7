"""Alembic environment: runs migrations on the connection the caller passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` on the command line: use sqlalchemy.url from the config
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    connection = engine.connect()
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
