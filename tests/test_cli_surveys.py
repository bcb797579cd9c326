"""`flask surveys validate` and `flask surveys load`."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from app.extensions import db
from app.models import Criterion, Question, Survey
from tests.factories import FIXTURE_BANK, make_community, make_round


def copy_bank(tmp_path):
    bank = tmp_path / "surveys"
    shutil.copytree(FIXTURE_BANK, bank)
    return bank


def test_validate_accepts_the_shipped_surveys(runner):
    result = runner.invoke(args=["surveys", "validate"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_reports_each_problem_as_file_line_message_and_fails(app, runner, tmp_path):
    bank = copy_bank(tmp_path)
    broken = bank / "mini.yaml"
    source = broken.read_text()
    source = source.replace("criterion: needs\n        text: {en: Learning a language",
                            "criterion: no_such_criterion\n        text: {en: Learning a language")
    source = source.replace("key: hours", "key: age_band")
    broken.write_text(source)
    app.config["SURVEYS_DIR"] = bank
    result = runner.invoke(args=["surveys", "validate", str(broken)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(broken))]
    assert len(lines) == 2, result.output
    unknown_line = source.splitlines().index("        criterion: no_such_criterion") + 1
    assert any(f"{broken}:{unknown_line}:" in line and "no_such_criterion" in line for line in lines)
    assert any("age_band" in line and "duplicate" in line.lower() for line in lines)


def test_validate_names_a_missing_path(runner, tmp_path):
    result = runner.invoke(args=["surveys", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_load_is_idempotent(app, runner, tmp_path):
    app.config["SURVEYS_DIR"] = copy_bank(tmp_path)
    first = runner.invoke(args=["surveys", "load"])
    assert first.exit_code == 0, first.output
    assert "loaded   mini v1" in first.output
    second = runner.invoke(args=["surveys", "load"])
    assert "same     mini v1" in second.output
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 2


def test_a_changed_file_becomes_a_new_version_and_rounds_keep_theirs(app, runner, tmp_path):
    bank = copy_bank(tmp_path)
    app.config["SURVEYS_DIR"] = bank
    runner.invoke(args=["surveys", "load"])
    v1 = db.session.scalar(select(Survey).where(Survey.key == "mini"))
    survey_round = make_round(make_community(), v1)
    db.session.commit()

    path = bank / "mini.yaml"
    path.write_text(path.read_text().replace("What would help you most?", "What would help you?"))
    result = runner.invoke(args=["surveys", "load"])
    assert "loaded   mini v2" in result.output

    versions = db.session.scalars(select(Survey).order_by(Survey.version)).all()
    assert [s.version for s in versions] == [1, 2]
    db.session.refresh(survey_round)
    assert survey_round.survey.version == 1
    old_text = db.session.scalar(
        select(Question.text).where(Question.survey_id == v1.id, Question.key == "help_most"))
    assert old_text["en"] == "What would help you most?"


def test_a_comment_only_edit_does_not_make_a_new_version(app, runner, tmp_path):
    bank = copy_bank(tmp_path)
    app.config["SURVEYS_DIR"] = bank
    runner.invoke(args=["surveys", "load"])
    path = bank / "mini.yaml"
    path.write_text("# edited comment\n" + path.read_text())
    assert "same     mini v1" in runner.invoke(args=["surveys", "load"]).output


def test_load_refuses_everything_when_a_file_is_broken(app, runner, tmp_path):
    bank = copy_bank(tmp_path)
    (bank / "broken.yaml").write_text("key: broken\naudience: nobody\n")
    app.config["SURVEYS_DIR"] = bank
    result = runner.invoke(args=["surveys", "load"])
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output
    assert "Nothing was loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
