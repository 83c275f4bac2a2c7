"""Stored assessments, their findings, and API keys."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("organisation_name", sa.String(200), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("intervention", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("readiness_level", sa.String(16), nullable=False),
        sa.Column("readiness_score", sa.Float(), nullable=True),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("ruleset_digest", sa.String(80), nullable=False),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("key_id", "idempotency_key", name="uq_assessments_idempotency"),
    )
    op.create_index("ix_assessments_created_at", "assessments", ["created_at"])
    op.create_index("ix_assessments_region_created", "assessments", ["region", "created_at", "id"])
    op.create_index(
        "ix_assessments_org_created", "assessments", ["organisation_id", "created_at", "id"]
    )
    op.create_table(
        "findings",
        sa.Column(
            "assessment_id",
            sa.String(32),
            sa.ForeignKey("assessments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item_id", sa.String(120), primary_key=True),
    )
    op.create_index("ix_findings_kind_item", "findings", ["kind", "item_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(64), nullable=False),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("organisation_id", sa.String(64), nullable=True),
        sa.Column("description", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("api_keys")
    op.drop_index("ix_findings_kind_item", table_name="findings")
    op.drop_table("findings")
    op.drop_table("assessments")
