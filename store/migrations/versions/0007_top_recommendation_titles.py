"""The title of the first recommendation, kept beside each result for exports.

One new column, `assessments.top_recommendation_title`: the title of the recommendation ranked
first, as the result gave it (in the result's language, in the words for its country and model),
so that a CSV or XLSX export names the action and not only its id, still without reading the
result. It is filled in here from each stored result.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 200


def upgrade() -> None:
    """Add the column and fill it in for stored assessments."""
    # Plain ALTER TABLE on both databases, as in 0002: no copy of the stored results.
    op.add_column(
        "assessments", sa.Column("top_recommendation_title", sa.String(300), nullable=True)
    )
    bind = op.get_bind()
    assessments = sa.table(
        "assessments",
        sa.column("id", sa.String),
        sa.column("result_json", sa.Text),
        sa.column("top_recommendation_title", sa.String),
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
        for assessment_id, result_json in rows:
            recommendations = json.loads(result_json)["recommendations"]
            if recommendations:
                bind.execute(
                    assessments.update()
                    .where(assessments.c.id == assessment_id)
                    .values(top_recommendation_title=recommendations[0]["title"])
                )
        after = rows[-1][0]


def downgrade() -> None:
    """Drop the column (ALTER TABLE ... DROP COLUMN: SQLite 3.35 or newer)."""
    op.drop_column("assessments", "top_recommendation_title")
