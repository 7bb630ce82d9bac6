"""matches keep the engine's explanation (bridging synonyms, matched fields, fit)

Revision ID: 5a1c0e7d2f10
Revises: 4be804d7a589
Create Date: 2026-11-29 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = '5a1c0e7d2f10'
down_revision = '4be804d7a589'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('explanation')
