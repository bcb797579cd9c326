"""The translators' workflow: extract, update, compile, init."""

import shutil

import pytest

from tests.conftest import ROOT


@pytest.fixture
def project_copy(app, tmp_path, monkeypatch):
    """A copy of the app and catalogues, so the commands never touch the real ones."""
    for name in ("app", "translations"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.setattr(app, "root_path", str(tmp_path / "app"))
    return tmp_path


def test_extract_finds_the_interface_strings(runner, project_copy):
    result = runner.invoke(args=["translations", "extract"])
    assert result.exit_code == 0, result.output
    template = (project_copy / "translations" / "messages.pot").read_text()
    assert 'msgid "Log in"' in template
    assert 'msgid "Please press again"' in template  # a lazy string in Python code


def test_update_adds_a_new_string_to_every_catalogue(runner, project_copy):
    template = project_copy / "app" / "templates" / "error.html"
    template.write_text(template.read_text() + '{{ _("A brand new sentence") }}\n')
    assert runner.invoke(args=["translations", "update"]).exit_code == 0
    for language in ("he", "ar", "hu"):
        catalogue = project_copy / "translations" / language / "LC_MESSAGES" / "messages.po"
        assert 'msgid "A brand new sentence"' in catalogue.read_text()


def test_compile_builds_the_files_the_app_reads(runner, project_copy):
    assert runner.invoke(args=["translations", "compile"]).exit_code == 0
    assert (project_copy / "translations" / "he" / "LC_MESSAGES" / "messages.mo").exists()


def test_init_refuses_a_language_that_exists(runner, project_copy):
    result = runner.invoke(args=["translations", "init", "he"])
    assert result.exit_code == 2
    assert "already" in result.output
    assert runner.invoke(args=["translations", "init", "pt"]).exit_code == 0
    assert (project_copy / "translations" / "pt" / "LC_MESSAGES" / "messages.po").exists()


def test_coverage_reports_every_shipped_language_complete(runner):
    result = runner.invoke(args=["translations", "coverage"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()[1:9]]
    assert [row[0] for row in rows] == ["en", "he", "ar", "nl", "es", "it", "el", "hu"]
    assert all(row[2] == "(100%)" and row[4] == "(100%)" for row in rows), result.output


def test_coverage_counts_a_new_untranslated_string_and_fails(runner, project_copy):
    template = project_copy / "app" / "templates" / "error.html"
    template.write_text(template.read_text() + '{{ _("A sentence nobody translated yet") }}\n')
    result = runner.invoke(args=["translations", "coverage"])
    assert result.exit_code != 0
    assert "not complete: he, ar, nl, es, it, el, hu" in result.output
