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


FREQUENCY = sa.Enum('IMMEDIATE', 'DAILY', 'WEEKLY', 'OFF', name='frequency', native_enum=False, length=20)
CHANNEL = sa.Enum('IN_APP', 'EMAIL', name='channel', native_enum=False, length=20)
EMAIL_STATUS = sa.Enum('NOT_NEEDED', 'PENDING', 'SENDING', 'SENT', 'FAILED', 'DIGEST', name='emailstatus', native_enum=False, length=20)


def upgrade():
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.Column('frequency', FREQUENCY, nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'category', 'channel', name=op.f('uq_notification_preferences_user_id'))
    )
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preferences_user_id'), ['user_id'], unique=False)

    op.create_table('notification_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', FREQUENCY, nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('more', sa.Integer(), nullable=False),
    sa.Column('status', EMAIL_STATUS, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_digests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_digests')),
    sa.UniqueConstraint('user_id', 'frequency', 'period', name=op.f('uq_notification_digests_user_id'))
    )
    with op.batch_alter_table('notification_digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_digests_user_id'), ['user_id'], unique=False)

    # Existing rows: their category is read off the event key, as notify() does for callers
    # that pass none; every existing row was shown in the inbox.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=20), server_default='general', nullable=False))
        batch_op.add_column(sa.Column('in_app', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.alter_column('email_status', existing_type=sa.Enum('NOT_NEEDED', 'PENDING', 'SENDING', 'SENT', 'FAILED', name='emailstatus', native_enum=False, length=20), type_=EMAIL_STATUS, existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_notifications_digest_id'), ['digest_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_digest_id_notification_digests'), 'notification_digests', ['digest_id'], ['id'])
    notifications = sa.table('notifications', sa.column('event_key', sa.String), sa.column('category', sa.String))
    for prefix, category in (('match:', 'match'), ('docking:', 'docking'), ('review:', 'review'),
                             ('agreement:', 'agreement'), ('freshness:', 'reminder'),
                             ('reminder:', 'reminder'), ('event:', 'event')):
        op.execute(notifications.update().where(notifications.c.event_key.like(prefix + '%')).values(category=category))


def downgrade():
    op.execute("UPDATE notifications SET email_status = 'NOT_NEEDED' WHERE email_status = 'DIGEST'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_digest_id_notification_digests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_digest_id'))
        batch_op.alter_column('email_status', existing_type=EMAIL_STATUS, type_=sa.Enum('NOT_NEEDED', 'PENDING', 'SENDING', 'SENT', 'FAILED', name='emailstatus', native_enum=False, length=20), existing_nullable=False)
        batch_op.drop_column('digest_id')
        batch_op.drop_column('in_app')
        batch_op.drop_column('category')

    with op.batch_alter_table('notification_digests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_digests_user_id'))
    op.drop_table('notification_digests')

    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preferences_user_id'))
    op.drop_table('notification_preferences')
