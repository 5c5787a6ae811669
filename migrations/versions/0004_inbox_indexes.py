"""inbox indexes: the region's late tasks (督办) and a user's done tasks (已办)

Revision ID: 0004_inbox_indexes
Revises: 0003_case_materials
Create Date: 2026-11-21

"""
from alembic import op

revision = '0004_inbox_indexes'
down_revision = '0003_case_materials'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_case_tasks_late_region', ['state', 'due_at', 'region_code'],
                              unique=False)
        batch_op.create_index('ix_case_tasks_done_by', ['completed_by_id', 'completed_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tasks_done_by')
        batch_op.drop_index('ix_case_tasks_late_region')
