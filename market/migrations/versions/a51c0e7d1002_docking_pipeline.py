"""the 对接 pipeline: outcomes, deadlines, brokers, messages, timeline (issue 5)

Revision ID: a51c0e7d1002
Revises: a51c0e7d1001
Create Date: 2026-11-29 06:00:00

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = 'a51c0e7d1002'
down_revision = 'a51c0e7d1001'
branch_labels = None
depends_on = None


ANSWER_DAYS = 7  # MARKET_DOCKING_ANSWER_DAYS at the time of writing
CHECKIN_DAYS = 30  # MARKET_DOCKING_CHECKIN_DAYS


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_broker', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('dockings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_on', sa.Enum('RESPONDER', 'BOTH', name='waitingon', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('reminded_for', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('nudged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('broker_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Enum('TECH_MISMATCH', 'NO_BUDGET', 'BAD_TIMING', 'SOLVED_ELSEWHERE', 'OTHER', name='dockingoutcome', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('outcome_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_dockings_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dockings_broker_id'), ['broker_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dockings_broker_id_users'), 'users', ['broker_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_dockings_closed_by_id_users'), 'users', ['closed_by_id'], ['id'])

    op.create_table('docking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('docking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('REQUESTED', 'ACCEPTED', 'DECLINED', 'CLOSED', 'CHECKED_IN', 'MESSAGE', 'NUDGED', 'BROKER', 'REMINDED', 'SIGNED', name='dockingeventkind', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_docking_events_actor_id_users')),
    sa.ForeignKeyConstraint(['docking_id'], ['dockings.id'], name=op.f('fk_docking_events_docking_id_dockings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_docking_events'))
    )
    with op.batch_alter_table('docking_events', schema=None) as batch_op:
        batch_op.create_index('ix_docking_events_docking_id_kind', ['docking_id', 'kind'], unique=False)

    _backfill()


def _backfill():
    """Existing dockings get the deadline of the party who must act and a timeline."""
    dockings = sa.table(
        'dockings',
        sa.column('id', sa.Integer),
        sa.column('status', sa.String),
        sa.column('message', sa.Text),
        sa.column('requested_by_id', sa.Integer),
        sa.column('decided_by_id', sa.Integer),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('decided_at', sa.DateTime(timezone=True)),
        sa.column('due_at', sa.DateTime(timezone=True)),
        sa.column('waiting_on', sa.String),
        sa.column('closed_by_id', sa.Integer),
        sa.column('closed_at', sa.DateTime(timezone=True)),
    )
    events = sa.table(
        'docking_events',
        sa.column('docking_id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('actor_id', sa.Integer),
        sa.column('body', sa.Text),
        sa.column('detail', sa.JSON),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(dockings).order_by(dockings.c.id)).mappings().all()
    for row in rows:
        decided = row['decided_at'] or row['created_at']
        values = {}
        if row['status'] == 'REQUESTED':
            values = {'due_at': row['created_at'] + timedelta(days=ANSWER_DAYS), 'waiting_on': 'RESPONDER'}
        elif row['status'] == 'ACCEPTED':
            values = {'due_at': decided + timedelta(days=CHECKIN_DAYS), 'waiting_on': 'BOTH'}
        elif row['status'] == 'DECLINED':
            values = {'closed_by_id': row['decided_by_id'], 'closed_at': decided}
        if values:
            connection.execute(dockings.update().where(dockings.c.id == row['id']).values(**values))
        timeline = [('REQUESTED', row['requested_by_id'], row['message'], row['created_at'])]
        if row['status'] in ('ACCEPTED', 'SIGNED') and row['decided_at'] is not None:
            timeline.append(('ACCEPTED', row['decided_by_id'], None, row['decided_at']))
        elif row['status'] == 'DECLINED':
            timeline.append(('DECLINED', row['decided_by_id'], None, decided))
        connection.execute(events.insert(), [
            {'docking_id': row['id'], 'kind': kind, 'actor_id': actor, 'body': body,
             'detail': {}, 'created_at': when}
            for kind, actor, body, when in timeline
        ])


def downgrade():
    with op.batch_alter_table('docking_events', schema=None) as batch_op:
        batch_op.drop_index('ix_docking_events_docking_id_kind')

    op.drop_table('docking_events')
    with op.batch_alter_table('dockings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dockings_closed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_dockings_broker_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dockings_broker_id'))
        batch_op.drop_index(batch_op.f('ix_dockings_due_at'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('outcome_comment')
        batch_op.drop_column('outcome')
        batch_op.drop_column('broker_id')
        batch_op.drop_column('nudged_on')
        batch_op.drop_column('reminded_for')
        batch_op.drop_column('waiting_on')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_broker')
