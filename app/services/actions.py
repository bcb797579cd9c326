"""Actions against needs: record, change, follow and remove what a community does about what a
round found, and who besides its coordinators may record them.

The rules are in app.domain.actions; this module applies them to rows, writes each change's
audit event, and flushes. Callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.domain import actions as rules
from app.domain.actions import ActionChoices, ActionDraft, ActionProblem
from app.domain.dates import community_zone
from app.extensions import db
from app.models import Action, ActionStatus, ActionUpdate, Community, Membership, PartnerSector, Round, utcnow
from app.services import audit


@dataclass(frozen=True)
class ActionSpec:
    """What someone records about an action. Texts are {language: text}."""

    title: Mapping[str, str]
    needs: Sequence[str] = ()  # importance/current question keys of the round's survey
    criteria: Sequence[str] = ()  # criterion keys the survey scores
    groups: Sequence[str] = ()  # group keys of the round; none: everyone
    description: Mapping[str, str] = field(default_factory=dict)
    carried_by: str = ""
    sector: PartnerSector | None = None
    status: ActionStatus = ActionStatus.PLANNED
    dropped_reason: Mapping[str, str] = field(default_factory=dict)
    progress: int = 0


class ActionRefused(Exception):
    """The action (or update) cannot be saved as it is: `problems` says what and where."""

    def __init__(self, problems: list[ActionProblem]):
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


def choices_for(survey_round: Round) -> ActionChoices:
    """What an action of this round may name."""
    definition = survey_round.definition()
    community = survey_round.community
    return ActionChoices(
        needs=frozenset(rules.needs_of(definition)), criteria=frozenset(rules.scored_criteria(definition)),
        groups=frozenset(g.key for g in survey_round.groups), languages=tuple(community.languages),
        default_language=community.default_language)


def create(survey_round: Round, spec: ActionSpec, *, actor_id: int | None) -> Action:
    """Record an action against what `survey_round` found; raises ActionRefused when it is not
    valid (see app.domain.actions.problems_of). For example, from a script or the demo:

        action = actions.create(last_year, actions.ActionSpec(
            title={"en": "Free Dutch courses at the library", "nl": "Gratis lessen Nederlands"},
            needs=["need_language"], groups=["newcomers"], carried_by="City library",
            sector=PartnerSector.EDUCATIONAL_INSTITUTES, status=ActionStatus.UNDER_WAY, progress=40),
            actor_id=None)  # None: done by CommonGround itself, as the audit log says
        db.session.commit()
    """
    draft = _checked(spec, choices_for(survey_round), previous_status=None)
    action = Action(community_id=survey_round.community_id, round=survey_round, created_by_id=actor_id)
    _apply(action, draft, spec.sector)
    db.session.add(action)
    db.session.flush()
    _record("action_created", action, actor_id)
    return action


def update(action: Action, spec: ActionSpec, *, actor_id: int | None) -> Action:
    """Change an action; its status only as app.domain.actions.NEXT_STATUSES allows."""
    saved = _draft_of(action)
    draft = _checked(spec, choices_for(action.round).with_kept(saved), previous_status=saved.status)
    _apply(action, draft, spec.sector)  # updated_at follows (Action.updated_at's onupdate)
    db.session.flush()
    moved = draft.status != saved.status
    _record("action_edited", action, actor_id,
            **({"previous_status": saved.status, "status": draft.status} if moved else {}))
    return action


def add_update(action: Action, on: date, text: Mapping[str, str], *, actor_id: int | None,
               today: date | None = None) -> ActionUpdate:
    """A dated note on how the action goes; `today` on the community's calendar by default."""
    community = action.community
    texts = rules.tidy_texts(text, community.languages)
    problems = rules.problems_of_update(on, texts, community.default_language,
                                        today or community_today(community))
    if problems:
        raise ActionRefused(problems)
    note = ActionUpdate(action=action, on=on, text=texts, created_by_id=actor_id)
    db.session.add(note)
    action.updated_at = utcnow()  # the action's row itself is not changed: say that it moved on
    db.session.flush()
    _record("action_update_added", action, actor_id, on=on.isoformat())
    return note


def delete(action: Action, *, actor_id: int | None) -> None:
    """Remove the action and its updates (the audit log keeps its title)."""
    _record("action_deleted", action, actor_id)
    db.session.delete(action)
    db.session.flush()


def actions_of_round(round_id: int) -> list[Action]:
    """The actions against what the round found, in the order they were recorded."""
    return list(db.session.scalars(select(Action).where(Action.round_id == round_id).order_by(Action.id)))


def actions_of_community(community_id: int) -> list[Action]:
    """Every action of the community, those of its latest rounds first."""
    return list(db.session.scalars(
        select(Action).join(Round, Action.round_id == Round.id).where(Action.community_id == community_id)
        .order_by(Round.began_at.desc(), Action.round_id.desc(), Action.id)))


def allow_recording(membership: Membership, allowed: bool, *, actor_id: int | None) -> None:
    """Let a stakeholder (a partner organisation's person) record actions, or no longer."""
    if membership.may_record_actions == allowed:
        return
    membership.may_record_actions = allowed
    db.session.flush()
    audit.record("member_action_recording_changed", community_id=membership.community_id, user_id=actor_id,
                 member_id=membership.user_id, email=membership.user.email, allowed=allowed)


def community_today(community: Community) -> date:
    """Today's date on the community's calendar (an update is dated on it)."""
    return utcnow().astimezone(community_zone(community.timezone)).date()


def _checked(spec: ActionSpec, choices: ActionChoices, previous_status: str | None) -> ActionDraft:
    draft = rules.tidy(ActionDraft(
        title=spec.title, description=spec.description, needs=spec.needs, criteria=spec.criteria,
        groups=spec.groups, status=spec.status.value, dropped_reason=spec.dropped_reason, progress=spec.progress,
        carried_by=spec.carried_by), choices.languages)
    problems = rules.problems_of(draft, choices, previous_status)
    if problems:
        raise ActionRefused(problems)
    return draft


def _apply(action: Action, draft: ActionDraft, sector: PartnerSector | None) -> None:
    action.title = dict(draft.title)
    action.description = dict(draft.description)
    action.needs, action.criteria, action.groups = list(draft.needs), list(draft.criteria), list(draft.groups)
    action.carried_by = draft.carried_by
    action.sector = sector
    action.status = ActionStatus(draft.status)
    action.dropped_reason = dict(draft.dropped_reason) or None
    action.progress = draft.progress


def _draft_of(action: Action) -> ActionDraft:
    return ActionDraft(
        title=action.title, description=action.description or {}, needs=action.needs or [],
        criteria=action.criteria or [], groups=action.groups or [], status=action.status.value,
        dropped_reason=action.dropped_reason or {}, progress=action.progress, carried_by=action.carried_by)


def _record(event: str, action: Action, actor_id: int | None, **details: object) -> None:
    main = action.community.default_language
    audit.record(event, community_id=action.community_id, round_id=action.round_id, user_id=actor_id,
                 action_id=action.id, title=action.title.get(main) or next(iter(action.title.values()), ""),
                 **details)
