"""Storage of assessments, rounds and API keys: SQLite by default, PostgreSQL by URL, same code.

`store.database.Database` opens and migrates a database; `store.repository.Repository` reads and
writes it, and `store.rounds.Rounds` its assessment rounds. Nothing is imported here, so that `store.keys` (the key format and scopes) loads
without SQLAlchemy.
"""
