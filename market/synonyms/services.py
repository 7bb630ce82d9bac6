"""The bureau's synonym groups and the thesaurus matching uses (shipped groups + active ones).

A change takes effect for new match computations at once (each process checks the active
groups once per app context: a request or a task, see `current_expander`); the matches already
stored are recomputed in batches by beat (`matching.services.rematch_if_thesaurus_changed`).
"""

from __future__ import annotations

import logging
import re

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import User
from market.errors import DomainError, NotFound, PermissionDenied
from market.extensions import db
from market.synonyms.models import SynonymGroup
from market.timeutil import utcnow
from search_index import Thesaurus, load_thesaurus, make_expander, validate_group

log = logging.getLogger(__name__)

# Words may be separated by spaces, commas (half- or full-width), 、 or semicolons.
SEPARATORS = re.compile(r"[\s,，、;；]+")
CACHE_KEY = "market.thesaurus"
CHECKED_FLAG = "thesaurus_checked"


def parse_words(text: str) -> list[str]:
    """Split what the bureau typed into words."""
    return [word for word in SEPARATORS.split(text or "") if word]


def list_groups() -> list[SynonymGroup]:
    """Every group, active ones first, newest first."""
    return db.session.scalars(
        select(SynonymGroup).order_by(SynonymGroup.active.desc(), SynonymGroup.id.desc())
    ).all()


def add_group(user: User, text: str) -> SynonymGroup:
    """Add a synonym group typed by bureau staff; DomainError (in Chinese) if it is not valid."""
    _require_bureau(user)
    try:
        words = validate_group(parse_words(text))
    except ValueError as error:
        raise DomainError(str(error), {"words": str(error)}) from error
    _refuse_duplicate(words)
    group = SynonymGroup(words=words, active=True, created_by=user)
    db.session.add(group)
    db.session.flush()
    _thesaurus_changed()
    log.info("%s added synonym group #%s: %s", user.email, group.id, " ".join(words))
    return group


def set_group_active(user: User, group_id: int, active: bool) -> SynonymGroup:
    """Deactivate a group (kept, listed as inactive) or activate it again."""
    _require_bureau(user)
    group = _group(group_id)
    group.active = active
    group.deactivated_at = None if active else utcnow()
    _thesaurus_changed()
    log.info("%s set synonym group #%s active=%s", user.email, group.id, active)
    return group


def delete_group(user: User, group_id: int) -> None:
    """Remove a group for good."""
    _require_bureau(user)
    group = _group(group_id)
    db.session.delete(group)
    _thesaurus_changed()
    log.info("%s deleted synonym group #%s", user.email, group_id)


def _require_bureau(user: User) -> None:
    if not user.is_bureau:
        raise PermissionDenied(_("只有科技局工作人员可以维护同义词。"))


def _group(group_id: int) -> SynonymGroup:
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound(_("同义词组不存在。"))
    return group


def _refuse_duplicate(words: list[str]) -> None:
    wanted = sorted(w.lower() for w in words)
    for group in db.session.scalars(select(SynonymGroup)):
        if sorted(w.lower() for w in group.words) == wanted:
            message = _("已有相同的同义词组（#%(id)d）。", id=group.id)
            raise DomainError(message, {"words": message})


def _thesaurus_changed() -> None:
    db.session.flush()
    g.pop(CHECKED_FLAG, None)  # this context's next match sees the change


# --- the thesaurus in use ---------------------------------------------------------------------


def active_groups() -> list[list[str]]:
    """The words of every active group, oldest group first."""
    return [
        list(words)
        for words in db.session.scalars(
            select(SynonymGroup.words).where(SynonymGroup.active).order_by(SynonymGroup.id)
        )
    ]


def current_thesaurus() -> Thesaurus:
    """The shipped thesaurus plus the active groups (built once per set of groups)."""
    return _cached()[1]


def current_expander():
    """The query expander of the current thesaurus (built once per set of groups)."""
    return _cached()[2]


def _cached():
    """Return (groups, thesaurus, expander), rebuilding when the active groups changed.

    The check is one small query; the rebuild (a copy of the shipped relations) happens only
    when the groups differ from the ones this process built with.
    """
    groups = active_groups()
    key = tuple(tuple(group) for group in groups)
    cached = current_app.extensions.get(CACHE_KEY)
    if cached is None or cached[0] != key:
        thesaurus = load_thesaurus(extra_groups=groups)
        cached = (key, thesaurus, make_expander(thesaurus))
        current_app.extensions[CACHE_KEY] = cached
        log.info("thesaurus %s in use (%d bureau groups)", thesaurus.version, len(groups))
    return cached


def refresh_store_expander(store) -> None:
    """Give the index store the current thesaurus's expander, checking once per app context."""
    if g.get(CHECKED_FLAG):
        return
    store.expand = current_expander()
    g.setdefault(CHECKED_FLAG, True)
