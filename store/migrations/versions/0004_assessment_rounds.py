"""Assessment rounds: an organisation's respondents answer by invitation code, anonymously.

Three new tables. `rounds` holds what a round was opened for and, once closed, what it combined
to and the stored assessment made of it. `round_codes` holds the SHA-256 of each invitation code,
never the code. `round_responses` holds each respondent's answers, flat by indicator path, with
the hash of the code they came with (so that a resubmission replaces them); these rows are what
retention deletes. Nothing stored before changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "rounds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("organisation_name", sa.String(200), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("intervention", sa.String(200), nullable=False),
        sa.Column("context_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "assessment_id",
            sa.String(32),
            sa.ForeignKey("assessments.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("combination_json", sa.Text(), nullable=True),
        sa.Column("request_json", sa.Text(), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("answers_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("key_id", sa.String(16), nullable=True),
    )
    op.create_index("ix_rounds_region_id", "rounds", ["region", "id"])
    op.create_index("ix_rounds_org_id", "rounds", ["organisation_id", "id"])
    op.create_index("ix_rounds_status_closed", "rounds", ["status", "closed_at"])
    op.create_table(
        "round_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column(
            "round_id",
            sa.String(32),
            sa.ForeignKey("rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_round_codes_round_id", "round_codes", ["round_id"])
    op.create_table(
        "round_responses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "round_id",
            sa.String(32),
            sa.ForeignKey("rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_round_responses_round_id", "round_responses", ["round_id"])


def downgrade() -> None:
    """Drop the three tables, answers and codes first."""
    op.drop_table("round_responses")
    op.drop_table("round_codes")
    op.drop_table("rounds")
