"""Every model, imported in one place so Alembic and create_all see all tables."""

from market.accounts.models import Organization, Role, User
from market.agreements.models import (
    Agreement,
    AgreementCorrection,
    AgreementParty,
    AgreementStatus,
    LedgerEntry,
    LedgerKind,
)
from market.api.models import ApiToken
from market.dockings.models import Docking, DockingEvent, DockingStatus
from market.events.models import (
    Event,
    EventKind,
    EventMeeting,
    EventRegistration,
    RegistrationStatus,
)
from market.feedback.models import MatchFeedback
from market.matching.models import Match, MatchingState
from market.notifications.models import (
    EmailStatus,
    Notification,
    NotificationDigest,
    NotificationPreference,
)
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
    "AgreementCorrection",
    "AgreementParty",
    "AgreementStatus",
    "ApiToken",
    "Docking",
    "DockingEvent",
    "DockingStatus",
    "EmailStatus",
    "Event",
    "EventKind",
    "EventMeeting",
    "EventRegistration",
    "LedgerEntry",
    "LedgerKind",
    "Match",
    "MatchFeedback",
    "MatchingState",
    "Notification",
    "NotificationDigest",
    "NotificationPreference",
    "Organization",
    "OutboxTask",
    "Posting",
    "PostingKind",
    "PostingStatus",
    "Problem",
    "RegistrationStatus",
    "Result",
    "ReviewDecision",
    "Role",
    "SynonymGroup",
    "TalentNeed",
    "User",
]
