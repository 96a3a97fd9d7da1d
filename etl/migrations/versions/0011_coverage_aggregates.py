"""Täckning's gap counts per municipality, built with the KPI mart

Revision ID: 0011_coverage_aggregates
Revises: 0010_page_aggregates
Create Date: 2026-12-07 05:00:00

- coverage_gap: per (as_of, municipality, gap) the number of assets with that gap (and of
  shared assets' owners who did not take part in the latest classification), with and without
  the säkerhetsskydd assets, for the dates of kpi_mart_date (etl/kpi/coverage_gaps.py).
The mart's dates are untagged: the next accepted load (or ``infosak mart``) builds the mart and
fills the table; until then the counts are computed on demand.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_coverage_aggregates"
down_revision = "0010_page_aggregates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_gap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("municipality_code", sa.String(length=60), nullable=False),
        sa.Column("gap", sa.String(length=30), nullable=False),
        sa.Column("rows_all", sa.Integer(), nullable=False),
        sa.Column("rows_unprotected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("as_of", "municipality_code", "gap", name="uq_coverage_gap_row"),
    )

    # The mart's dates claim every count kept with them; coverage_gap starts empty, so they
    # would claim zeros. Untag them: the pages compute on demand until the next load or
    # `infosak mart` builds the mart and the new counts together.
    op.execute("DELETE FROM kpi_mart_date")


def downgrade() -> None:
    op.drop_table("coverage_gap")
