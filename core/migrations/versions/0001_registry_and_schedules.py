"""Create the region, address registry and schedule tables.

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 20:36:20.188613
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('regions',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_uk', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('schedule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region'], ['regions.code'], name=op.f('fk_schedule_versions_region_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_versions'))
    )
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_versions_region'), ['region'], unique=False)

    op.create_table('settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('katottg', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['region'], ['regions.code'], name=op.f('fk_settlements_region_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlements'))
    )
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlements_region'), ['region'], unique=False)
        batch_op.create_index('uq_settlements_region_key', ['region', 'key'], unique=True)

    op.create_table('day_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('queue', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('intervals', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['schedule_versions.id'], name=op.f('fk_day_schedules_version_id_schedule_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_schedules'))
    )
    with op.batch_alter_table('day_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_day_schedules_lookup', ['region', 'queue', 'day', 'version_id'], unique=False)

    op.create_table('streets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('street_type', sa.String(length=40), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['region'], ['regions.code'], name=op.f('fk_streets_region_regions')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], name=op.f('fk_streets_settlement_id_settlements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streets'))
    )
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_streets_region'), ['region'], unique=False)
        batch_op.create_index('ix_streets_region_key', ['region', 'key'], unique=False)

    op.create_table('weekly_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('queue', sa.String(length=10), nullable=False),
    sa.Column('spans', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['schedule_versions.id'], name=op.f('fk_weekly_templates_version_id_schedule_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_templates'))
    )
    with op.batch_alter_table('weekly_templates', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_templates_lookup', ['region', 'queue', 'version_id'], unique=False)

    op.create_table('buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('number_key', sa.String(length=40), nullable=False),
    sa.Column('queues', sa.JSON(), nullable=False),
    sa.Column('other_operator', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_buildings_street_id_streets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buildings'))
    )
    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buildings_street_id'), ['street_id'], unique=False)
        batch_op.create_index('uq_buildings_street_number', ['street_id', 'number_key'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.drop_index('uq_buildings_street_number')
        batch_op.drop_index(batch_op.f('ix_buildings_street_id'))

    op.drop_table('buildings')
    with op.batch_alter_table('weekly_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_templates_lookup')

    op.drop_table('weekly_templates')
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.drop_index('ix_streets_region_key')
        batch_op.drop_index(batch_op.f('ix_streets_region'))

    op.drop_table('streets')
    with op.batch_alter_table('day_schedules', schema=None) as batch_op:
        batch_op.drop_index('ix_day_schedules_lookup')

    op.drop_table('day_schedules')
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.drop_index('uq_settlements_region_key')
        batch_op.drop_index(batch_op.f('ix_settlements_region'))

    op.drop_table('settlements')
    with op.batch_alter_table('schedule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_versions_region'))

    op.drop_table('schedule_versions')
    op.drop_table('regions')
