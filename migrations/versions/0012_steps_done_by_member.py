"""An index on each member's done steps by when they were done, so a group's week and
month leaderboards read only the steps done in that time, not every step of every member.

Built in the upgrade's transaction, as every revision is: writes to `step_progress` wait
while it builds (under a second for 10,000 members' steps). On SQLite the table's
statistics are refreshed with it, as SQLite chooses the new index only once it knows the
data; the bot keeps them current every hour after that.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_step_progress_member_done"
SAMPLED_ROWS = 1000  # of each index, as the bot's hourly refresh samples


def upgrade() -> None:
    op.create_index(NAME, "step_progress", ["member_id", "status", "completed_at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA analysis_limit={SAMPLED_ROWS}")
        op.execute("ANALYZE step_progress")


def downgrade() -> None:
    op.drop_index(NAME, table_name="step_progress")
