"""The citizens' answering flow, through the real app and database.

The test survey 'mini' (tests/fixtures/bank/mini.yaml) has four screens:
  1 age_band (group, required)
  2 need_language (importance/current), took_part
  3 barriers (only if took_part == 'no'), heard_of_offer (agreement), hours (number 0..40)
  4 help_most (long text), may_quote (consent)
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, LinkKind, Question, ReportSnapshot, Response, ResponseStatus, utcnow
from app.services import report_build, report_queue
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round
from tests.helpers import csrf_token, queries_for, statements_during

SCREEN_1 = {"q_age_band": "age_16_25"}
SCREEN_2 = {"q_need_language_importance": "5", "q_need_language_current": "2", "q_took_part": "no"}
SCREEN_3 = {"q_barriers": ["time", "_other"], "q_barriers_other": "no bus at night",
            "q_heard_of_offer": "dk", "q_hours": "3"}
SCREEN_4 = {"q_help_most": "Evening classes near home", "q_may_quote": "yes"}
SHOWN_CODE = re.compile(r'<strong class="token" dir="ltr">([2-9A-Z]{5}-[2-9A-Z]{5})</strong>')


@pytest.fixture
def survey_round(app):
    community = make_community("harbour", languages=("en", "he"))
    youth = make_group(community, "youth", name="Young people")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth])
    db.session.commit()
    return survey_round


@pytest.fixture
def link(survey_round):
    link = make_link(survey_round)
    db.session.commit()
    return link


def start(client, link):
    welcome = client.get(f"/s/{link.token}")
    response = client.post(f"/s/{link.token}/start",
                           data={"csrf_token": csrf_token(welcome.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def post_screen(client, link, number, answers, move="next"):
    page = client.get(f"/s/{link.token}/q/{number}")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "move": move, **answers}
    return client.post(f"/s/{link.token}/q/{number}", data=data)


def answer_all(client, link):
    start(client, link)
    for number, answers in enumerate((SCREEN_1, SCREEN_2, SCREEN_3, SCREEN_4), start=1):
        response = post_screen(client, link, number, answers)
        assert response.status_code == 302, response.get_data(as_text=True)


def submit(client, link):
    review = client.get(f"/s/{link.token}/review")
    return client.post(f"/s/{link.token}/submit",
                       data={"csrf_token": csrf_token(review.get_data(as_text=True))})


def stored_answers() -> dict[str, list[tuple]]:
    rows = db.session.execute(
        select(Question.key, Answer.option, Answer.value, Answer.value2, Answer.text)
        .join(Question, Answer.question_id == Question.id).order_by(Question.position, Answer.option))
    stored: dict[str, list[tuple]] = {}
    for key, *cells in rows:
        stored.setdefault(key, []).append(tuple(cells))
    return stored


def count_responses(status=None) -> int:
    query = select(func.count()).select_from(Response)
    if status is not None:
        query = query.where(Response.status == status)
    return db.session.scalar(query)


def test_a_whole_survey_is_answered_reviewed_and_sent(client, link):
    answer_all(client, link)
    review = client.get(f"/s/{link.token}/review").get_data(as_text=True)
    assert "Check your answers" in review and "no bus at night" in review
    thanks = client.get(submit(client, link).headers["Location"])
    html = thanks.get_data(as_text=True)
    assert "Thank you!" in html
    assert SHOWN_CODE.search(html), "the receipt code is shown"

    response = db.session.scalar(select(Response))
    assert response.status is ResponseStatus.COMPLETE and response.may_quote
    assert stored_answers() == {
        "age_band": [("age_16_25", None, None, None)],
        "need_language": [("", 5.0, 2.0, None)],
        "took_part": [("no", None, None, None)],
        "barriers": [("_other", None, None, "no bus at night"), ("time", None, None, None)],
        "heard_of_offer": [("", None, None, None)],  # don't know
        "hours": [("", 3.0, None, None)],
        "help_most": [("", None, None, "Evening classes near home")],
        "may_quote": [("yes", None, None, None)],
    }


def test_progress_says_which_page_of_how_many(client, link):
    start(client, link)
    assert "Page 1 of 4" in client.get(f"/s/{link.token}/q/1").get_data(as_text=True)


def test_a_missing_required_answer_comes_back_with_the_message_next_to_it(client, link):
    start(client, link)
    response = post_screen(client, link, 1, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="e_age_band"' in html and "Please answer this question." in html
    assert 'href="#f_age_band"' in html  # the summary links to the field


def test_invalid_input_keeps_everything_typed_and_saves_nothing_of_the_screen(client, link):
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)
    post_screen(client, link, 2, SCREEN_2)
    response = post_screen(client, link, 3, {**SCREEN_3, "q_hours": "three"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please write a number" in html
    assert 'value="no bus at night"' in html
    assert re.search(r'value="time"\s+checked', html)
    assert 'value="three"' in html
    assert "barriers" not in stored_answers()
    assert "took_part" in stored_answers()  # earlier screens stay saved


def test_a_display_condition_hides_and_shows_questions(client, link):
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)
    post_screen(client, link, 2, {**SCREEN_2, "q_took_part": "yes"})
    assert "What made it hard?" not in client.get(f"/s/{link.token}/q/3").get_data(as_text=True)
    post_screen(client, link, 2, SCREEN_2)
    assert "What made it hard?" in client.get(f"/s/{link.token}/q/3").get_data(as_text=True)


def test_answers_to_questions_hidden_by_a_later_change_are_not_sent(client, link):
    answer_all(client, link)
    post_screen(client, link, 2, {**SCREEN_2, "q_took_part": "yes"})
    submit(client, link)
    assert "barriers" not in stored_answers()
    assert "hours" in stored_answers()


def test_submitting_twice_counts_one_response(client, link):
    answer_all(client, link)
    review = client.get(f"/s/{link.token}/review").get_data(as_text=True)
    token = csrf_token(review)
    first = client.post(f"/s/{link.token}/submit", data={"csrf_token": token})
    second = client.post(f"/s/{link.token}/submit", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/thanks")
    assert count_responses() == 1 and count_responses(ResponseStatus.COMPLETE) == 1


def test_a_public_link_takes_one_response_per_browser(client, link):
    answer_all(client, link)
    submit(client, link)
    assert "already answered" in client.get(f"/s/{link.token}").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    del page
    again = client.post(f"/s/{link.token}/start", data={"csrf_token": _any_token(client, link)})
    assert again.status_code == 409
    assert count_responses() == 1


def _any_token(client, link) -> str:
    return csrf_token(client.get(f"/s/{link.token}/resume").get_data(as_text=True))


def test_a_round_may_allow_several_responses_per_browser(client, link):
    link.round.one_response_per_browser = False
    db.session.commit()
    answer_all(client, link)
    submit(client, link)
    assert start(client, link).headers["Location"].endswith("/q/1")
    assert count_responses() == 2


def test_a_personal_invitation_is_answered_once_whatever_the_browser(app, survey_round):
    invitation = make_link(survey_round, kind=LinkKind.INVITATION)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    answer_all(first, invitation)
    submit(first, invitation)
    welcome = second.get(f"/s/{invitation.token}")
    assert "already answered" in welcome.get_data(as_text=True)
    assert second.post(f"/s/{invitation.token}/start",
                       data={"csrf_token": _any_token(second, invitation)}).status_code == 409


def test_coming_back_on_the_same_phone_continues_where_it_stopped(client, link):
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)
    post_screen(client, link, 2, SCREEN_2)
    welcome = client.get(f"/s/{link.token}").get_data(as_text=True)
    assert "Continue where I stopped" in welcome
    again = client.post(f"/s/{link.token}/start", data={"csrf_token": csrf_token(welcome)})
    assert again.headers["Location"].endswith("/q/3")  # the screen after the last one saved
    assert count_responses() == 1
    screen = client.get(f"/s/{link.token}/q/2").get_data(as_text=True)
    assert re.search(r'name="q_took_part" value="no"\s+checked', screen)


def test_a_resume_code_continues_on_another_device(app, link):
    phone, laptop = app.test_client(), app.test_client()
    start(phone, link)
    post_screen(phone, link, 1, SCREEN_1)
    code = SHOWN_CODE.search(phone.get(f"/s/{link.token}/q/2").get_data(as_text=True)).group(1)
    form = laptop.get(f"/s/{link.token}/resume").get_data(as_text=True)
    resumed = laptop.post(f"/s/{link.token}/resume",
                          data={"csrf_token": csrf_token(form), "code": code.lower()})
    assert resumed.status_code == 302
    assert "/q/" in resumed.headers["Location"]
    screen = laptop.get(f"/s/{link.token}/q/1").get_data(as_text=True)
    assert re.search(r'value="age_16_25"\s+checked', screen)


def test_a_wrong_resume_code_is_a_400_that_keeps_what_was_typed(client, link):
    form = client.get(f"/s/{link.token}/resume").get_data(as_text=True)
    response = client.post(f"/s/{link.token}/resume",
                           data={"csrf_token": csrf_token(form), "code": "ABCDE-FGHJK"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not find answers with this code" in html and 'value="ABCDE-FGHJK"' in html


def test_a_stale_form_asks_to_press_again_and_keeps_the_answers(client, link):
    start(client, link)
    response = client.post(f"/s/{link.token}/q/1",
                           data={"csrf_token": "expired", "move": "next", **SCREEN_1})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please press again" in html
    assert re.search(r'value="age_16_25"\s+checked', html)
    assert stored_answers() == {}
    assert post_screen(client, link, 1, SCREEN_1).status_code == 302  # pressing again works


def test_switching_language_keeps_the_answers_of_the_screen(client, link):
    start(client, link)
    page = client.get(f"/s/{link.token}/q/2").get_data(as_text=True)
    response = client.post(f"/s/{link.token}/q/2", data={
        "csrf_token": csrf_token(page), "move": "language", "lang": "he",
        "q_took_part": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/q/2?lang=he")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'dir="rtl"' in html and "האם למדת משהו השנה?" in html
    assert re.search(r'name="q_took_part" value="yes"\s+checked', html)


def test_going_back_saves_without_insisting_on_required_answers(client, link):
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)
    response = post_screen(client, link, 2, {"q_took_part": "no"}, move="back")
    assert response.headers["Location"].endswith("/q/1")
    assert stored_answers()["took_part"] == [("no", None, None, None)]


def test_a_missing_translation_falls_back_and_says_its_language(client, survey_round):
    survey_round.languages = ["en", "he", "nl"]
    link = make_link(survey_round)
    db.session.commit()
    html = client.get(f"/s/{link.token}?lang=nl").get_data(as_text=True)
    assert 'lang="nl"' in html
    assert '<span lang="en" dir="ltr">A short survey</span>' in html


def test_a_groups_link_answers_its_fixed_questions_for_everyone(client, survey_round):
    youth = survey_round.groups[0]
    youth.fixed_answers = {"age_band": "age_16_25"}
    link = make_link(survey_round, youth)
    db.session.commit()
    start(client, link)
    first = client.get(f"/s/{link.token}/q/1").get_data(as_text=True)
    assert "How old are you?" not in first and "Page 1 of 3" in first
    assert stored_answers()["age_band"] == [("age_16_25", None, None, None)]
    assert db.session.scalar(select(Response.group_id)) == youth.id


def test_withdrawing_with_the_receipt_deletes_the_response(client, link):
    answer_all(client, link)
    thanks = client.get(submit(client, link).headers["Location"]).get_data(as_text=True)
    receipt = SHOWN_CODE.search(thanks).group(1)
    form = client.get("/withdraw").get_data(as_text=True)
    wrong = client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": "22222-22222"})
    assert wrong.status_code == 400 and 'value="22222-22222"' in wrong.get_data(as_text=True)
    done = client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": receipt})
    assert "deleted" in done.get_data(as_text=True)
    assert count_responses() == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_withdrawn_answers_leave_the_published_report_at_once(client, link):
    answer_all(client, link)
    thanks = client.get(submit(client, link).headers["Location"]).get_data(as_text=True)
    receipt = SHOWN_CODE.search(thanks).group(1)
    report_build.build_and_store(link.round_id, utcnow())
    db.session.commit()
    assert db.session.scalar(select(ReportSnapshot.response_count)) == 1
    form = client.get("/withdraw").get_data(as_text=True)
    client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": receipt})
    db.session.expire_all()
    assert db.session.scalar(select(ReportSnapshot.response_count)) == 0


def test_withdrawing_while_the_broker_is_down_still_deletes_and_the_report_follows_later(client, link, broker_down):
    answer_all(client, link)
    thanks = client.get(submit(client, link).headers["Location"]).get_data(as_text=True)
    receipt = SHOWN_CODE.search(thanks).group(1)
    report_build.build_and_store(link.round_id, utcnow())
    db.session.commit()
    form = client.get("/withdraw").get_data(as_text=True)
    done = client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": receipt})
    assert done.status_code == 200 and "deleted" in done.get_data(as_text=True)
    assert count_responses() == 0
    later = utcnow() + report_queue.UNSERVED_REQUEST * 2
    assert report_queue.rounds_needing_refresh(later) == [link.round_id]  # rebuilt once the broker is back


def test_screens_without_a_started_response_lead_to_the_welcome_page(client, link):
    response = client.get(f"/s/{link.token}/q/1")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/{link.token}")


def test_a_screen_number_past_the_end_leads_to_the_review(client, link):
    start(client, link)
    assert client.get(f"/s/{link.token}/q/99").headers["Location"].endswith("/review")


def test_submitting_with_required_answers_missing_leads_back_to_them(client, link):
    start(client, link)
    response = submit(client, link)
    assert response.headers["Location"].endswith("/q/1")
    assert count_responses(ResponseStatus.COMPLETE) == 0


def test_a_question_page_costs_the_same_few_queries_however_many_answered(app, client, link):
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)
    url = f"/s/{link.token}/q/2"
    before = queries_for(client, url)
    for _ in range(30):
        other = app.test_client()
        answer_all(other, link)
        submit(other, link)
    assert queries_for(client, url) == before <= 4


def test_saving_a_screen_reads_its_link_once_and_not_again_after_the_commit(client, link):
    """The busiest request under load: one read each of the link, the response and its
    answers, then the writes; nothing is fetched again after the commit."""
    token = link.token
    start(client, link)
    post_screen(client, link, 1, SCREEN_1)  # the survey's question ids are known from now on
    page = client.get(f"/s/{token}/q/2").get_data(as_text=True)
    statements = statements_during(lambda: client.post(
        f"/s/{token}/q/2", data={"csrf_token": csrf_token(page), "move": "next", **SCREEN_2}))
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("FROM access_links" in s for s in reads) == 1, "\n\n".join(reads)
    assert len(reads) == 3, "\n\n".join(reads)


def test_a_nul_character_in_a_text_answer_is_stored_without_it(client, link):
    answer_all(client, link)
    post_screen(client, link, 4, {**SCREEN_4, "q_help_most": "bus\x00 pass"})
    assert stored_answers()["help_most"] == [("", None, None, "bus pass")]


def test_a_missing_translation_prefers_the_communitys_default_language(client, survey_round):
    survey_round.community.default_language = "he"
    survey_round.languages = ["en", "he", "nl"]
    link = make_link(survey_round)
    db.session.commit()
    html = client.get(f"/s/{link.token}?lang=nl").get_data(as_text=True)
    assert '<span lang="he" dir="rtl">סקר קצר</span>' in html


def test_typing_codes_is_limited_per_client_with_a_clear_page(app, client, link):
    app.config["CODE_ATTEMPTS_LIMIT"] = "3 per minute"
    form = client.get("/withdraw").get_data(as_text=True)
    statuses = [client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": "22222-22222"})
                for _ in range(4)]
    assert [r.status_code for r in statuses] == [400, 400, 400, 429]
    assert "Too many requests" in statuses[-1].get_data(as_text=True)
    assert client.get("/withdraw").status_code == 200  # reading the form is not limited
