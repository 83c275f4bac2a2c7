"""The Alembic migrations of the storage schema; a package so that they ship in the wheel."""
