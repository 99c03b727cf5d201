"""Add personal accounts, meters, customer sign-in codes and meter reading submissions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meter_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=40), nullable=False),
        sa.Column("eic", sa.String(length=16), nullable=False),
        sa.Column("capacity_kw", sa.Float(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region"], ["regions.code"], name=op.f("fk_meter_accounts_region_regions")),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_meter_accounts_building_id_buildings"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_accounts")),
    )
    op.create_index("uq_meter_accounts_region_number", "meter_accounts", ["region", "account_number"], unique=True)

    op.create_table(
        "meters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("meter_type", sa.String(length=20), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("initial_readings", sa.JSON(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["meter_accounts.id"], name=op.f("fk_meters_account_id_meter_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meters")),
    )
    op.create_index(op.f("ix_meters_account_id"), "meters", ["account_id"], unique=False)

    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["meter_accounts.id"],
            name=op.f("fk_account_links_account_id_meter_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
    )
    op.create_index(op.f("ix_account_links_account_id"), "account_links", ["account_id"], unique=False)
    op.create_index(op.f("ix_account_links_phone"), "account_links", ["phone"], unique=False)
    op.create_index("uq_account_links_account_phone", "account_links", ["account_id", "phone"], unique=True)

    op.create_table(
        "sign_in_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
    )
    op.create_index("ix_sign_in_codes_phone_created", "sign_in_codes", ["phone", "created_at"], unique=False)
    op.create_index("ix_sign_in_codes_client_created", "sign_in_codes", ["client_hash", "created_at"], unique=False)

    op.create_table(
        "sign_in_locks",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sign_in_locks")),
    )

    op.create_table(
        "reading_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reading_date", sa.Date(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raw_registers", sa.JSON(), nullable=False),
        sa.Column("registers", sa.JSON(), nullable=True),
        sa.Column("consumption", sa.JSON(), nullable=True),
        sa.Column("powered_hours", sa.JSON(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["meter_accounts.id"],
            name=op.f("fk_reading_submissions_account_id_meter_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["meter_id"], ["meters.id"], name=op.f("fk_reading_submissions_meter_id_meters")),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["reading_submissions.id"],
            name=op.f("fk_reading_submissions_replaced_by_id_reading_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_submissions")),
    )
    op.create_index(
        op.f("ix_reading_submissions_account_id"), "reading_submissions", ["account_id"], unique=False
    )
    op.create_index(
        "ix_reading_submissions_meter_date", "reading_submissions", ["meter_id", "reading_date"], unique=False
    )


def downgrade() -> None:
    op.drop_table("reading_submissions")
    op.drop_table("sign_in_locks")
    op.drop_table("sign_in_codes")
    op.drop_table("account_links")
    op.drop_table("meters")
    op.drop_table("meter_accounts")
