"""case materials: evidence files (证明材料) and comments (备注) on cases

Revision ID: 0003_case_materials
Revises: 0002_engine
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa

import app.models_base


# revision identifiers, used by Alembic.
revision = '0003_case_materials'
down_revision = '0002_engine'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('case_attachments',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('case_id', BIG_ID, nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('uploaded_by_id', BIG_ID, nullable=False),
    sa.Column('uploaded_at', app.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_attachments_case_id_cases')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_case_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_attachments')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_case_attachments_storage_name'))
    )
    with op.batch_alter_table('case_attachments', schema=None) as batch_op:
        batch_op.create_index('ix_case_attachments_case', ['case_id', 'id'], unique=False)

    op.create_table('case_comments',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('case_id', BIG_ID, nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', BIG_ID, nullable=False),
    sa.Column('created_at', app.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_comments_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_comments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_comments'))
    )
    with op.batch_alter_table('case_comments', schema=None) as batch_op:
        batch_op.create_index('ix_case_comments_case', ['case_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_case_comments_case')

    op.drop_table('case_comments')
    with op.batch_alter_table('case_attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_case_attachments_case')

    op.drop_table('case_attachments')
