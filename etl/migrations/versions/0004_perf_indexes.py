"""performance indices for the metric queries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:00:00

- ix_action_risk_status_due: the EXISTS probes "risk has a live action" and "risk has an overdue
  action" (500 000 risks on a national store) answered from the index alone.
  It replaces ix_action_risk_id (its prefix): left beside it, SQLite without statistics keeps
  choosing the narrower index and reads the table for every probe.
- ix_action_owner_facts: the per-(unit, object) action counts read the index, not the table.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_action_risk_status_due", "action", ["risk_id", "status", "due_on"])
    op.drop_index("ix_action_risk_id", table_name="action")
    op.create_index(
        "ix_action_owner_facts",
        "action",
        ["owner_unit_id", "governance_object_id", "status", "due_on", "completed_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_action_owner_facts", table_name="action")
    op.create_index("ix_action_risk_id", "action", ["risk_id"])
    op.drop_index("ix_action_risk_status_due", table_name="action")
