"""the 对接 pipeline: outcomes, deadlines, brokers, messages, timeline (issue 5)

Revision ID: a51c0e7d1002
Revises: a51c0e7d1001
Create Date: 2026-11-29 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = 'a51c0e7d1002'
down_revision = 'a51c0e7d1001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
