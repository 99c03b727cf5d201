"""Add reading batches for delivery into each region's billing and a batch id on readings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reading_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("error_reason", sa.String(length=20), nullable=True),
        sa.Column("response", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["region"], ["regions.code"], name=op.f("fk_reading_batches_region_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_batches")),
    )
    op.create_index(op.f("ix_reading_batches_region"), "reading_batches", ["region"], unique=False)

    # SQLite cannot add a foreign key to an existing table, so batch mode copies the table there.
    with op.batch_alter_table("reading_submissions") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reading_submissions_batch_id_reading_batches"),
            "reading_batches",
            ["batch_id"],
            ["id"],
        )
    op.create_index(
        op.f("ix_reading_submissions_batch_id"), "reading_submissions", ["batch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reading_submissions_batch_id"), table_name="reading_submissions")
    with op.batch_alter_table("reading_submissions") as batch:
        batch.drop_constraint(
            op.f("fk_reading_submissions_batch_id_reading_batches"), type_="foreignkey"
        )
        batch.drop_column("batch_id")
    op.drop_index(op.f("ix_reading_batches_region"), table_name="reading_batches")
    op.drop_table("reading_batches")
