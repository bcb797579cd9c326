"""A community's own surveys: copy, edit, translate, preview, publish, ask in a round, and
adopt a wording fix in a running round. Through the web pages, as a coordinator would."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.domain import survey_drafts, survey_texts
from app.extensions import db
from app.models import Answer, AuditEvent, AuthoredSurvey, Question, Response, ResponseStatus, Role, Round, Survey, utcnow
from app.services import report_build, rounds, survey_authoring
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round, make_user
from tests.helpers import csrf_token, log_in


@pytest.fixture
def editor(client, app):
    community = make_community("harbour", name="Harbour Quarter")
    youth = make_group(community, "youth", name="Young people")
    bank = load_fixture_bank()
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    log_in(client, "noa@example.org")
    return community, youth, bank


def post(client, url: str, data: dict, page: str | None = None):
    shown = client.get(page or url)
    assert shown.status_code == 200, (page or url, shown.status_code)
    html = shown.get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **data})


def copy_of_mini(client, community, bank) -> AuthoredSurvey:
    reply = post(client, f"/coordinate/communities/{community.id}/surveys/copy", {"survey_id": bank.id},
                 page=f"/coordinate/communities/{community.id}/surveys")
    assert reply.status_code == 303
    return db.session.scalar(select(AuthoredSurvey).where(AuthoredSurvey.community_id == community.id))


def question_form(**fields) -> dict:
    return {"type": "single_choice", "role": "item", "criterion": "", "condition_question": "",
            "condition_comparison": "==", "condition_option": "", "scale": "", **fields}


def add_question(client, authored: AuthoredSurvey, **fields):
    """Send the new question form of the survey's "needs" page."""
    return post(client, f"/coordinate/surveys/{authored.id}/questions/new", question_form(page_key="needs", **fields),
                page=f"/coordinate/surveys/{authored.id}/questions/new?page=needs")


def test_copying_a_bank_survey_gives_an_unpublished_draft_with_every_question(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)

    assert authored.key == "mini" and authored.latest is None and authored.copied_from == f"mini v{bank.version}"
    html = client.get(f"/coordinate/surveys/{authored.id}").get_data(as_text=True)
    for question in bank.parsed().questions:
        assert f'id="q-{question.key}"' in html
    assert "Not published yet" in html
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "survey_created"))


def test_a_local_question_with_a_condition_is_added_published_and_asked_in_a_round(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    page = f"/coordinate/surveys/{authored.id}/questions/new?page=needs&type=single_choice"

    reply = post(client, f"/coordinate/surveys/{authored.id}/questions/new", question_form(
        page_key="needs", text="Which library do you use?", option_lines="Central library\nHarbour library",
        condition_question="took_part", condition_comparison="==", condition_option="took_part:yes"), page=page)

    assert reply.status_code == 303, reply.get_data(as_text=True)
    db.session.expire_all()
    added = authored.draft["pages"][1]["questions"][-1]
    assert added["text"] == {"en": "Which library do you use?"}
    assert [o["label"]["en"] for o in added["options"]] == ["Central library", "Harbour library"]
    assert added["show_if"] == "took_part == 'yes'"

    reply = post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    assert reply.status_code == 303
    db.session.expire_all()
    version = authored.latest
    assert version.version == 1 and version.authored_survey_id == authored.id
    assert version.languages == ["en"]  # the new question has no Hebrew yet: rounds can ask it in English only
    assert any(s.id == version.id for s in rounds.surveys_to_choose(community))

    survey_round = make_round(community, version, groups=[youth], languages=["en"])
    db.session.commit()
    definition = survey_round.definition()
    library = definition.question(added["key"])
    assert library.condition.evaluate({"took_part": "yes"}) and not library.condition.evaluate({"took_part": "no"})


def test_a_question_with_a_problem_is_not_saved_and_the_form_keeps_what_was_typed(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    before = authored.draft

    reply = add_question(client, authored, text="Pick one <b>please</b>", option_lines="Only one")

    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert "needs at least 2 options" in html
    assert "Pick one &lt;b&gt;please&lt;/b&gt;" in html and "<b>please</b>" not in html
    db.session.expire_all()
    assert authored.draft == before


def test_a_condition_can_never_point_at_itself_or_at_a_later_question(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    url = f"/coordinate/surveys/{authored.id}/questions/took_part"
    form = question_form(page_key="needs", text="Did you take part?", option_lines="Yes\nNo",
                         condition_question="barriers", condition_comparison="in", condition_option="barriers:time")

    for _attempt in range(2):  # saved twice, as in Decidim's bug reports
        reply = post(client, url, form)
        assert reply.status_code == 400
    db.session.expire_all()
    assert authored.draft["pages"][1]["questions"][1].get("show_if") is None

    # Moving the question a condition depends on below it is refused too.
    reply = post(client, f"/coordinate/surveys/{authored.id}/questions/took_part/down", {},
                 page=f"/coordinate/surveys/{authored.id}")
    assert reply.status_code == 303
    db.session.expire_all()
    keys = [q["key"] for q in authored.draft["pages"][1]["questions"]]
    assert keys.index("took_part") < keys.index("barriers")
    assert "only depend on questions asked before it" in client.get(
        f"/coordinate/surveys/{authored.id}").get_data(as_text=True)


def test_removing_a_question_others_depend_on_is_refused(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    post(client, f"/coordinate/surveys/{authored.id}/questions/took_part/remove", {},
         page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    assert "took_part" in [q["key"] for page in authored.draft["pages"] for q in page["questions"]]
    post(client, f"/coordinate/surveys/{authored.id}/questions/hours/remove", {},
         page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    assert "hours" not in [q["key"] for page in authored.draft["pages"] for q in page["questions"]]


def test_the_translation_page_counts_texts_and_a_complete_language_becomes_launchable(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    add_question(client, authored, text="Which library do you use?", option_lines="Central\nHarbour")
    url = f"/coordinate/surveys/{authored.id}/translate/he"
    html = client.get(url).get_data(as_text=True)
    total = int(re.search(r"עברית</bdi>: (\d+) of (\d+) texts", html).group(2))
    assert re.search(rf"עברית</bdi>: {total - 3} of {total} texts", html)  # the new question and its two answers

    rows = dict(re.findall(r'name="p_(\d+)" value="([^"]+)"', html))
    missing = [n for n, path in rows.items() if re.search(rf'<textarea id="t_{n}"[^>]*></textarea>', html)]
    data = {f"p_{n}": path for n, path in rows.items()}
    data |= {f"t_{n}": "עברית" for n in missing}
    reply = post(client, url, data)
    assert reply.status_code == 303
    assert f"עברית</bdi>: {total} of {total} texts" in client.get(url).get_data(as_text=True)
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    assert authored.latest.languages == ["en", "he"]


def test_the_preview_follows_conditions_and_stores_nothing(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    url = f"/coordinate/surveys/{authored.id}/preview?lang=he"
    first = client.get(url)
    assert first.status_code == 200 and 'lang="he"' in first.get_data(as_text=True)
    html = first.get_data(as_text=True)
    carried = re.search(r'name="carried" value="([^"]+)"', html).group(1)
    reply = client.post(url, data={"csrf_token": csrf_token(html), "carried": carried, "number": 1,
                                   "move": "next", "q_age_band": "age_16_25"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'name="q_took_part"' in html and 'name="q_barriers"' not in html
    carried = re.search(r'name="carried" value="([^"]+)"', html).group(1)
    reply = client.post(url, data={"csrf_token": csrf_token(html), "carried": carried, "number": 2,
                                   "move": "next", "q_took_part": "no", "q_need_language_importance": "4",
                                   "q_need_language_current": "2", "q_heard_of_offer": "3"})
    assert 'name="q_barriers"' in reply.get_data(as_text=True)  # shown because took_part is "no"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_wording_fix_is_adopted_by_a_running_round_and_its_answers_follow(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    first = authored.latest
    survey_round = make_round(community, first, groups=[youth])
    make_link(survey_round, youth)
    response = Response(round_id=survey_round.id, group_id=youth.id, language="en")
    db.session.add(response)
    db.session.flush()
    old_question = db.session.scalar(select(Question).where(Question.survey_id == first.id,
                                                            Question.key == "heard_of_offer"))
    db.session.add(Answer(response_id=response.id, question_id=old_question.id, value=4))
    db.session.commit()

    page = f"/coordinate/surveys/{authored.id}/questions/heard_of_offer"
    html = client.get(page).get_data(as_text=True)
    criterion = re.search(r'<option selected value="([^"]+)"', html[html.index('name="criterion"'):]).group(1)
    post(client, page, question_form(type="agreement", page_key="needs", criterion=criterion,
                                     text="I have heard of the learning offer near me."))
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    assert authored.latest.version == 2

    round_page = client.get(f"/coordinate/rounds/{survey_round.id}").get_data(as_text=True)
    assert "Use version 2 in this round" in round_page
    reply = post(client, f"/coordinate/rounds/{survey_round.id}/adopt", {}, page=f"/coordinate/rounds/{survey_round.id}")
    assert reply.status_code == 303
    db.session.expire_all()
    survey_round = db.session.get(Round, survey_round.id)
    assert survey_round.survey.version == 2
    moved = db.session.scalar(select(Question).join(Answer, Answer.question_id == Question.id)
                              .where(Answer.response_id == response.id))
    assert moved.survey_id == survey_round.survey_id and moved.text["en"].startswith("I have heard")


def test_a_change_of_questions_is_not_adopted_once_people_answered(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    survey_round = make_round(community, authored.latest, groups=[youth])
    db.session.add(Response(round_id=survey_round.id, group_id=youth.id, language="en"))
    db.session.commit()
    post(client, f"/coordinate/surveys/{authored.id}/questions/hours/remove", {},
         page=f"/coordinate/surveys/{authored.id}")
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")

    html = client.get(f"/coordinate/rounds/{survey_round.id}").get_data(as_text=True)
    assert "changes questions, not only their wording" in html
    reply = post(client, f"/coordinate/rounds/{survey_round.id}/adopt", {}, page=f"/coordinate/rounds/{survey_round.id}")
    assert reply.status_code == 303
    db.session.expire_all()
    assert db.session.get(Round, survey_round.id).survey.version == 1


def test_other_communities_and_stakeholders_cannot_reach_the_editor(client, editor, app):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    other = make_community("elsewhere")
    make_user("eve@example.org", memberships=[(other, Role.COORDINATOR)])
    make_user("sam@example.org", memberships=[(community, Role.STAKEHOLDER)])
    db.session.commit()
    urls = [f"/coordinate/surveys/{authored.id}", f"/coordinate/surveys/{authored.id}/settings",
            f"/coordinate/surveys/{authored.id}/questions/hours", f"/coordinate/surveys/{authored.id}/translate/he",
            f"/coordinate/surveys/{authored.id}/preview", f"/coordinate/communities/{community.id}/surveys"]
    for email in ("eve@example.org", "sam@example.org"):
        other_client = app.test_client()
        log_in(other_client, email)
        for url in urls:
            assert other_client.get(url).status_code == 404, (email, url)
    assert db.session.scalar(select(func.count()).select_from(Survey).where(Survey.authored_survey_id.is_not(None))) == 0


# -- XLSForm, YAML and the translators' spreadsheet, through the pages -------------------------


def upload(client, url: str, page: str, data: bytes, name: str = "form.xlsx"):
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_kobo_xlsform_imports_as_a_draft_and_exports_as_an_xlsform_pyxform_accepts(client, editor, tmp_path):
    community, _youth, _bank = editor
    from tests.unit.test_xlsform import kobo_form

    reply = upload(client, f"/coordinate/communities/{community.id}/surveys/import",
                   f"/coordinate/communities/{community.id}/surveys", kobo_form())
    assert reply.status_code == 303, reply.get_data(as_text=True)[-3000:]
    authored = db.session.scalar(select(AuthoredSurvey).where(AuthoredSurvey.community_id == community.id))
    assert authored.draft["languages"][:3] == ["en", "he", "ar"]
    assert any(q.get("show_if") for page in authored.draft["pages"] for q in page["questions"])
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "survey_imported"))

    exported = client.get(f"/coordinate/surveys/{authored.id}/export/xlsform")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "exported.xlsx"
    path.write_bytes(exported.get_data())
    from pyxform.xls2xform import convert

    assert "<h:html" in convert(xlsform=str(path), validate=False).xform
    yaml_file = client.get(f"/coordinate/surveys/{authored.id}/export/yaml")
    assert yaml_file.status_code == 200 and "\nkey: citizen_pilot\n" in yaml_file.get_data(as_text=True)


def test_an_xlsform_with_rows_that_cannot_be_mapped_imports_nothing_and_names_each_row(client, editor):
    community, _youth, _bank = editor
    from tests.unit.test_xlsform import KOBO_SURVEY, kobo_form

    survey = [*KOBO_SURVEY[:-1], ["begin repeat", "household", "Household"], ["end repeat"], KOBO_SURVEY[-1]]
    reply = upload(client, f"/coordinate/communities/{community.id}/surveys/import",
                   f"/coordinate/communities/{community.id}/surveys", kobo_form(survey=survey))
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert re.search(r"Sheet “survey”, row \d+: questions of type “begin repeat” cannot be asked", html)
    assert db.session.scalar(select(func.count()).select_from(AuthoredSurvey)) == 0


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(client, editor):
    community, _youth, _bank = editor
    reply = upload(client, f"/coordinate/communities/{community.id}/surveys/import",
                   f"/coordinate/communities/{community.id}/surveys", b"=cmd|' /C calc'!A0\n", name="form.csv")
    assert reply.status_code == 400
    assert "This is not an .xlsx workbook" in reply.get_data(as_text=True)


def test_the_translators_spreadsheet_goes_out_and_comes_back_all_or_nothing(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    add_question(client, authored, text="=Which library do you use?", option_lines="Central\nHarbour")
    sheet = client.get(f"/coordinate/surveys/{authored.id}/translations.xlsx")
    assert sheet.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(sheet.get_data()))
    rows = workbook.active
    header = [cell.value for cell in rows[1]]
    he = header.index(next(h for h in header if h and "(he)" in h)) + 1
    formula_cells = [cell for row in rows.iter_rows() for cell in row if cell.data_type == "f"]
    assert not formula_cells  # "=Which library…" stays text
    for row in rows.iter_rows(min_row=2):
        if row[he - 1].value in (None, ""):
            row[he - 1].value = "בעברית"
    good = io.BytesIO()
    workbook.save(good)
    broken = io.BytesIO()
    rows.cell(row=2, column=1).value = "questions.nothing_like_this.text"
    workbook.save(broken)
    workbook.close()

    before = authored.draft
    reply = upload(client, f"/coordinate/surveys/{authored.id}/translations.xlsx",
                   f"/coordinate/surveys/{authored.id}", broken.getvalue())
    assert reply.status_code == 400 and "row 2: this text is not in the survey" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert authored.draft == before

    reply = upload(client, f"/coordinate/surveys/{authored.id}/translations.xlsx",
                   f"/coordinate/surveys/{authored.id}", good.getvalue())
    assert reply.status_code == 303
    db.session.expire_all()
    assert "he" in survey_texts.complete_languages(authored.draft)


def test_a_communitys_own_questions_flow_into_its_report(client, editor):
    """A local agreement question counts in the criterion it names; a local list question is
    shown as an item of its own, with its answers counted."""
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    draft = survey_drafts.save_question(authored.draft, "needs", {
        "key": "library", "type": "single_choice", "text": {"en": "Which library do you use?"},
        "options": [{"key": "central", "label": {"en": "Central library"}},
                    {"key": "harbour", "label": {"en": "Harbour library"}}]})
    heard = bank.parsed().question("heard_of_offer")
    draft = survey_drafts.save_question(draft, "needs", {
        "key": "library_hours", "type": "agreement", "criterion": heard.criterion,
        "text": {"en": "The library is open when I can go."}})
    survey_authoring.save_draft(authored, draft)
    version, _new = survey_authoring.publish(authored)
    survey_round = make_round(community, version, groups=[youth], languages=["en"])
    ids = {q.key: q.id for q in db.session.scalars(select(Question).where(Question.survey_id == version.id))}
    for number in range(8):
        response = Response(round_id=survey_round.id, group_id=youth.id, language="en",
                            status=ResponseStatus.COMPLETE, submitted_at=utcnow())
        db.session.add(response)
        db.session.flush()
        db.session.add_all([
            Answer(response_id=response.id, question_id=ids["age_band"], option="age_16_25"),
            Answer(response_id=response.id, question_id=ids["library"], option="central" if number < 6 else "harbour"),
            Answer(response_id=response.id, question_id=ids["library_hours"], value=2),
        ])
    db.session.commit()
    snapshot = report_build.build_and_store(survey_round.id, utcnow())
    db.session.commit()

    html = client.get(f"/reports/rounds/{survey_round.id}").get_data(as_text=True)
    assert "Which library do you use?" in html and "Central library" in html
    everyone = next(s for s in snapshot.payload["sections"] if s["key"] == "all")
    assert everyone["items"]["library"]["counts"] == {"central": 6, "harbour": 2}
    # Only the local agreement question was answered in its criterion: 2 on 1..5 is 25 of 100.
    assert everyone["criteria"][heard.criterion]["score"] == 25.0 and everyone["criteria"][heard.criterion]["n"] == 8


def test_a_round_is_asked_only_in_the_languages_the_survey_is_translated_into(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    add_question(client, authored, text="Which library do you use?", option_lines="Central\nHarbour")
    post(client, f"/coordinate/surveys/{authored.id}/publish", {}, page=f"/coordinate/surveys/{authored.id}")
    db.session.expire_all()
    form = {"title": "Libraries 2027", "survey_id": authored.latest.id, "group_ids": [youth.id],
            "languages": ["en", "he"], "kind": "anonymous", "one_response_per_browser": "y"}
    url = f"/coordinate/communities/{community.id}/rounds/new"

    refused = post(client, url, form)
    assert refused.status_code == 400
    assert "(3 texts missing)" in refused.get_data(as_text=True)
    assert 'value="Libraries 2027"' in refused.get_data(as_text=True)
    assert post(client, url, {**form, "languages": ["en"]}).status_code == 302


def test_a_groups_link_can_answer_a_question_about_who_answers(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    page = f"/coordinate/surveys/{authored.id}/questions/age_band"
    html = client.get(page).get_data(as_text=True)
    assert f'name="fixed_{youth.id}"' in html

    reply = post(client, page, question_form(page_key="about_you", role="group", text="How old are you?",
                                             option_lines="16 to 25\n26 to 64\n65 and over",
                                             **{f"fixed_{youth.id}": "age_16_25"}))
    assert reply.status_code == 303, reply.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    assert youth.fixed_answers == {"age_band": "age_16_25"}
    post(client, page, question_form(page_key="about_you", role="group", text="How old are you?",
                                     option_lines="16 to 25\n26 to 64\n65 and over", **{f"fixed_{youth.id}": ""}))
    db.session.expire_all()
    assert youth.fixed_answers == {}


def test_an_agreement_question_can_have_a_scale_of_its_own_words(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    criterion = bank.parsed().question("heard_of_offer").criterion
    url = f"/coordinate/surveys/{authored.id}/questions/new"
    page = f"{url}?page=needs&type=agreement"
    form = question_form(type="agreement", page_key="needs", criterion=criterion, text="The library feels welcoming.",
                         scale="__own__", scale_lines="Never\nSometimes\nAlways")

    assert post(client, url, {**form, "scale_lines": "Only one"}, page=page).status_code == 400
    assert post(client, url, form, page=page).status_code == 303
    db.session.expire_all()
    added = authored.draft["pages"][1]["questions"][-1]
    assert added["scale"] == [{"en": "Never"}, {"en": "Sometimes"}, {"en": "Always"}]
    html = client.get(f"/coordinate/surveys/{authored.id}/translate/he").get_data(as_text=True)
    assert "Never" in html  # its words are translated like every other text
    version, _new = survey_authoring.publish(authored)
    assert [point["en"] for point in version.parsed().question(added["key"]).scale] == ["Never", "Sometimes", "Always"]


def test_a_survey_no_round_asked_can_be_deleted_and_one_a_round_asked_stays(client, editor):
    community, youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    version, _new = survey_authoring.publish(authored)
    survey_round = make_round(community, version, groups=[youth])
    db.session.commit()
    authored_id, version_id = authored.id, version.id
    page = f"/coordinate/surveys/{authored_id}"
    assert "Delete the survey" not in client.get(page).get_data(as_text=True)
    post(client, f"{page}/delete", {}, page=page)
    assert db.session.get(AuthoredSurvey, authored_id) is not None

    db.session.delete(survey_round)
    db.session.commit()
    reply = post(client, f"{page}/delete", {}, page=page)
    assert reply.status_code == 303
    db.session.expire_all()
    assert db.session.get(AuthoredSurvey, authored_id) is None
    assert db.session.get(Survey, version_id) is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "survey_deleted"))


def test_a_reworded_question_asks_its_translators_to_check_their_words(client, editor):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    page = f"/coordinate/surveys/{authored.id}/questions/took_part"
    post(client, page, question_form(page_key="needs", text="Did you take part in anything last year?",
                                     option_lines="Yes\nNo"))
    db.session.expire_all()
    assert survey_texts.outdated_texts(authored.draft, "he") == ["questions.took_part.text"]
    assert "1 to check" in client.get(f"/coordinate/surveys/{authored.id}").get_data(as_text=True)

    url = f"/coordinate/surveys/{authored.id}/translate/he"
    html = client.get(url).get_data(as_text=True)
    assert "it still fits" in html
    rows = dict(re.findall(r'name="p_(\d+)" value="([^"]+)"', html))
    number = next(n for n, text_id in rows.items() if text_id == "questions.took_part.text")
    current = re.search(rf'<textarea id="t_{number}"[^>]*>([^<]*)</textarea>', html).group(1)
    post(client, url, {f"p_{number}": "questions.took_part.text", f"t_{number}": current, f"c_{number}": "y"})
    db.session.expire_all()
    assert survey_texts.outdated_texts(authored.draft, "he") == []


def test_two_coordinators_saving_one_question_do_not_silently_overwrite_each_other(client, editor, app):
    community, _youth, bank = editor
    authored = copy_of_mini(client, community, bank)
    page = f"/coordinate/surveys/{authored.id}/questions/hours"
    opened = re.search(r'name="opened" value="([^"]+)"', client.get(page).get_data(as_text=True)).group(1)
    make_user("ada@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()
    other = app.test_client()
    log_in(other, "ada@example.org")
    form = question_form(type="number", page_key="needs", text="Hours a week you could learn?")
    assert post(other, page, form).status_code == 303  # Ada saves first

    mine = {**form, "text": "How many hours could you learn each week?", "opened": opened}
    reply = post(client, page, mine, page=f"/coordinate/surveys/{authored.id}")
    assert reply.status_code == 409
    assert "How many hours could you learn each week?" in reply.get_data(as_text=True)
    db.session.expire_all()
    hours = next(q for p in authored.draft["pages"] for q in p["questions"] if q["key"] == "hours")
    assert hours["text"]["en"] == "Hours a week you could learn?"
    resent = re.search(r'name="opened" value="([^"]+)"', reply.get_data(as_text=True)).group(1)
    assert post(client, page, {**mine, "opened": resent}).status_code == 303


def test_a_rounds_preview_offers_the_communitys_neighbourhoods_once(client, editor):
    community, youth, _bank = editor
    from app.services.survey_bank import load_bank
    from tests.conftest import ROOT

    load_bank(ROOT / "surveys")
    community.neighbourhoods = [{"key": "north", "name": {"en": "North shore"}}]
    citizens = db.session.scalar(select(Survey).where(Survey.key == "citizen_needs"))
    survey_round = make_round(community, citizens, groups=[youth], languages=["en"])
    db.session.commit()
    html = client.get(f"/coordinate/rounds/{survey_round.id}/preview").get_data(as_text=True)
    assert html.count('value="north"') == 1
