"""Pictures can be turned off: `groups.images` (`/group images off`) and `members.images`
(`/me images off`), both on unless someone turned them off.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("groups", "members")


# A plain ALTER TABLE on both databases (SQLite has ADD and DROP COLUMN): rebuilding the
# table, as a batch operation would, drops the old one, and with foreign keys on that
# deletes every row that points at it (memberships, progress, study days...).
def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table, sa.Column("images", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "images")
