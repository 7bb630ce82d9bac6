"""Who is calling: the owner of the bearer token, or nobody. Cookies never authenticate.

The API is exempt from CSRF checks, so it must not act on a browser's session cookie: a
page elsewhere could otherwise make a logged-in visitor's browser call it.
"""

from __future__ import annotations

from flask import g, request
from flask_login import AnonymousUserMixin

from market import outbox
from market.accounts.models import User
from market.api.errors import unauthorized
from market.api.services import user_for_token

TOKEN_MAX = 200


def load_token_user() -> None:
    """Before each API request: the token's user in `g.api_user`; a bad token is refused."""
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _sep, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX or not token.isascii():
        raise unauthorized()
    user = user_for_token(token)
    if user is None:
        raise unauthorized()
    outbox.commit()  # keep the last-use time even if the request itself is refused
    g.api_user = user


def viewer() -> User | AnonymousUserMixin:
    """The caller as the visibility rules see them: a user, or an anonymous visitor."""
    return g.get("api_user") or AnonymousUserMixin()


def require_user() -> User:
    """The calling user; 401 without a token."""
    user = g.get("api_user")
    if user is None:
        raise unauthorized()
    return user
