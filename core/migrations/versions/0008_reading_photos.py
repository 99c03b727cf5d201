"""Add meter photos of confirmed readings and the record of messages sent after acceptance.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reading_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["reading_submissions.id"],
            name=op.f("fk_reading_photos_submission_id_reading_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_photos")),
    )
    op.create_index(op.f("ix_reading_photos_submission_id"), "reading_photos", ["submission_id"], unique=False)

    op.create_table(
        "reading_notices",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["reading_submissions.id"],
            name=op.f("fk_reading_notices_submission_id_reading_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_reading_notices")),
    )


def downgrade() -> None:
    op.drop_table("reading_notices")
    op.drop_index(op.f("ix_reading_photos_submission_id"), table_name="reading_photos")
    op.drop_table("reading_photos")
