"""Alembic environment: run with the connection ``pubdata.platform.upgrade`` hands over."""

from alembic import context

import pubdata.all_models  # noqa: F401
from pubdata.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
