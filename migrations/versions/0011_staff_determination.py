"""staff determination: a staff review's outcome as the case's determination (认定结果)

A staff review (工作人员差评) has no 核实认定; the personnel unit's 复核认定 decides it. Cases
now record that decision as their determination: valid → `valid` (属实), invalid →
`staff_invalid` (差评无效（人员复核）). Staff cases decided before are filled in: invalid ones
from `invalid`, valid ones from their 书面检讨及整改 step (which only a valid rating reaches,
decided by the unit or by the re-check window running out).

Revision ID: 0011_staff_determination
Revises: 0010_task_rule_version
Create Date: 2026-11-21

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_staff_determination'
down_revision = '0010_task_rule_version'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(
        "UPDATE cases SET determination = 'staff_invalid' WHERE responsibility = 'staff' "
        "AND determination IS NULL AND invalid = :yes").bindparams(yes=True))
    op.execute(sa.text(
        "UPDATE cases SET determination = 'valid' WHERE responsibility = 'staff' "
        "AND determination IS NULL AND EXISTS (SELECT 1 FROM case_tasks "
        "WHERE case_tasks.case_id = cases.id AND case_tasks.step = 'staff_self_criticism')"))


def downgrade():
    op.execute(sa.text("UPDATE cases SET determination = NULL WHERE responsibility = 'staff'"))
