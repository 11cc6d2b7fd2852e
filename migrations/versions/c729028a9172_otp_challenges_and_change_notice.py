"""One-time codes for customers, and the website's change notice

Revision ID: c729028a9172
Revises: 26a08b868228
Create Date: 2026-11-21 14:06:13.577424

"""
from alembic import op
import webapp.models.types
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c729028a9172'
down_revision = '26a08b868228'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('otp_challenges',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('identifier', sa.String(length=254), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=128), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('expires_at', webapp.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', webapp.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', webapp.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_otp_challenges_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_otp_challenges'))
    )
    with op.batch_alter_table('otp_challenges', schema=None) as batch_op:
        batch_op.create_index('ix_otp_identifier_created', ['organization_id', 'identifier', 'created_at'], unique=False)
        batch_op.create_index('ix_otp_ip_created', ['ip', 'created_at'], unique=False)

    with op.batch_alter_table('website_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_notice_hours', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('website_versions', schema=None) as batch_op:
        batch_op.drop_column('change_notice_hours')

    with op.batch_alter_table('otp_challenges', schema=None) as batch_op:
        batch_op.drop_index('ix_otp_ip_created')
        batch_op.drop_index('ix_otp_identifier_created')

    op.drop_table('otp_challenges')
