"""notification preferences and digests (issue 5)

Revision ID: a51c0e7d1001
Revises: 7c3e9b1f4a20
Create Date: 2026-11-29 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = 'a51c0e7d1001'
down_revision = '7c3e9b1f4a20'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
