"""Creating accounts and checking passwords."""

from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select

from market.accounts.models import COUNTIES, Organization, Role, User
from market.errors import DomainError
from market.extensions import db

log = logging.getLogger(__name__)
# argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 65 ms here,
# where the library's RFC profile (64 MiB, p=4) took 200-700 ms per login on two cores.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_PASSWORD_LENGTH = 8
SELF_REGISTRATION_ROLES = (Role.ENTERPRISE, Role.INSTITUTE)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; upgrades outdated hashes."""
    user = find_user_by_email(email)
    if user is None:
        _hasher.hash(password)  # same work either way, so timing does not reveal accounts
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def register_user(
    *, email: str, password: str, name: str, role: Role, org_name: str, county: str | None = None
) -> User:
    """Self-registration of a company or institute member; bureau accounts are CLI-only."""
    if role not in SELF_REGISTRATION_ROLES:
        raise DomainError(_("只能注册企业或科研机构账号；科技局账号由管理员创建。"))
    if _organization_named(org_name.strip()) is not None:
        # Nobody may join an existing organisation (and see its unpublished postings and
        # 对接) just by typing its name: further members are added by the bureau.
        message = _(
            "单位“%(name)s”已注册。如需为该单位增加账号，请联系科技局。", name=org_name.strip()
        )
        raise DomainError(message, {"org_name": message})
    return create_user(
        email=email, password=password, name=name, role=role, org_name=org_name, county=county
    )


def create_user(
    *, email: str, password: str, name: str, role: Role, org_name: str, county: str | None = None
) -> User:
    """Create a user in the organisation of that name, creating the organisation if needed."""
    email = email.strip().lower()
    org_name = org_name.strip()
    _check_new_account(email, password, org_name, county)
    organization = _organization_for(org_name, role, county)
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
        organization=organization,
    )
    db.session.add(user)
    db.session.flush()
    log.info("user %s created for %s (%s)", email, org_name, role.value)
    return user


def _check_new_account(email: str, password: str, org_name: str, county: str | None) -> None:
    errors = {}
    if find_user_by_email(email) is not None:
        errors["email"] = _("该邮箱已注册。")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("密码至少 %(n)d 位。", n=MIN_PASSWORD_LENGTH)
    if not org_name:
        errors["org_name"] = _("请填写单位名称。")
    if county and county not in COUNTIES:
        errors["county"] = _("请选择许昌市的县（市、区）。")
    if errors:
        raise DomainError(next(iter(errors.values())), errors)


def _organization_named(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name))


def _organization_for(name: str, role: Role, county: str | None) -> Organization:
    organization = _organization_named(name)
    if organization is None:
        organization = Organization(name=name, kind=role, county=county)
        db.session.add(organization)
    elif organization.kind != role:
        message = _("单位“%(name)s”已以其他身份注册。", name=name)
        raise DomainError(message, {"org_name": message})
    return organization
