"""Load the criteria catalogue and the survey files into the database, versioned."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.domain.survey_files import read_bank
from app.domain.survey_format import Catalogue, Problem, SurveyDefinition
from app.extensions import db
from app.models import AuthoredSurvey, Criterion, Framework, Question, Survey


class BankInvalid(Exception):
    """The files have problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the survey files")
        self.problems = problems


@dataclass
class LoadResult:
    criteria: int = 0
    new_versions: list[Survey] = field(default_factory=list)
    unchanged: list[Survey] = field(default_factory=list)


def load_bank(directory: Path) -> LoadResult:
    """Load everything, or nothing when any file has a problem."""
    bank = read_bank(directory)
    if bank.problems or bank.catalogue is None:
        raise BankInvalid(bank.problems)
    result = LoadResult(criteria=upsert_catalogue(bank.catalogue))
    ids = criterion_ids()
    for path, definition in bank.surveys:
        survey, is_new = store_survey(definition, display_path(path, directory), ids)
        (result.new_versions if is_new else result.unchanged).append(survey)
    db.session.flush()
    return result


def criterion_ids() -> dict[str, int]:
    return dict(db.session.execute(select(Criterion.key, Criterion.id)).all())


def display_path(path: Path, directory: Path) -> str:
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)


def upsert_catalogue(catalogue: Catalogue) -> int:
    """Criteria are identified by key and updated in place. Criteria that left the file stay,
    because older survey versions still point at them."""
    frameworks = {f.key: f for f in db.session.scalars(select(Framework))}
    criteria = {c.key: c for c in db.session.scalars(select(Criterion))}
    count = 0
    for position, spec in enumerate(catalogue.frameworks):
        framework = frameworks.get(spec.key) or Framework(key=spec.key)
        framework.name = dict(spec.name)
        framework.description = dict(spec.description or {})
        framework.position = position
        db.session.add(framework)
        for criterion_spec in spec.criteria:
            criterion = criteria.get(criterion_spec.key) or Criterion(key=criterion_spec.key)
            criterion.framework = framework
            criterion.name = dict(criterion_spec.name)
            criterion.description = dict(criterion_spec.description or {})
            criterion.position = criterion_spec.position
            db.session.add(criterion)
            count += 1
    db.session.flush()
    return count


def latest_version(key: str) -> Survey | None:
    """The bank's latest version of the survey (not a community's own survey of that key)."""
    return db.session.scalar(
        select(Survey).where(Survey.key == key, Survey.authored_survey_id.is_(None))
        .order_by(Survey.version.desc()).limit(1)
    )


def store_survey(
    definition: SurveyDefinition, source_path: str, criterion_ids: dict[str, int],
    owner: AuthoredSurvey | None = None, languages: list[str] | None = None,
) -> tuple[Survey, bool]:
    """The stored version of this definition; a new version when its content changed.

    `owner`: the community's own survey this is a version of (None: the bank's, by key), and
    `languages`: those it is complete in, which a round can be asked in (None: all)."""
    fingerprint = definition.fingerprint()
    latest = owner.latest if owner is not None else latest_version(definition.key)
    if latest is not None and latest.fingerprint == fingerprint:
        return latest, False
    survey = Survey(
        key=definition.key,
        version=(latest.version + 1) if latest else 1,
        audience=definition.audience,
        title=dict(definition.title),
        languages=list(definition.languages if languages is None else languages),
        fingerprint=fingerprint,
        definition=definition.to_dict(),
        source_path=source_path,
        authored=owner,
    )
    for position, question in enumerate(definition.questions):
        survey.questions.append(
            Question(
                key=question.key,
                position=position,
                page_key=question.page_key,
                type=question.type,
                role=question.role,
                criterion_id=criterion_ids.get(question.criterion) if question.criterion else None,
                required=question.required,
                text=dict(question.text),
                options=[{"key": o.key, "label": dict(o.label)} for o in question.options],
            )
        )
    db.session.add(survey)
    return survey, True
