"""Who may do what: a role column, a decorator and ownership checks (no Flask-Principal)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from market.accounts.models import Role, User
from market.extensions import db, login_manager


def role_required(*roles: Role):
    """Allow the view only to logged-in users with one of these roles."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


bureau_required = role_required(Role.BUREAU)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load from the cookie's `id:token`; a changed token signs every old session out."""
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token:
        return None
    return user
