"""Storage of assessments and API keys: SQLite by default, PostgreSQL by URL, same code."""

from store.database import Database
from store.keys import ApiKeyInfo, Binding

__all__ = ["ApiKeyInfo", "Binding", "Database"]
