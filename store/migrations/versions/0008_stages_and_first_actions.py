"""The stage and the first actions of each stored result, for regional summaries.

One new column, `assessments.stage`: the organisation's stage (1-4) as the result gave it, and
new rows of kind `first_action` in `findings`: the recommendations of the result's first three
places. A regional summary counts both in the database, as it counts the gaps, without reading
a result. Both are filled in here from each stored result; a result stored before results gave
a stage keeps none.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 200
_FIRST = 3
"""`store.repository.FIRST_ACTIONS` as it was when this migration was written."""


def upgrade() -> None:
    """Add the column, and fill it and the first actions in for stored assessments."""
    # Plain ALTER TABLE on both databases, as in 0002: no copy of the stored results.
    op.add_column("assessments", sa.Column("stage", sa.Integer, nullable=True))
    bind = op.get_bind()
    assessments = sa.table(
        "assessments",
        sa.column("id", sa.String),
        sa.column("result_json", sa.Text),
        sa.column("stage", sa.Integer),
    )
    findings = sa.table(
        "findings",
        sa.column("assessment_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("item_id", sa.String),
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
        first: list[dict[str, str]] = []
        for assessment_id, result_json in rows:
            result = json.loads(result_json)
            stage = result["readiness"].get("stage")
            if stage is not None:
                bind.execute(
                    assessments.update()
                    .where(assessments.c.id == assessment_id)
                    .values(stage=stage)
                )
            ids = dict.fromkeys(r["id"] for r in result["recommendations"][:_FIRST])
            first += (
                {"assessment_id": assessment_id, "kind": "first_action", "item_id": item}
                for item in ids
            )
        if first:
            bind.execute(findings.insert(), first)
        after = rows[-1][0]


def downgrade() -> None:
    """Drop the first actions and the column (DROP COLUMN: SQLite 3.35 or newer)."""
    op.execute("DELETE FROM findings WHERE kind = 'first_action'")
    op.drop_column("assessments", "stage")
