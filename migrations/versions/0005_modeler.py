"""modeler: drafts (流程草稿), the audit of process changes, one number per version

Revision ID: 0005_modeler
Revises: 0004_inbox_indexes
Create Date: 2026-11-21

"""
import sqlalchemy as sa
from alembic import op

from app.models_base import BigId, UTCDateTime

revision = '0005_modeler'
down_revision = '0004_inbox_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'process_drafts',
        sa.Column('id', BigId, nullable=False),
        sa.Column('jurisdiction', sa.String(length=32), nullable=False),
        sa.Column('process_key', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=100), nullable=False),
        sa.Column('xml', sa.Text(), nullable=False),
        sa.Column('base_version_id', BigId, nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['base_version_id'], ['process_versions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('jurisdiction', 'process_key', 'file_name',
                            name='uq_process_drafts_file'),
    )
    op.create_table(
        'process_audit',
        sa.Column('id', BigId, nullable=False),
        sa.Column('jurisdiction', sa.String(length=32), nullable=False),
        sa.Column('process_key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('version_id', BigId, nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('comment', sa.String(length=200), nullable=True),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['version_id'], ['process_versions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_process_audit_jurisdiction', 'process_audit',
                    ['jurisdiction', 'process_key', 'id'], unique=False)
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_process_versions_number',
                                          ['jurisdiction', 'process_key', 'number'])


def downgrade():
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_process_versions_number', type_='unique')
    op.drop_index('ix_process_audit_jurisdiction', table_name='process_audit')
    op.drop_table('process_audit')
    op.drop_table('process_drafts')
