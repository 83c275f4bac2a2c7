"""Each organisation belongs to one region; each assessment carries the date it was made.

An organisation's history was split when one key stored it under one region and another key
under another: summaries counted it twice and deltas missed half its assessments. The new
`organisations` table holds the one region of each organisation id, filled in here from what is
stored (the region of its newest assessment; older rows under another region are moved there,
so that every row of an organisation agrees with it).

`assessed_at` is when the assessment was made: the storage time unless the caller gives an
earlier date (an imported survey). Quarters, summaries and deltas go by it. Stored rows get their
storage time. The column stays nullable in the schema because SQLite adds a NOT NULL column only
with a default and tightening it would rebuild the table (copying every result, and cascading
the drop of the old table to its findings); the repository always writes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the table, the column and its index; fill them in for what is stored."""
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("assessments", sa.Column("assessed_at", sa.DateTime(timezone=True)))
    assessments = sa.table(
        "assessments",
        sa.column("id", sa.String),
        sa.column("organisation_id", sa.String),
        sa.column("region", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("assessed_at", sa.DateTime(timezone=True)),
    )
    organisations = sa.table(
        "organisations",
        sa.column("id", sa.String),
        sa.column("region", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    bind.execute(sa.update(assessments).values(assessed_at=assessments.c.created_at))
    # Each organisation's newest row decides its region (ids sort by storage time).
    newest = (
        sa.select(
            assessments.c.organisation_id,
            sa.func.max(assessments.c.id).label("newest"),
            sa.func.min(assessments.c.created_at).label("first"),
        )
        .group_by(assessments.c.organisation_id)
        .subquery()
    )
    rows = bind.execute(
        sa.select(newest.c.organisation_id, assessments.c.region, newest.c.first).join(
            assessments, assessments.c.id == newest.c.newest
        )
    ).all()
    if rows:
        bind.execute(
            sa.insert(organisations),
            [{"id": org, "region": region, "created_at": first} for org, region, first in rows],
        )
        for org, region, _ in rows:
            bind.execute(
                sa.update(assessments)
                .where(assessments.c.organisation_id == org)
                .where(assessments.c.region.is_distinct_from(region))
                .values(region=region)
            )
    op.drop_index("ix_assessments_region_created_org", table_name="assessments")
    op.create_index(
        "ix_assessments_region_assessed_org",
        "assessments",
        ["region", "assessed_at", "organisation_id", "id"],
    )
    op.create_index(
        "ix_assessments_org_assessed", "assessments", ["organisation_id", "assessed_at", "id"]
    )


def downgrade() -> None:
    """Drop the table, the column and its indexes; restore the summaries' index."""
    op.drop_index("ix_assessments_org_assessed", table_name="assessments")
    op.drop_index("ix_assessments_region_assessed_org", table_name="assessments")
    op.create_index(
        "ix_assessments_region_created_org",
        "assessments",
        ["region", "created_at", "organisation_id", "id"],
    )
    op.drop_column("assessments", "assessed_at")
    op.drop_table("organisations")
