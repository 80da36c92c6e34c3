"""An index on each member's done steps by when they were done, so a group's week and
month leaderboards read only the steps done in that time, not every step of every member.

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


def upgrade() -> None:
    op.create_index(
        "ix_step_progress_member_done", "step_progress", ["member_id", "status", "completed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_step_progress_member_done", table_name="step_progress")
