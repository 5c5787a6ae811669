"""task rule version: the rules a step's deadlines were counted with

期限重算 counts a provisional deadline again when next year's calendar is added. It must count
with the rules in force when the step began, not those in force when the calendar file came:
each task row now names that rule version. Rows made before stay null and are counted with the
rules in force.

Revision ID: 0010_task_rule_version
Revises: 0009_state_lz4
Create Date: 2026-11-21

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_task_rule_version'
down_revision = '0009_state_lz4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_tasks_rule_version_id_rule_versions'),
                                    'rule_versions', ['rule_version_id'], ['id'])


def downgrade():
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_tasks_rule_version_id_rule_versions'),
                                 type_='foreignkey')
        batch_op.drop_column('rule_version_id')
