"""Actions against needs: what makes an action valid, and how its status may change.

    planned ──▶ under way ──▶ done
       │  ◀──────┘  │  ◀───────┘   (a done action found unfinished goes back under way)
       └──────┬─────┘
              ▼
           dropped (with the reason) ──▶ planned or under way again (taken up again)

A new action may start in any status: coordinators also record what was done before they
opened CommonGround. Statuses are the plain strings stored in the database (the values of
app.models.ActionStatus), so this module needs neither Flask nor SQLAlchemy.

Texts are {language: text}. The community's main language is always filled in, so every reader
has a text to fall back on; the other languages are optional.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.domain.survey_format import SCALE_TYPES, SurveyDefinition

PLANNED, UNDER_WAY, DONE, DROPPED = "planned", "under_way", "done", "dropped"
STATUSES = (PLANNED, UNDER_WAY, DONE, DROPPED)
NEXT_STATUSES: Mapping[str, tuple[str, ...]] = {
    PLANNED: (UNDER_WAY, DONE, DROPPED),
    UNDER_WAY: (PLANNED, DONE, DROPPED),
    DONE: (UNDER_WAY,),  # what was done is not dropped afterwards
    DROPPED: (PLANNED, UNDER_WAY),
}

TITLE_MAX = 200
CARRIED_BY_MAX = 200
DESCRIPTION_MAX = 4000
REASON_MAX = 1000
UPDATE_TEXT_MAX = 1000


@dataclass(frozen=True)
class ActionProblem:
    """What is wrong, and where: `field` is the draft's field, `language` the text's box."""

    field: str
    code: str
    language: str | None = None
    limit: int | None = None  # for "too_long"


@dataclass(frozen=True)
class ActionDraft:
    """An action as someone typed it."""

    title: Mapping[str, str]
    description: Mapping[str, str]
    needs: Sequence[str]  # importance/current question keys
    criteria: Sequence[str]  # criterion keys
    groups: Sequence[str]  # group keys; none: everyone
    status: str
    dropped_reason: Mapping[str, str]
    progress: int
    carried_by: str = ""  # the organisation that carries it


@dataclass(frozen=True)
class ActionChoices:
    """What an action of one round may name: the round's needs, the criteria its survey scores,
    its groups, and the community's languages."""

    needs: frozenset[str]
    criteria: frozenset[str]
    groups: frozenset[str]
    languages: tuple[str, ...]
    default_language: str

    def with_kept(self, draft: ActionDraft) -> ActionChoices:
        """These choices and whatever the saved action names already: a key its round no longer
        offers never stops the action from being edited."""
        return replace(self, needs=self.needs | set(draft.needs), criteria=self.criteria | set(draft.criteria),
                       groups=self.groups | set(draft.groups))


def needs_of(definition: SurveyDefinition) -> list[str]:
    """The keys of the survey's needs: its importance/current questions, in survey order."""
    return [q.key for q in definition.questions if q.type == "importance_current" and q.role == "item"]


def scored_criteria(definition: SurveyDefinition) -> list[str]:
    """The criteria the survey's report scores (those its scale questions feed), in survey order."""
    keys = (q.criterion for q in definition.questions
            if q.type in SCALE_TYPES and q.role == "item" and q.criterion)
    return list(dict.fromkeys(keys))


def tidy(draft: ActionDraft, languages: Sequence[str]) -> ActionDraft:
    """Texts stripped, empty ones and languages the community does not use left out, each key
    once; a reason only for a dropped action (it says why it was dropped, nothing else)."""
    return replace(
        draft,
        carried_by=draft.carried_by.strip(),
        title=tidy_texts(draft.title, languages),
        description=tidy_texts(draft.description, languages),
        needs=_once(draft.needs), criteria=_once(draft.criteria), groups=_once(draft.groups),
        dropped_reason=tidy_texts(draft.dropped_reason, languages) if draft.status == DROPPED else {},
    )


def problems_of(draft: ActionDraft, choices: ActionChoices,
                previous_status: str | None = None) -> list[ActionProblem]:
    """Every problem of a tidied draft (none: it can be saved). `previous_status`: the saved
    action's status, None for a new action."""
    main = choices.default_language
    problems: list[ActionProblem] = []
    if not draft.title.get(main):
        problems.append(ActionProblem("title", "missing", main))
    problems += _too_long("title", draft.title, TITLE_MAX)
    problems += _too_long("description", draft.description, DESCRIPTION_MAX)
    if len(draft.carried_by) > CARRIED_BY_MAX:
        problems.append(ActionProblem("carried_by", "too_long", limit=CARRIED_BY_MAX))
    if not draft.needs and not draft.criteria:
        problems.append(ActionProblem("needs", "nothing_answered"))
    problems += [ActionProblem(field, "unknown") for field, chosen, offered in (
        ("needs", draft.needs, choices.needs), ("criteria", draft.criteria, choices.criteria),
        ("groups", draft.groups, choices.groups)) if not set(chosen) <= offered]
    if draft.status not in statuses_from(previous_status):
        problems.append(ActionProblem("status", "unknown" if draft.status not in STATUSES else "not_allowed"))
    if draft.status == DROPPED and not draft.dropped_reason.get(main):
        problems.append(ActionProblem("dropped_reason", "missing", main))
    problems += _too_long("dropped_reason", draft.dropped_reason, REASON_MAX)
    if not 0 <= draft.progress <= 100:
        problems.append(ActionProblem("progress", "out_of_range"))
    return problems


def statuses_from(current: str | None) -> tuple[str, ...]:
    """The statuses an action may be given: any for a new one, else its own and the next ones."""
    if current is None:
        return STATUSES
    return tuple(s for s in STATUSES if s == current or s in NEXT_STATUSES.get(current, ()))


def shown_progress(status: str, progress: int) -> int:
    """Done is 100 % done, whatever was last typed; any other status shows what was typed."""
    return 100 if status == DONE else max(0, min(100, progress))


def problems_of_update(on: date, text: Mapping[str, str], default_language: str,
                       today: date) -> list[ActionProblem]:
    """A dated update says something in the main language, about a day that has come."""
    problems = []
    if on > today:
        problems.append(ActionProblem("on", "in_future"))
    if not text.get(default_language):
        problems.append(ActionProblem("text", "missing", default_language))
    problems += _too_long("text", text, UPDATE_TEXT_MAX)
    return problems


def tidy_texts(texts: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """The texts stripped, in the community's languages only, empty ones left out."""
    return {language: texts[language].strip() for language in languages
            if (texts.get(language) or "").strip()}


def _once(keys: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def _too_long(field: str, texts: Mapping[str, str], limit: int) -> list[ActionProblem]:
    return [ActionProblem(field, "too_long", language, limit)
            for language, text in texts.items() if len(text) > limit]
