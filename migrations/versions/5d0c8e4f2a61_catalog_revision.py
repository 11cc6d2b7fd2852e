"""The organization's catalog revision

Revision ID: 5d0c8e4f2a61
Revises: c729028a9172
Create Date: 2026-11-27 09:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5d0c8e4f2a61'
down_revision = 'c729028a9172'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalog_revision', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('catalog_revision')
