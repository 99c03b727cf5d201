"""Recompute settlement keys: names made of type words ("с. Селище", "Нове Село") lost them.

The earlier rule dropped every type word of a settlement name, so the village Селище got an
empty key and Нове Село the key "нове". This recomputes every key with the current rule.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.addresses.index import settlement_key

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

settlements = sa.table(
    "settlements",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("key", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(settlements.c.id, settlements.c.name, settlements.c.key))
    changed = [
        {"row_id": row.id, "new_key": settlement_key(row.name)}
        for row in rows
        if settlement_key(row.name) != row.key
    ]
    if changed:
        connection.execute(
            settlements.update()
            .where(settlements.c.id == sa.bindparam("row_id"))
            .values(key=sa.bindparam("new_key")),
            changed,
        )


def downgrade() -> None:
    # The old keys were wrong for these names; keeping the new ones is harmless.
    pass
