"""national KPI facts kept at load time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:00:00

- kpi_fact_frame: the national fact rows (per unit and governance object) of each kind, as of the
  load's day and the quarter before, for the store version they were computed on. Requests of any
  scope filter them instead of aggregating the raw tables (dashboard/queries/_kpi_materialized.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_fact_frame",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_version", sa.String(length=400), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_version", "as_of", "kind", name="uq_kpi_fact_frame_key"),
    )


def downgrade() -> None:
    op.drop_table("kpi_fact_frame")
