"""provisional deadlines index: the open tasks whose deadline was counted past the calendar

Each scheduler pass looks for open tasks with a provisional deadline (暂定期限) that the
calendar has come to cover, to re-time their cases (期限重算). A partial index holds only those
rows, so the pass reads a few index entries however many tasks are open.

Revision ID: 0008_provisional_index
Revises: 0007_open_step_index
Create Date: 2026-11-21

"""
import sqlalchemy as sa
from alembic import op

revision = '0008_provisional_index'
down_revision = '0007_open_step_index'
branch_labels = None
depends_on = None

PROVISIONAL_OPEN = "state = 'open' AND provisional = true AND overdue = false"


def upgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_case_tasks_provisional', ['due_at', 'case_id'], unique=False,
                              sqlite_where=sa.text(PROVISIONAL_OPEN),
                              postgresql_where=sa.text(PROVISIONAL_OPEN))


def downgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tasks_provisional')
