"""Typed SQLAlchemy models, one module per aggregate."""

from app.models.action import Action, ActionStatus, ActionUpdate, PartnerSector
from app.models.community import Community, CommunityKind, Group, GroupKind
from app.models.framework import Criterion, Framework
from app.models.outreach import AuditEvent, Invitation, MailKind, MailLog, MailStatus
from app.models.report import ReleaseKind, ReportBuild, ReportRelease, ReportSnapshot
from app.models.response import Answer, Response, ResponseStatus
from app.models.results import ResultsPublication, ResultsSubscriber
from app.models.round import AccessLink, LinkKind, Round, RoundKind, RoundStatus, round_groups
from app.models.survey import AuthoredSurvey, Question, Survey
from app.models.types import utcnow
from app.models.user import Login, Membership, Role, User

__all__ = [
    "AccessLink",
    "Action",
    "ActionStatus",
    "ActionUpdate",
    "Answer",
    "AuditEvent",
    "AuthoredSurvey",
    "Community",
    "CommunityKind",
    "Criterion",
    "Framework",
    "Group",
    "GroupKind",
    "Invitation",
    "LinkKind",
    "Login",
    "MailKind",
    "MailLog",
    "MailStatus",
    "Membership",
    "PartnerSector",
    "Question",
    "ReleaseKind",
    "ReportBuild",
    "ReportRelease",
    "ReportSnapshot",
    "Response",
    "ResponseStatus",
    "ResultsPublication",
    "ResultsSubscriber",
    "Role",
    "Round",
    "RoundKind",
    "RoundStatus",
    "Survey",
    "User",
    "round_groups",
    "utcnow",
]
