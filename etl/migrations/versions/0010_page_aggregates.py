"""the Risker and Åtgärder pages' counts per part of the country, built with the KPI mart

Revision ID: 0010_page_aggregates
Revises: 0009_kpi_mart
Create Date: 2026-12-07 05:00:00

- page_aggregate: per municipality and per governance object, as of each date of the KPI mart,
  the risks per matrix cell and treatment, the high risks without action, the candidates of the
  high-risk list and the open actions per month-end (etl/kpi/page_aggregates.py). A view of
  several municipalities sums the rows of its parts.
The mart's dates are untagged: the next accepted load (or `infosak mart`) builds the mart and
fills the table; until then the pages count on demand.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_page_aggregates"
down_revision = "0009_kpi_mart"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_aggregate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("aggregate", sa.String(length=30), nullable=False),
        sa.Column("part_type", sa.String(length=30), nullable=False),
        sa.Column("part_id", sa.String(length=60), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=True),
        sa.Column("consequence", sa.Integer(), nullable=True),
        sa.Column("treatment", sa.String(length=20), nullable=True),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.Column("month", sa.Date(), nullable=True),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("risk_code", sa.String(length=60), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_page_aggregate_date_part",
        "page_aggregate",
        ["as_of", "aggregate", "part_type", "part_id"],
    )

    # The mart's dates claim every count kept with them; page_aggregate starts empty, so they
    # would claim zeros. Untag them: the pages compute on demand until the next load or
    # `infosak mart` builds the mart and the new counts together.
    op.execute("DELETE FROM kpi_mart_date")


def downgrade() -> None:
    op.drop_index("ix_page_aggregate_date_part", table_name="page_aggregate")
    op.drop_table("page_aggregate")
