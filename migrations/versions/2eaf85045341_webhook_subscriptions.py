"""Webhook subscriptions: an organization's addresses for each trigger, with their secrets

Revision ID: 2eaf85045341
Revises: 68fdbbb278af
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import webapp.models.types
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2eaf85045341'
down_revision = '68fdbbb278af'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_subscriptions',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('secret_issued_at', webapp.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', webapp.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_webhook_subscriptions_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_subscriptions_org_trigger', ['organization_id', 'trigger'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_subscriptions_org_trigger')

    op.drop_table('webhook_subscriptions')
