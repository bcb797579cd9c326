"""Releases on the real database: what stakeholders obtain of a round, one release after another."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest

from app.domain.privacy.releases import EVERYONE, figure_id
from app.extensions import db
from app.domain.answers import MultipleChoice
from app.models import Question, ReleaseKind, ReportRelease, ResponseStatus, Role, RoundKind, RoundStatus, utcnow
from app.services import report_releases
from app.services.report_releases import build_and_release, latest_release, request_release
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in
from tests.report_data import Respondent, _respondent, _store, publish_report, seed_round
from tests.test_answering_flow import answer_all, submit


def store(data, group: str, count: int, seed: int = 99) -> None:
    rng = random.Random(seed)
    question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=data.round.survey_id)}
    for _ in range(count):
        _store(data.round, data.groups[group], _respondent(rng, group, not_taking_part=False), question_ids,
               ResponseStatus.COMPLETE)
    db.session.flush()


def publish(data) -> ReportRelease:
    request_release(data.round.id, None, utcnow())
    build_and_release(data.round.id, utcnow())
    db.session.commit()
    return latest_release(data.round.id)


def test_an_open_round_is_released_only_when_a_coordinator_publishes(app):
    data = seed_round()
    build_and_release(data.round.id, utcnow())
    assert latest_release(data.round.id) is None
    release = publish(data)
    assert (release.number, release.kind) == (1, ReleaseKind.INTERIM)
    assert release.payload["respondents"] == 51
    assert release.payload["sections"][0].get("held_back") == {}


def test_closing_makes_the_final_release_counting_everyone(app):
    data = seed_round()
    publish(data)
    store(data, "youth", 3)
    data.round.status, data.round.closed_at = RoundStatus.CLOSED, utcnow()
    build_and_release(data.round.id, utcnow())
    final = latest_release(data.round.id)
    assert (final.number, final.kind, final.payload["respondents"]) == (2, ReleaseKind.FINAL, 54)


def test_three_new_answers_are_held_back_with_their_last_released_figures(app):
    data = seed_round()
    first = publish(data)
    store(data, "youth", 3)
    second = publish(data)
    youth = next(s for s in second.payload["sections"] if s["key"] == "youth")
    everyone = next(s for s in second.payload["sections"] if s["key"] == EVERYONE)
    heard = figure_id(("item", "heard_of_offer"))
    assert heard in youth["hidden"] and heard in youth["held_back"]
    assert youth["held_back"][heard]["release"] == 1
    first_youth = next(s for s in first.payload["sections"] if s["key"] == "youth")
    assert youth["held_back"][heard]["figure"] == first_youth["items"]["heard_of_offer"]
    assert heard in everyone["hidden"]  # no other group changed: everyone's keeps its figures of release 1


def test_a_preview_says_what_the_final_release_would_withhold(app):
    data = seed_round()
    publish(data)
    store(data, "seniors", 2)
    preview = report_releases.preview(data.round, ReleaseKind.FINAL)
    held = {(h.section, h.figure) for h in preview.held_back}
    assert ("seniors", ("item", "heard_of_offer")) in held
    assert preview.response_count == 53
    assert latest_release(data.round.id).number == 1  # nothing stored


# -- as a stakeholder and a coordinator would ------------------------------------------------


def tidy(client, round_id: int) -> dict[tuple, dict]:
    """A report's CSV, row by row, keyed by what each row is."""
    text = client.get(f"/reports/rounds/{round_id}/report.csv?lang=en", buffered=True).get_data(as_text=True)
    return {(r["section"], r["measure"], r["item"], r["option"], r["statistic"]): r
            for r in csv.DictReader(io.StringIO(text))}


def test_three_people_answering_between_two_downloads_cannot_be_worked_out(app, client):
    data = seed_round()
    community = data.round.community
    make_user("reader@example.org", memberships=[(community, Role.STAKEHOLDER)])
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    everyone_link = make_link(data.round)
    db.session.commit()
    coordinator = app.test_client()
    log_in(coordinator, "coordinator@example.org")
    page = coordinator.get(f"/coordinate/rounds/{data.round.id}/publish?lang=en").get_data(as_text=True)
    assert "This will be the first release" in page
    coordinator.post(f"/coordinate/rounds/{data.round.id}/publish", data={"csrf_token": csrf_token(page)})
    log_in(client, "reader@example.org")
    before = tidy(client, data.round.id)

    for _ in range(3):  # three people answer through the link for everyone
        citizen = app.test_client()
        answer_all(citizen, everyone_link)
        assert submit(citizen, everyone_link).status_code == 302
    assert tidy(client, data.round.id) == before  # nothing new is released by itself
    overview = client.get(f"/reports/rounds/{data.round.id}?lang=en").get_data(as_text=True)
    assert "Interim report, published" in overview and "from 51 responses" in overview

    live = coordinator.get(f"/reports/rounds/{data.round.id}?lang=en").get_data(as_text=True)
    coordinator.post(f"/reports/rounds/{data.round.id}/refresh", data={"csrf_token": csrf_token(live)})
    live = coordinator.get(f"/reports/rounds/{data.round.id}?lang=en").get_data(as_text=True)
    assert "Built" in live and "from 54 responses" in live  # the coordinators' view is current
    assert tidy(client, data.round.id) == before  # and a rebuild releases nothing either
    page = coordinator.get(f"/coordinate/rounds/{data.round.id}/publish?lang=en").get_data(as_text=True)
    assert "This release will hold back some figures." in page and "All respondents" in page
    coordinator.post(f"/coordinate/rounds/{data.round.id}/publish", data={"csrf_token": csrf_token(page)})

    after = tidy(client, data.round.id)
    changed = [key for key, row in after.items() if key in before and row["value"] and before[key]["value"]
               and float(row["value"]) != pytest.approx(float(before[key]["value"]))
               and key[1] not in ("group",)]
    assert changed == []  # no figure shown in both differs: the three stay out of every one
    held = {section for (section, *_), row in after.items() if row["hidden_because"] == "held_back"}
    # Everyone's figures keep those of the first release. And parents: hidden then as the
    # complement of newcomers (3), and no longer needed as one now that the three new people
    # are hidden beside them; shown now, unchanged, parents' figures would give back the
    # newcomers' of the first release (everyone's then, less youth, seniors and parents now).
    assert held == {"all", "parents"}
    overview = client.get(f"/reports/rounds/{data.round.id}?lang=en").get_data(as_text=True)
    assert "Held back in this release" in overview


def test_closing_tells_what_the_final_release_holds_back_and_stakeholders_read_it(app, client):
    data = seed_round()
    make_user("coordinator@example.org", memberships=[(data.round.community, Role.COORDINATOR)])
    publish_report(data.round.id)
    store(data, "seniors", 2)
    db.session.commit()
    log_in(client, "coordinator@example.org")
    page = client.get(f"/coordinate/rounds/{data.round.id}/close?lang=en").get_data(as_text=True)
    assert "This release will hold back some figures." in page and "seniors" in page.lower()
    assert "Keep it open" in page
    client.post(f"/coordinate/rounds/{data.round.id}/close", data={"csrf_token": csrf_token(page)})
    final = latest_release(data.round.id)
    assert (final.kind, final.payload["respondents"]) == (ReleaseKind.FINAL, 53)
    seniors = next(s for s in final.payload["sections"] if s["key"] == "seniors")
    assert seniors["held_back"]


def test_coordinators_see_the_release_as_stakeholders_do_when_they_ask(app, client):
    data = seed_round()
    make_user("coordinator@example.org", memberships=[(data.round.community, Role.COORDINATOR)])
    publish_report(data.round.id)
    store(data, "youth", 6)
    build_and_release(data.round.id, utcnow())
    db.session.commit()
    log_in(client, "coordinator@example.org")
    base = f"/reports/rounds/{data.round.id}"
    assert "from 57 responses" in client.get(f"{base}?lang=en").get_data(as_text=True)
    released = client.get(f"{base}?view=released&lang=en").get_data(as_text=True)
    assert "from 51 responses" in released and "Back to the live view" in released
    assert "from 51 responses" in client.get(f"{base}/groups?lang=en").get_data(as_text=True)  # remembered
    assert "from 57 responses" in client.get(f"{base}?view=live&lang=en").get_data(as_text=True)


def test_a_release_an_earlier_version_made_is_made_again_with_the_same_figures(app):
    data = seed_round()
    first = publish(data)
    store(data, "youth", 3)
    second = publish(data)
    shown = {release.id: release.payload for release in (first, second)}
    for release in (first, second):
        release.payload, release.payload_format = {"format": 1}, 1  # as an older version left them
    db.session.commit()
    assert sorted(report_releases.refresh_outdated()) == sorted(shown)
    for release in (first, second):
        assert release.payload == shown[release.id] and release.payload_format == release.payload["format"]


# -- what an outside leak hunt found, and must not find again ---------------------------------


def add(data_round, group, question_ids, took="yes", heard=3, barriers=None, other=None, hours=None):
    answers = {"need_language": (3, 3), "took_part": took, "heard_of_offer": heard}
    if barriers:
        answers["barriers"] = MultipleChoice(frozenset(barriers), other)
    if hours is not None:
        answers["hours"] = hours
    _store(data_round, group, Respondent(group.key, "en", False, answers), question_ids, ResponseStatus.COMPLETE)


def mini_round(k: int, keys: str, **fields):
    survey = load_fixture_bank()
    community = fields.pop("community", None) or make_community(min_group_size=k)
    groups = {key: make_group(community, key, position=i, population=1000) for i, key in enumerate(keys)}
    survey_round = make_round(community, survey, groups=list(groups.values()), **fields)
    question_ids = {q.key: q.id for q in db.session.query(Question).filter_by(survey_id=survey.id)}
    return survey_round, groups, question_ids


def test_a_shared_panel_compared_with_an_open_round_shows_that_round_as_released(app, client):
    """A panel is read live; the round beside it must still be read as released."""
    citizens, groups, ids = mini_round(5, "AB", opens_at=utcnow() - timedelta(days=9))
    citizens.launched_at = utcnow() - timedelta(days=9)
    for _ in range(10):
        add(citizens, groups["A"], ids, heard=1)
    publish_report(citizens.id)
    for _ in range(10):
        add(citizens, groups["B"], ids, heard=5)  # after the release: the live score doubles
    build_and_release(citizens.id, utcnow())
    panel = make_round(citizens.community, citizens.survey, groups=[groups["A"]], kind=RoundKind.NAMED_PANEL,
                       panel_shared=True, title="Panel", launched_at=utcnow())
    add(panel, groups["A"], ids, heard=3)
    build_and_release(panel.id, utcnow())
    make_user("reader@example.org", memberships=[(citizens.community, Role.STAKEHOLDER)])
    db.session.commit()
    log_in(client, "reader@example.org")
    html = client.get(f"/reports/rounds/{panel.id}/compare/{citizens.id}?lang=en").get_data(as_text=True)
    # Participation: the panel's 50 against the released 0 (the live report's 50 would give 0).
    assert "+50" in html


def test_a_group_s_own_words_to_a_question_hidden_in_it_stay_out_of_everyone_s(app):
    survey_round, groups, ids = mini_round(5, "SABC")
    for i in range(10):
        if i < 2:
            add(survey_round, groups["S"], ids, took="no", barriers={"time"})  # 2: barriers hidden in S
        else:
            add(survey_round, groups["S"], ids)
        add(survey_round, groups["A"], ids, took="no", barriers={"time"}, other="night shifts")  # its complement
        add(survey_round, groups["B"], ids, took="no", barriers={"cost"})
        add(survey_round, groups["C"], ids)
    payload = publish_report(survey_round.id).payload
    sections = {s["key"]: s for s in payload["sections"]}
    assert "barriers" not in sections["A"]["choices"]  # hidden in A, as S's complement
    assert "barriers" not in sections["all"]["text"]  # and so are A's words, from everyone's too


def test_which_figures_a_release_holds_back_does_not_tell_a_newcomer_s_answer(app):
    """One newcomer: had only the figures they changed been held back, a follow-up held back
    would tell that they answered the question that leads to it ('no')."""
    withheld = []
    for took in ("yes", "no"):
        survey_round, groups, ids = mini_round(5, "ABC", community=make_community(f"c{took}", min_group_size=5))
        for i in range(10):
            for group in groups.values():
                add(survey_round, group, ids, took="no" if i % 2 else "yes", barriers={"time"} if i % 2 else None)
        publish_report(survey_round.id)
        add(survey_round, groups["A"], ids, took=took, barriers={"time"} if took == "no" else None)
        withheld.append(publish_report(survey_round.id).withheld)
    assert withheld[0] == withheld[1] and withheld[0]["A"]  # all of A held back, either way


def test_after_k_is_raised_three_newcomers_are_held_to_the_new_k(app):
    survey_round, groups, ids = mini_round(3, "AB")
    for _ in range(10):
        add(survey_round, groups["A"], ids, hours=5)
        add(survey_round, groups["B"], ids, hours=5)
    publish_report(survey_round.id)
    survey_round.community.min_group_size = 5
    for hours in (2, 7, 30):
        add(survey_round, groups["A"], ids, heard=1, hours=hours)
    second = publish_report(survey_round.id)
    a = next(s for s in second.payload["sections"] if s["key"] == "A")
    assert "hours" not in a["items"] and "item:hours" in a["held_back"]
