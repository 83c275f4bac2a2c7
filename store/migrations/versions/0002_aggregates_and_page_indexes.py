"""What summaries and exports read, kept beside each result; indexes that serve pages in order.

Until now a regional summary parsed every latest result and a CSV export parsed every listed
one, and a page of a region sorted all of its rows; their cost grew with the stored data. This
keeps per assessment its gap counts and top recommendation, and per dimension its level and score
(filled in here for what is already stored), and indexes pages by region and organisation in id
order.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 200


def upgrade() -> None:
    """Add the columns, the table and the indexes, and fill them in for stored assessments."""
    # Plain ALTER TABLE on both databases: rebuilding the table (Alembic's batch mode on SQLite)
    # would copy every stored result, and dropping the old table would cascade to its findings.
    op.add_column(
        "assessments", sa.Column("gap_count", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "assessments",
        sa.Column("blocking_gap_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("assessments", sa.Column("top_recommendation", sa.String(120), nullable=True))
    op.create_table(
        "dimension_scores",
        sa.Column(
            "assessment_id",
            sa.String(32),
            sa.ForeignKey("assessments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
    )
    op.drop_index("ix_assessments_region_created", table_name="assessments")
    op.create_index(
        "ix_assessments_region_created_org",
        "assessments",
        ["region", "created_at", "organisation_id", "id"],
    )
    op.create_index("ix_assessments_region_id", "assessments", ["region", "id"])
    op.create_index("ix_assessments_org_id", "assessments", ["organisation_id", "id"])
    _fill()


def _fill() -> None:
    """Derive the new columns and rows from each stored result, a batch of rows at a time."""
    bind = op.get_bind()
    assessments = sa.table(
        "assessments",
        sa.column("id", sa.String),
        sa.column("result_json", sa.Text),
        sa.column("gap_count", sa.Integer),
        sa.column("blocking_gap_count", sa.Integer),
        sa.column("top_recommendation", sa.String),
    )
    scores = sa.table(
        "dimension_scores",
        sa.column("assessment_id", sa.String),
        sa.column("dimension", sa.String),
        sa.column("level", sa.String),
        sa.column("score", sa.Float),
    )
    after = ""
    while True:
        rows = bind.execute(
            sa.select(assessments.c.id, assessments.c.result_json)
            .where(assessments.c.id > after)
            .order_by(assessments.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        dimension_rows = []
        for assessment_id, result_json in rows:
            result = json.loads(result_json)
            gaps = result["gaps"]
            recommendations = result["recommendations"]
            bind.execute(
                assessments.update()
                .where(assessments.c.id == assessment_id)
                .values(
                    gap_count=len(gaps),
                    blocking_gap_count=sum(1 for g in gaps if g["severity"] == "blocking"),
                    top_recommendation=recommendations[0]["id"] if recommendations else None,
                )
            )
            dimension_rows += [
                {
                    "assessment_id": assessment_id,
                    "dimension": d["dimension"],
                    "level": d["level"],
                    "score": d["score"],
                }
                for d in result["readiness"]["dimensions"]
            ]
        if dimension_rows:
            bind.execute(scores.insert(), dimension_rows)
        after = rows[-1][0]


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_index("ix_assessments_org_id", table_name="assessments")
    op.drop_index("ix_assessments_region_id", table_name="assessments")
    op.drop_index("ix_assessments_region_created_org", table_name="assessments")
    op.create_index("ix_assessments_region_created", "assessments", ["region", "created_at", "id"])
    op.drop_table("dimension_scores")
    # ALTER TABLE ... DROP COLUMN: SQLite 3.35 or newer.
    for column in ("top_recommendation", "blocking_gap_count", "gap_count"):
        op.drop_column("assessments", column)
