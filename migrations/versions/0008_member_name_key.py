"""Members are found by name however the name is typed: `members.name_key` holds each
display name compatibility-normalised and case-folded, indexed with the community.

SQL's own `lower()` folds only ASCII letters on SQLite, so the keys are computed here in
Python, reading the members in slices along their primary key and writing a slice at a
time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLICE = 5_000  # members read and written at a time
KEY_LIMIT = 200  # the column's width

members = sa.table(
    "members",
    sa.column("id", sa.Integer),
    sa.column("display_name", sa.String),
    sa.column("name_key", sa.String),
)


def name_key(text: str) -> str:
    """The key as `bot.services.tenancy.name_key` computed it when this revision was
    written; repeated here so that the revision keeps meaning what it meant."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.strip()[:KEY_LIMIT]


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("name_key", sa.String(KEY_LIMIT), nullable=False, server_default="")
        )
    op.create_index("ix_members_community_name_key", "members", ["community_id", "name_key"])
    connection = op.get_bind()
    update = (
        members.update()
        .where(members.c.id == sa.bindparam("member_id"))
        .values(name_key=sa.bindparam("key"))
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(members.c.id, members.c.display_name)
            .where(members.c.id > after)
            .order_by(members.c.id)
            .limit(SLICE)
        ).all()
        if not rows:
            break
        connection.execute(
            update, [{"member_id": row.id, "key": name_key(row.display_name)} for row in rows]
        )
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_members_community_name_key", table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("name_key")
