"""timer claim index: (fire_at, id), the scheduler's claim order, instead of fire_at alone

Timers due at the same instant (a day's warnings) were read and sorted again for every claim,
so firing n of them cost O(n²).

Revision ID: 0006_timer_claim_index
Revises: 0005_modeler
Create Date: 2026-11-21

"""
from alembic import op

revision = '0006_timer_claim_index'
down_revision = '0005_modeler'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_case_timers_fire_at')
        batch_op.create_index('ix_case_timers_claim', ['fire_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_case_timers_claim')
        batch_op.create_index('ix_case_timers_fire_at', ['fire_at'], unique=False)
