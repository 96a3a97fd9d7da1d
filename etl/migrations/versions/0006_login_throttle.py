"""login attempts indexed by time, for pruning

Revision ID: 0006_login_throttle
Revises: 0005
Create Date: 2026-12-06 17:00:00

- ix_login_attempt_at: login throttling keeps failed attempts for a day and successes for 90 days
  (dashboard/auth/security.py) and deletes older rows at each successful login; without an index
  on ``at`` that delete reads the whole table, which an attack makes large.
"""

from alembic import op

revision = "0006_login_throttle"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_login_attempt_at", "login_attempt", ["at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_at", table_name="login_attempt")
