"""Organisations (companies, institutes, the bureau) and the people who act for them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.extensions import db
from market.timeutil import utcnow


class Role(str, enum.Enum):
    ENTERPRISE = "enterprise"
    INSTITUTE = "institute"
    BUREAU = "bureau"


COUNTIES = ("魏都区", "建安区", "东城区", "示范区", "禹州市", "长葛市", "鄢陵县", "襄城县")


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    county: Mapped[str | None] = mapped_column(String(20))
    industry: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # Part of the login cookie: changing it (e.g. on a password change) signs out every session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    locale: Mapped[str | None] = mapped_column(String(10))
    email_notifications: Mapped[bool] = mapped_column(default=True)
    # 技术经理人: the bureau flags a service organisation's user who may follow 对接.
    is_broker: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="members")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_bureau(self) -> bool:
        return self.role == Role.BUREAU

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"
