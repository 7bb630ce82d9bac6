"""events, registrations and pairing schedules (issue 5)

Revision ID: a51c0e7d1003
Revises: a51c0e7d1002
Create Date: 2026-11-29 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = 'a51c0e7d1003'
down_revision = 'a51c0e7d1002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('POLICY', 'LAUNCH', 'TRAINING', 'MATCHMAKING', name='eventkind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registered_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), server_default='20', nullable=False),
    sa.Column('slot_count', sa.Integer(), server_default='6', nullable=False),
    sa.Column('schedule_generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('REGISTERED', 'WAITLISTED', 'CANCELLED', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_event_registrations_organization_id_organizations')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_event_registrations_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'organization_id', name=op.f('uq_event_registrations_event_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_organization_id'), ['organization_id'], unique=False)

    op.create_table('event_registration_postings',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_event_registration_postings_posting_id_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['event_registrations.id'], name=op.f('fk_event_registration_postings_registration_id_event_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'posting_id', name=op.f('pk_event_registration_postings'))
    )

    op.create_table('event_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('demand_org_id', sa.Integer(), nullable=False),
    sa.Column('supply_org_id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('supply_id', sa.Integer(), nullable=True),
    sa.Column('strength', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['demand_id'], ['postings.id'], name=op.f('fk_event_meetings_demand_id_postings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_org_id'], ['organizations.id'], name=op.f('fk_event_meetings_demand_org_id_organizations')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_meetings_event_id_events')),
    sa.ForeignKeyConstraint(['supply_id'], ['postings.id'], name=op.f('fk_event_meetings_supply_id_postings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supply_org_id'], ['organizations.id'], name=op.f('fk_event_meetings_supply_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_meetings')),
    sa.UniqueConstraint('event_id', 'demand_org_id', 'supply_org_id', name='uq_event_meetings_pair'),
    sa.UniqueConstraint('event_id', 'slot', 'demand_org_id', name='uq_event_meetings_demand_slot'),
    sa.UniqueConstraint('event_id', 'slot', 'supply_org_id', name='uq_event_meetings_supply_slot')
    )
    with op.batch_alter_table('event_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_meetings_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_meetings_event_id'))
    op.drop_table('event_meetings')
    op.drop_table('event_registration_postings')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_organization_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))
    op.drop_table('event_registrations')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))
    op.drop_table('events')
