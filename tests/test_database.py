"""The database behaves alike on SQLite and PostgreSQL where the services depend on it."""

from __future__ import annotations

from sqlalchemy import func, select

from market.accounts.models import Organization, Role
from market.extensions import db


def organization_count() -> int:
    return db.session.scalar(select(func.count(Organization.id)))


def test_a_savepoint_that_opens_a_transaction_is_undone_by_its_rollback(app):
    # The idempotent inserts (notifications, ledger lines, agreements) run in begin_nested();
    # when the outer unit of work fails, they must go with it. pysqlite on its own commits here.
    before = organization_count()
    with db.session.begin_nested():
        db.session.add(Organization(name="许昌回滚测试有限公司", kind=Role.ENTERPRISE))
    db.session.rollback()
    assert organization_count() == before


def test_a_released_savepoint_is_kept_by_the_commit(app):
    before = organization_count()
    with db.session.begin_nested():
        db.session.add(Organization(name="许昌提交测试有限公司", kind=Role.ENTERPRISE))
    db.session.commit()
    db.session.remove()
    assert organization_count() == before + 1
