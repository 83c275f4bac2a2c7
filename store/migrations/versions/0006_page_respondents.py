"""A page session may hold a round respondent: the hash of the invitation code they came with.

One new column, `page_sessions.respondent_code_hash`. A respondent who answers on the pages types
their code once; the session keeps only its SHA-256, as `round_codes` does. Nothing stored
before changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column."""
    with op.batch_alter_table("page_sessions") as table:
        table.add_column(sa.Column("respondent_code_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("page_sessions") as table:
        table.drop_column("respondent_code_hash")
