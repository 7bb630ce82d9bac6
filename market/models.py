"""Every model, imported in one place so Alembic and create_all see all tables."""

from market.accounts.models import Organization, Role, User
from market.agreements.models import Agreement, AgreementStatus, LedgerEntry, LedgerKind
from market.api.models import ApiToken
from market.dockings.models import Docking, DockingStatus
from market.events.models import Event, EventKind
from market.feedback.models import MatchFeedback
from market.matching.models import Match, MatchingState
from market.notifications.models import EmailStatus, Notification
from market.outbox import OutboxTask
from market.postings.models import (
    Posting,
    PostingKind,
    PostingStatus,
    Problem,
    Result,
    ReviewDecision,
    TalentNeed,
)
from market.synonyms.models import SynonymGroup

__all__ = [
    "Agreement",
    "AgreementStatus",
    "ApiToken",
    "Docking",
    "DockingStatus",
    "EmailStatus",
    "Event",
    "EventKind",
    "LedgerEntry",
    "LedgerKind",
    "Match",
    "MatchFeedback",
    "MatchingState",
    "Notification",
    "Organization",
    "OutboxTask",
    "Posting",
    "PostingKind",
    "PostingStatus",
    "Problem",
    "Result",
    "ReviewDecision",
    "Role",
    "SynonymGroup",
    "TalentNeed",
    "User",
]
