"""login failures: failed sign-ins per username, and until when one is locked (登录失败处理)

Revision ID: 0013_login_failures
Revises: 0012_watch_list_indexes
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

from app.models_base import UTCDateTime

revision = '0013_login_failures'
down_revision = '0012_watch_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_at', UTCDateTime(), nullable=False),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('username'),
    )


def downgrade():
    op.drop_table('login_failures')
