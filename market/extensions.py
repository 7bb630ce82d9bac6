"""Unbound extensions, initialised by the app factory."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def use_real_sqlite_transactions(engine: Engine) -> None:
    """Make a SQLite savepoint that opens a transaction roll back with it, as on PostgreSQL.

    pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so a `begin_nested()` that
    is a transaction's first write runs outside any transaction: its release commits, and the
    outer rollback cannot undo it (a failed request would keep half its work). Before such a
    savepoint we begin the transaction ourselves. SQLAlchemy's full recipe (BEGIN for every
    transaction) was tried and refused: reads then hold snapshots, and the web, worker and beat
    processes sharing a SQLite file failed with "database is locked" when a reader wrote later.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "savepoint")
    def _begin_before_first_savepoint(connection, _name):
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")
