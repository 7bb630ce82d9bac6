"""agreements: parties, contract types, ledger corrections (issue 6)

Revision ID: a51c0e7d1004
Revises: a51c0e7d1003
Create Date: 2026-11-29 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import market.money


# revision identifiers, used by Alembic.
revision = 'a51c0e7d1004'
down_revision = 'a51c0e7d1003'
branch_labels = None
depends_on = None


def upgrade():
    # Rows recorded before this revision stay valid: every new NOT NULL column gets a server
    # default or is added nullable, backfilled from the agreement, and only then made NOT NULL.
    op.create_table('agreement_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('BUYER', 'SELLER', name='partyrole', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_parties_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_agreement_parties_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_parties')),
    sa.UniqueConstraint('agreement_id', 'organization_id', name=op.f('uq_agreement_parties_agreement_id'))
    )
    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_parties_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_parties_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tech_amount', market.money.Money(), nullable=True))
        batch_op.add_column(sa.Column('contract_type', sa.Enum('DEVELOPMENT', 'TRANSFER', 'LICENSING', 'CONSULTING', 'SERVICE', name='contracttype', native_enum=False, length=20), server_default='DEVELOPMENT', nullable=False))
        batch_op.add_column(sa.Column('term_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('term_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('county', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('field', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('problem_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contract_file', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('contract_file_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index(batch_op.f('ix_agreements_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_field'), ['field'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreements_problem_id'), ['problem_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agreements_problem_id_postings'), 'postings', ['problem_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_agreements_event_id_events'), 'events', ['event_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_agreements_result_id_postings'), 'postings', ['result_id'], ['id'])

    # Existing agreements: the whole amount is the technology part, the county is the
    # company's, and the two lead organisations become the parties.
    op.execute("UPDATE agreements SET tech_amount = amount WHERE tech_amount IS NULL")
    op.execute(
        "UPDATE agreements SET county = (SELECT organizations.county FROM organizations"
        " WHERE organizations.id = agreements.company_id) WHERE county IS NULL"
    )
    op.execute(
        "INSERT INTO agreement_parties (agreement_id, organization_id, role, position)"
        " SELECT id, company_id, 'BUYER', 0 FROM agreements"
    )
    op.execute(
        "INSERT INTO agreement_parties (agreement_id, organization_id, role, position)"
        " SELECT id, institute_id, 'SELLER', 1 FROM agreements"
    )

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('tech_amount', market.money.Money(), nullable=True))
        batch_op.add_column(sa.Column('contract_type', sa.Enum('DEVELOPMENT', 'TRANSFER', 'LICENSING', 'CONSULTING', 'SERVICE', name='contracttype', native_enum=False, length=20), server_default='DEVELOPMENT', nullable=False))
        batch_op.add_column(sa.Column('county', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('field', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('institute_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))

    # Existing ledger lines (all RECORD, revision 1) take their dimensions from the agreement.
    op.execute("UPDATE ledger_entries SET tech_amount = amount WHERE tech_amount IS NULL")
    for column, source in (
        ('company_id', 'company_id'),
        ('institute_id', 'institute_id'),
        ('county', 'county'),
        ('entered_by_id', 'submitted_by_id'),
    ):
        op.execute(
            f"UPDATE ledger_entries SET {column} = (SELECT agreements.{source} FROM agreements"
            " WHERE agreements.id = ledger_entries.agreement_id)"
        )

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.alter_column('tech_amount', existing_type=market.money.Money(), nullable=False)
        batch_op.alter_column('company_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('institute_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_ledger_entries_agreement_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entries_agreement_id'), ['agreement_id', 'revision', 'kind'])
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entries_count_is_one'), 'count IN (-1, 1)')
        batch_op.create_index(batch_op.f('ix_ledger_entries_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_field'), ['field'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_institute_id'), ['institute_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_entered_by_id_users'), 'users', ['entered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_event_id_events'), 'events', ['event_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_institute_id_organizations'), 'organizations', ['institute_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_company_id_organizations'), 'organizations', ['company_id'], ['id'])

    op.create_table('agreement_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('CORRECTION', 'CANCELLATION', name='correctionkind', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('contract_type', sa.Enum('DEVELOPMENT', 'TRANSFER', 'LICENSING', 'CONSULTING', 'SERVICE', name='contracttype', native_enum=False, length=20), nullable=True),
    sa.Column('amount', market.money.Money(), nullable=True),
    sa.Column('tech_amount', market.money.Money(), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('county', sa.String(length=20), nullable=True),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_revision', sa.Integer(), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_corrections_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agreement_corrections_event_id_events')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_agreement_corrections_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_corrections')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_agreement_corrections_submission_key'))
    )
    with op.batch_alter_table('agreement_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_corrections_agreement_id'), ['agreement_id'], unique=False)


def downgrade():
    # Corrections cannot be expressed in the old one-line-per-agreement ledger: refuse rather
    # than silently lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM agreement_corrections")).scalar():
        raise RuntimeError("agreements have been corrected or cancelled; cannot downgrade")
    with op.batch_alter_table('agreement_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_corrections_agreement_id'))
    op.drop_table('agreement_corrections')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entries_count_is_one'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_company_id_organizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_institute_id_organizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_event_id_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_entered_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_institute_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_field'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_event_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_county'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_company_id'))
        batch_op.drop_constraint(batch_op.f('uq_ledger_entries_agreement_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entries_agreement_id'), ['agreement_id', 'kind'])
        batch_op.drop_column('reason')
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('event_id')
        batch_op.drop_column('institute_id')
        batch_op.drop_column('company_id')
        batch_op.drop_column('field')
        batch_op.drop_column('county')
        batch_op.drop_column('contract_type')
        batch_op.drop_column('tech_amount')
        batch_op.drop_column('revision')

    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agreements_result_id_postings'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_agreements_event_id_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_agreements_problem_id_postings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agreements_field'))
        batch_op.drop_index(batch_op.f('ix_agreements_problem_id'))
        batch_op.drop_index(batch_op.f('ix_agreements_event_id'))
        batch_op.drop_index(batch_op.f('ix_agreements_county'))
        batch_op.drop_column('revision')
        batch_op.drop_column('contract_file_name')
        batch_op.drop_column('contract_file')
        batch_op.drop_column('event_id')
        batch_op.drop_column('result_id')
        batch_op.drop_column('problem_id')
        batch_op.drop_column('field')
        batch_op.drop_column('county')
        batch_op.drop_column('term_end')
        batch_op.drop_column('term_start')
        batch_op.drop_column('contract_type')
        batch_op.drop_column('tech_amount')

    with op.batch_alter_table('agreement_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_parties_organization_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_parties_agreement_id'))

    op.drop_table('agreement_parties')
    # ### end Alembic commands ###
