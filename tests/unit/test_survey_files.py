import shutil
from pathlib import Path

import pytest

from app.domain.survey_files import CATALOGUE_FILENAME, read_bank, validate_paths

FIXTURES = Path(__file__).parent / "fixtures"
PILOT = (FIXTURES / "pilot.yaml").read_text(encoding="utf-8")


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bank directory `surveys/` with the fixture catalogue and pilot survey; the working
    directory is its parent, so relative paths read like the real project's."""
    directory = tmp_path / "surveys"
    directory.mkdir()
    shutil.copy(FIXTURES / "criteria.yaml", directory / CATALOGUE_FILENAME)
    shutil.copy(FIXTURES / "pilot.yaml", directory / "pilot.yaml")
    monkeypatch.chdir(tmp_path)
    return Path("surveys")


def pilot_line(marker: str) -> int:
    (line,) = [n for n, text in enumerate(PILOT.splitlines(), start=1) if marker in text]
    return line


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_catalogue_and_every_survey(bank: Path):
    result = read_bank(bank)
    assert result.problems == []
    assert result.catalogue is not None and "balances" in result.catalogue.criterion_keys
    assert [(path, definition.key) for path, definition in result.surveys] == [
        (Path("surveys/pilot.yaml"), "citizen_needs_pilot")
    ]


def test_surveys_are_read_in_file_name_order(bank: Path):
    write(bank / "a_first.yaml", PILOT.replace("key: citizen_needs_pilot", "key: first"))
    assert [d.key for _, d in read_bank(bank).surveys] == ["first", "citizen_needs_pilot"]


def test_a_missing_catalogue_is_a_problem_of_the_whole_file(bank: Path):
    (bank / CATALOGUE_FILENAME).unlink()
    result = read_bank(bank)
    assert result.catalogue is None
    assert [str(p) for p in result.problems] == [
        "surveys/criteria.yaml: cannot read the file: No such file or directory"
    ]


def test_a_missing_directory(tmp_path: Path):
    result = read_bank(tmp_path / "nowhere")
    assert [p.message for p in result.problems] == ["no such directory"]


def test_survey_problems_are_reported_with_their_relative_path(bank: Path):
    write(bank / "pilot.yaml", PILOT.replace("criterion: belonging", "criterion: belongs"))
    result = read_bank(bank)
    assert result.surveys == []
    assert [str(p) for p in result.problems] == [
        f"surveys/pilot.yaml:{pilot_line('criterion: belonging')}: question 'belonging_now' "
        "names the unknown criterion 'belongs' (did you mean 'belonging'?)"
    ]


def test_a_broken_catalogue_is_reported_and_criteria_are_then_not_checked(bank: Path):
    write(bank / CATALOGUE_FILENAME, "languages: [en]\nframeworks: []\n")
    result = read_bank(bank)
    assert result.catalogue is None
    assert [str(p) for p in result.problems] == [
        "surveys/criteria.yaml:2: the catalogue has no frameworks"
    ]
    assert [d.key for _, d in result.surveys] == ["citizen_needs_pilot"]


def test_two_files_with_the_same_survey_key(bank: Path):
    write(bank / "copy.yaml", PILOT)  # read before pilot.yaml, so pilot.yaml is the duplicate
    write(bank / "pilot.yaml", "# moved down\n\n" + PILOT)
    assert [str(p) for p in read_bank(bank).problems] == [
        f"surveys/pilot.yaml:{pilot_line('key: citizen_needs_pilot') + 2}: survey key "
        "'citizen_needs_pilot' is already used by surveys/copy.yaml"
    ]


def test_a_yml_file_is_reported_rather_than_ignored(bank: Path):
    write(bank / "other.yml", PILOT)
    assert [str(p) for p in read_bank(bank).problems] == [
        "surveys/other.yml: this file is not read: survey files end in .yaml"
    ]


def test_an_unreadable_file(bank: Path):
    (bank / "latin1.yaml").write_bytes("key: caf\xe9\n".encode("latin-1"))
    assert [str(p) for p in read_bank(bank).problems] == [
        "surveys/latin1.yaml: the file is not UTF-8 text"
    ]


def test_validate_a_directory(bank: Path):
    write(bank / "bad.yaml", PILOT.replace("minutes: 5", "minutes: 0"))
    assert [str(p) for p in validate_paths([bank], bank)] == [
        f"surveys/bad.yaml:{pilot_line('minutes:')}: minutes should be a positive number, not 0"
    ]


def test_validate_one_file_uses_the_bank_catalogue(bank: Path, tmp_path: Path):
    draft = write(tmp_path / "draft.yaml", PILOT.replace("criterion: access", "criterion: acces"))
    problems = validate_paths([Path("draft.yaml")], bank)
    assert [str(p) for p in problems] == [
        f"draft.yaml:{pilot_line('criterion: access')}: question 'access_ok' names the unknown "
        "criterion 'acces' (did you mean 'access'?)"
    ]
    write(bank / CATALOGUE_FILENAME, PILOT)
    problems = validate_paths([draft], bank)
    assert problems and all(p.path == "surveys/criteria.yaml" for p in problems)


def test_validate_uses_a_catalogue_given_among_the_paths(bank: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    catalogue = (FIXTURES / "criteria.yaml").read_text(encoding="utf-8")
    write(other / CATALOGUE_FILENAME, catalogue.replace("key: access", "key: reach"))
    problems = validate_paths([other / CATALOGUE_FILENAME, bank / "pilot.yaml"], bank)
    assert [p.message for p in problems] == [
        "question 'access_ok' names the unknown criterion 'access'"
    ]


def test_validate_checks_each_file_once(bank: Path):
    write(bank / "bad.yaml", PILOT.replace("minutes: 5", "minutes: 0"))
    problems = validate_paths([bank / "bad.yaml", bank, Path("surveys/../surveys/bad.yaml")], bank)
    assert [str(p) for p in problems] == [
        f"surveys/bad.yaml:{pilot_line('minutes:')}: minutes should be a positive number, not 0"
    ]


def test_validate_finds_duplicate_survey_keys_across_files(bank: Path, tmp_path: Path):
    write(tmp_path / "draft.yaml", PILOT)
    problems = validate_paths([bank, Path("draft.yaml")], bank)
    assert [str(p) for p in problems] == [
        f"draft.yaml:{pilot_line('key: citizen_needs_pilot')}: survey key 'citizen_needs_pilot' "
        "is already used by surveys/pilot.yaml"
    ]


def test_validate_reports_a_missing_path(bank: Path):
    assert [str(p) for p in validate_paths([Path("nope.yaml")], bank)] == [
        "nope.yaml: no such file or directory"
    ]


def test_a_file_named_explicitly_is_checked_whatever_its_suffix(bank: Path, tmp_path: Path):
    write(tmp_path / "draft.txt", PILOT.replace("audience: citizens", "audience: everyone"))
    (problem,) = validate_paths([Path("draft.txt")], bank)
    assert (problem.path, problem.line) == ("draft.txt", pilot_line("audience:"))
