"""A round's results published back to its citizens, and the one mail to those who asked.

The coordinators of a round choose what the public results page shows (the top needs of each
group, who took part against the population, the criteria profile, a note per need in the
community's languages) and publish it when they choose: after the round closes by default,
or before, when the page shows the latest interim release. The page reads releases only
(app.services.report_releases), so a round without one has nothing to publish.

Citizens may leave an address on the thank-you page to be told once when the results appear.
The address is stored with its round and nothing else (app.models.ResultsSubscriber), used for
one message in all the round's languages, then deleted (app.tasks.notify_results).

Flushes, never commits: the view or the task commits once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from email_validator import EmailNotValidError
from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.invitation_csv import normalise_email
from app.domain.survey_format import Question
from app.extensions import db
from app.models import ResultsPublication, ResultsSubscriber, Round, RoundStatus, User
from app.services import audit, invitations, mail, report_releases

MAX_NOTE_LENGTH = 500


class PublicationRefused(ValueError):
    """The round's results cannot be published now; `code` names why, for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class SignUpRefused(ValueError):
    """An address cannot be kept for this round; `code`: invalid_email, no_results_page,
    no_mail, already_told."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResultsChoices:
    """What the public page shows, as a coordinator chose it."""

    show_needs: bool = True
    show_turnout: bool = True
    show_profile: bool = True
    notes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # {need key: {language: note}}


# --- What the public page shows ---------------------------------------------------------------


def publication_of(survey_round: Round) -> ResultsPublication | None:
    return db.session.scalar(select(ResultsPublication).where(ResultsPublication.round_id == survey_round.id))


def is_published(survey_round: Round) -> bool:
    publication = publication_of(survey_round)
    return publication is not None and publication.published_at is not None


def need_questions(survey_round: Round) -> list[Question]:
    """The needs the round asks (importance and current state): the ones a note can go beside."""
    return [q for q in survey_round.definition().questions if q.type == "importance_current"]


def publish(survey_round: Round, by_user: User, choices: ResultsChoices, now: datetime) -> ResultsPublication:
    """Show the round's results to citizens with these choices (already published: the choices
    change, the publication date stays). Refused for a named panel (its ratings are
    attributed and have no public page) and for a round without a release."""
    if survey_round.is_panel:
        raise PublicationRefused("named_panel")
    if report_releases.latest_release(survey_round.id) is None:
        raise PublicationRefused("no_release")
    publication = _publication_for(survey_round)
    _apply(publication, survey_round, choices)
    if publication.published_at is None:
        publication.published_at, publication.published_by_id = now, by_user.id
    db.session.flush()
    audit.record("results_published", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=by_user.id, **_choices_summary(publication))
    return publication


def update(survey_round: Round, by_user: User, choices: ResultsChoices) -> ResultsPublication:
    """Save the choices, published or not (a coordinator may prepare the page before publishing)."""
    publication = _publication_for(survey_round)
    _apply(publication, survey_round, choices)
    db.session.flush()
    audit.record("results_choices_saved", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=by_user.id, **_choices_summary(publication))
    return publication


def withdraw(survey_round: Round, by_user: User) -> ResultsPublication | None:
    """Take the results page down; the choices are kept for a later publication. None when
    nothing was published."""
    publication = publication_of(survey_round)
    if publication is None or publication.published_at is None:
        return None
    publication.published_at = None
    db.session.flush()
    audit.record("results_withdrawn", community_id=survey_round.community_id, round_id=survey_round.id,
                 user_id=by_user.id)
    return publication


def needs_notice(publication: ResultsPublication | None) -> bool:
    """Whether those who asked have yet to be told of this publication (each one is told
    once: their address is deleted after its message)."""
    if publication is None or publication.published_at is None:
        return False
    return publication.notified_at is None or publication.notified_at < publication.published_at


def _publication_for(survey_round: Round) -> ResultsPublication:
    publication = publication_of(survey_round)
    if publication is None:
        publication = ResultsPublication(round_id=survey_round.id, notes={})
        db.session.add(publication)
    return publication


def _apply(publication: ResultsPublication, survey_round: Round, choices: ResultsChoices) -> None:
    publication.show_needs = choices.show_needs
    publication.show_turnout = choices.show_turnout
    publication.show_profile = choices.show_profile
    publication.notes = clean_notes(choices.notes, {q.key for q in need_questions(survey_round)},
                                    survey_round.community.languages)


def clean_notes(notes: Mapping[str, Mapping[str, str]], need_keys: Collection[str],
                languages: Collection[str]) -> dict[str, dict[str, str]]:
    """Notes on the round's needs in the community's languages, trimmed, empty ones left out,
    each at most MAX_NOTE_LENGTH characters (the form says so before it gets here)."""
    cleaned: dict[str, dict[str, str]] = {}
    for key, texts in notes.items():
        if key not in need_keys:
            continue
        kept = {language: " ".join(text.split())[:MAX_NOTE_LENGTH]
                for language, text in texts.items() if language in languages and text.strip()}
        if kept:
            cleaned[key] = kept
    return cleaned


def _choices_summary(publication: ResultsPublication) -> dict[str, object]:
    """What the audit log keeps of the choices: what is shown, and which needs have notes."""
    return {"show_needs": publication.show_needs, "show_turnout": publication.show_turnout,
            "show_profile": publication.show_profile, "notes_on": sorted(publication.notes or {})}


# --- Signing up to be told --------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsPromise:
    """What the thank-you page can say about the round's results."""

    published: bool  # out already: the page links to them
    sign_up: bool  # it offers to tell people by email when they appear


def promise_for(survey_round: Round) -> ResultsPromise:
    """Sign-up is offered while the results are not out, for a round that will have a public
    page (not a named panel), where mail can be sent."""
    published = is_published(survey_round)
    return ResultsPromise(published=published, sign_up=not published and not survey_round.is_panel
                          and mail.configured(current_app.config))


def subscribe(survey_round: Round, email: str) -> None:
    """Keep `email` to tell its owner once when the round's results appear. The same address
    twice for a round is kept once, and the answer is the same either way (nobody learns who
    signed up). Nothing but the round and the address is stored."""
    if survey_round.is_panel:
        raise SignUpRefused("no_results_page")
    if not mail.configured(current_app.config):
        raise SignUpRefused("no_mail")
    if already_told(survey_round):
        raise SignUpRefused("already_told")
    try:
        address = normalise_email(email)
    except EmailNotValidError:
        raise SignUpRefused("invalid_email") from None
    if _is_signed_up(survey_round.id, address):
        return
    try:
        with db.session.begin_nested():  # two sign-ups of one address at once: the second is a no-op
            db.session.add(ResultsSubscriber(round_id=survey_round.id, email=address))
    except IntegrityError:
        pass


def already_told(survey_round: Round) -> bool:
    """The results are out and those who asked have been told: a sign-up would never be used."""
    publication = publication_of(survey_round)
    return publication is not None and publication.published_at is not None and not needs_notice(publication)


def _is_signed_up(round_id: int, address: str) -> bool:
    return db.session.scalar(select(ResultsSubscriber.id).where(
        ResultsSubscriber.round_id == round_id, ResultsSubscriber.email == address)) is not None


def subscriber_count(round_id: int) -> int:
    """How many asked to be told (a count for the coordinator's page, never the addresses)."""
    return db.session.scalar(select(func.count()).select_from(ResultsSubscriber)
                             .where(ResultsSubscriber.round_id == round_id)) or 0


# --- Telling them (called by app.tasks.notify_results) ---------------------------------------


def next_to_notify(round_id: int, tried: Collection[str]) -> ResultsSubscriber | None:
    """One address of the round not yet tried in this run, locked until the caller commits, so
    that two runs at once never write to the same person twice (PostgreSQL skips the locked
    ones; SQLite runs one writer at a time anyway)."""
    query = select(ResultsSubscriber).where(ResultsSubscriber.round_id == round_id)
    if tried:
        query = query.where(ResultsSubscriber.id.not_in(list(tried)))
    return db.session.scalar(query.limit(1).with_for_update(skip_locked=True))


def forget(subscriber: ResultsSubscriber) -> None:
    """Used once (sent, or its last try failed): the address is deleted."""
    db.session.delete(subscriber)
    db.session.flush()


def mark_notified(round_id: int, now: datetime) -> None:
    publication = db.session.scalar(select(ResultsPublication).where(ResultsPublication.round_id == round_id))
    if publication is not None:
        publication.notified_at = now
        db.session.flush()


def results_url(round_id: int, language: str | None = None) -> str:
    """The public results page on PUBLIC_BASE_URL, as every mail's links are: a worker has no
    request to take the host from. Built from the route, so the link follows it."""
    path = current_app.url_map.bind("").build("public.results", {"round_id": round_id})
    return invitations.public_url(path + (f"?lang={language}" if language else ""))


@dataclass(frozen=True)
class Notice:
    """The one message, written once per round and sent to each address: subject and words in
    each of the round's languages, one after the other (no language was kept with the address,
    on purpose), each part with its own link."""

    subject: str
    text: str
    html: str
    languages: tuple[str, ...]

    def to(self, address: str) -> EmailMessage:
        return mail.build_message(sender=current_app.config["MAIL_DEFAULT_SENDER"], to=address,
                                  subject=self.subject, text=self.text, html=self.html,
                                  language=", ".join(self.languages))


def notice_of(survey_round: Round) -> Notice:
    parts = [_notice_in(survey_round, language) for language in survey_round.languages]
    first = survey_round.languages[0]
    with force_locale(first):  # a worker has no request to choose a locale from
        html = render_template("mail/results_published_document.html", language=first,
                               sections=[part.html for part in parts])
    return Notice(subject=" / ".join(dict.fromkeys(part.subject for part in parts)),
                  text="\n\n----------\n\n".join(part.text.strip() for part in parts),
                  html=html, languages=tuple(survey_round.languages))


@dataclass(frozen=True)
class _NoticePart:
    subject: str
    text: str
    html: Markup


def _notice_in(survey_round: Round, language: str) -> _NoticePart:
    context = {
        "mail_language": language,
        "text_direction": "rtl" if language in current_app.config["RTL_LANGUAGES"] else "ltr",
        "community_name": survey_round.community.display_name(language),
        "round_title": survey_round.display_title(language),
        "results_url": results_url(survey_round.id, language),
        "final": survey_round.status is RoundStatus.CLOSED,
    }
    with force_locale(language):
        subject = render_template("mail/results_published.subject.txt", **context)
        text = render_template("mail/results_published.txt", **context)
        html = Markup(render_template("mail/results_published.html", **context))
    return _NoticePart(" ".join(subject.split()), text, html)
