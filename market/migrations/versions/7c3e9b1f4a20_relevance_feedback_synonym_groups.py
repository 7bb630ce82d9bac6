"""relevance feedback marks, the bureau's synonym groups, and what matches were computed with

Revision ID: 7c3e9b1f4a20
Revises: 5a1c0e7d2f10
Create Date: 2026-11-29 03:12:59.467459

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = '7c3e9b1f4a20'
down_revision = '5a1c0e7d2f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_state',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_matching_state'))
    )
    op.create_table('synonym_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_synonym_groups_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_groups'))
    )
    op.create_table('match_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('supply_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['postings.id'], name=op.f('fk_match_feedback_demand_id_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_match_feedback_organization_id_organizations')),
    sa.ForeignKeyConstraint(['supply_id'], ['postings.id'], name=op.f('fk_match_feedback_supply_id_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_match_feedback_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_feedback')),
    sa.UniqueConstraint('organization_id', 'demand_id', 'supply_id', name=op.f('uq_match_feedback_organization_id'))
    )
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_feedback_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_feedback_supply_id'), ['supply_id'], unique=False)



def downgrade():
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_feedback_supply_id'))
        batch_op.drop_index(batch_op.f('ix_match_feedback_demand_id'))

    op.drop_table('match_feedback')
    op.drop_table('synonym_groups')
    op.drop_table('matching_state')
