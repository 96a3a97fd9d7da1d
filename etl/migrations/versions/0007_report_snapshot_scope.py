"""what a frozen report holds and whom it was made for

Revision ID: 0007_report_snapshot_scope
Revises: 0006_login_throttle
Create Date: 2026-12-06 16:40:00

- report_snapshot.content_types: the scope types whose rows the report holds (e.g.
  "administration,governance_object,municipality"), from the role of whoever froze it.
- report_snapshot.audience: JSON list of the org codes whose data the freezer could see ("*" for
  everything): a viewer gets the snapshot only when it sees all of them and every content type
  (dashboard/queries/report_snapshots.py).
- report_snapshot.made_for_role: the freezer's role.
Snapshots frozen before this revision keep NULL here and are given only to viewers who see
everything (admin): what they hold was never recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_report_snapshot_scope"
down_revision = "0006_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("report_snapshot", sa.Column("content_types", sa.String(length=200)))
    op.add_column("report_snapshot", sa.Column("audience", sa.Text()))
    op.add_column("report_snapshot", sa.Column("made_for_role", sa.String(length=30)))


def downgrade() -> None:
    with op.batch_alter_table("report_snapshot") as batch:
        batch.drop_column("made_for_role")
        batch.drop_column("audience")
        batch.drop_column("content_types")
