"""Add street aliases, parsed house numbers, KATOTTG details and change counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:49:23.144681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions'))
    )
    op.create_table('street_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False, server_default='spelling'),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_street_aliases_street_id_streets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street_aliases'))
    )
    with op.batch_alter_table('street_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_aliases_street_id'), ['street_id'], unique=False)
        batch_op.create_index('uq_street_aliases_street_key', ['street_id', 'key'], unique=True)

    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_operator_phone', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('other_operator_website', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('house_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('house_letter', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('house_fraction', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('house_block', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('substation', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('feeder', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('transformer_substation', sa.String(length=100), nullable=True))

    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('hromada', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('district', sa.String(length=200), nullable=True))
        batch_op.drop_index('uq_settlements_region_key')
        batch_op.create_index('ix_settlements_region_key', ['region', 'key'], unique=False)
        batch_op.create_index('uq_settlements_katottg', ['katottg'], unique=True)

    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_key', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_name', sa.String(length=300), nullable=True))
        batch_op.create_index('ix_streets_region_token_key', ['region', 'token_key'], unique=False)

    _backfill_street_token_keys()


def _backfill_street_token_keys() -> None:
    """Fill `token_key` of streets stored before this revision from their stored `key`."""
    streets = sa.table("streets", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("token_key", sa.String))
    connection = op.get_bind()
    for street_id, key in connection.execute(sa.select(streets.c.id, streets.c.key)).all():
        token_key = " ".join(sorted(key.split()))
        connection.execute(streets.update().where(streets.c.id == street_id).values(token_key=token_key))


def downgrade() -> None:
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.drop_index('ix_streets_region_token_key')
        batch_op.drop_column('source_name')
        batch_op.drop_column('token_key')

    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.drop_index('uq_settlements_katottg')
        batch_op.drop_index('ix_settlements_region_key')
        batch_op.create_index('uq_settlements_region_key', ['region', 'key'], unique=True)
        batch_op.drop_column('district')
        batch_op.drop_column('hromada')
        batch_op.drop_column('kind')

    with op.batch_alter_table('buildings', schema=None) as batch_op:
        batch_op.drop_column('transformer_substation')
        batch_op.drop_column('feeder')
        batch_op.drop_column('substation')
        batch_op.drop_column('house_block')
        batch_op.drop_column('house_fraction')
        batch_op.drop_column('house_letter')
        batch_op.drop_column('house_number')
        batch_op.drop_column('other_operator_website')
        batch_op.drop_column('other_operator_phone')

    with op.batch_alter_table('street_aliases', schema=None) as batch_op:
        batch_op.drop_index('uq_street_aliases_street_key')
        batch_op.drop_index(batch_op.f('ix_street_aliases_street_id'))

    op.drop_table('street_aliases')
    op.drop_table('data_versions')
