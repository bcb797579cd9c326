"""The validator's problems as phrases: the same English as ever on the command line, and every
part translatable for the web editor (keys and values from the file left as they are)."""

import ast
import re
import tempfile
from pathlib import Path

import pytest

from app.domain import survey_drafts
from app.domain.survey_files import read_bank, validate_paths
from app.domain.survey_format import parse_catalogue, parse_survey
from app.domain.yaml_lines import Phrase, Problem

DOMAIN = Path(__file__).parents[2] / "app" / "domain"
FIXTURES = Path(__file__).parent / "fixtures"
PILOT = (FIXTURES / "pilot.yaml").read_text(encoding="utf-8")
CATALOGUE = (FIXTURES / "criteria.yaml").read_text(encoding="utf-8")
CRITERIA = frozenset({"balances", "belonging", "access"})
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def pilot(old: str, new: str) -> str:
    return changed(PILOT, old, new)


def appended(question: str) -> str:
    """The pilot with one more question at the end of its last page."""
    return PILOT.rstrip("\n") + "\n" + "\n".join("      " + line for line in question.splitlines()) + "\n"


# Broken surveys, between them wrong in every way the validator knows.
BROKEN_SURVEYS = [
    "key: [unclosed",
    pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}", "title: {en: Why? x: y, he: z}"),
    PILOT + "\n  show_if: 'a' in b\n",
    PILOT + "\n\t- x\n",
    "",
    "- a\n- b\n",
    pilot("minutes: 5", "minutes: 5\nminutes: 6"),
    pilot("minutes: 5", "minuts: 5"),
    pilot("minutes: 5", "minutes: -1\nzzz: 1"),
    pilot("key: citizen_needs_pilot\n", "zzz: 1\n"),
    pilot("  - key: needs", "  - key: Needs Page"),
    pilot("      - key: wishes", "      - key: Wishes"),
    pilot("key: citizen_needs_pilot", "key: Citizen Needs"),
    pilot("audience: citizens", "audience: citizen"),
    pilot("audience: citizens", "audience: nobody"),
    pilot("audience: citizens\n", ""),
    pilot("languages: [en, he]", "languages: 3"),
    pilot("languages: [en, he]", "languages: [EN, he, he]"),
    pilot("languages: [en, he]\n", ""),
    pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}\n", ""),
    pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}", "title: What"),
    pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}", "title: {en: '', fr: x, he: 3}"),
    pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}", "title: {en: What}"),
    pilot("minutes: 5\n", ""),
    pilot("scales:\n  maturity:", "scales: 3\nold_scales:\n  maturity:"),
    pilot("  maturity:", "  Bad_Scale: [{en: x, he: y}]\n  maturity:"),
    pilot("    - {en: Very low, he: נמוך מאוד}", "    - {en: Very low}"),
    pilot("pages:", "pages: 3\nold_pages:"),
    pilot("pages:\n  - key: about_you", "pages:\n  - 3\n  - key: about_you"),
    pilot("  - key: about_you\n", "  - title: {en: x, he: y}\n    questions: []\n  - key: about_you\n"),
    pilot("  - key: needs", "  - key: about_you"),
    pilot("  - key: needs\n    title: {en: Your needs, he: הצרכים שלך}\n    questions:",
          "  - key: needs\n    title: {en: Your needs, he: הצרכים שלך}\n    questions: []\n    old:"),
    pilot("      - key: household_size", "      - 3\n      - key: household_size"),
    pilot("      - key: wishes", "      - key: class"),
    pilot("      - key: wishes", "      - key: age_band"),
    pilot("      - key: wishes\n", "      - text: {en: x, he: y}\n        type: text\n      - key: wishes2\n"),
    pilot("        type: importance_current", "        type: importance_curent"),
    pilot("        type: importance_current", "        type: zzz"),
    pilot("        type: importance_current\n", ""),
    pilot("        role: group\n        text: {en: People", "        role: groop\n        text: {en: People"),
    pilot("        long: true", "        long: true\n        scale: maturity\n        criteria: access\n"
          "        frobnicate: 1"),
    pilot("        long: true", "        long: 3\n        max_length: 0\n        required: maybe"),
    pilot("        min: 1", "        min: 20"),
    pilot("        min: 1", "        min: low"),
    pilot("        max: 2", "        max: 5"),
    pilot("        scale: maturity", "        scale: maturty"),
    pilot("scales:\n  maturity:\n", "old_scales:\n  maturity:\n").replace("scale: maturity", "scale: x"),
    pilot("          - {key: barrier_time, label: {en: Time, he: זמן}}",
          "          - {key: barrier_time, label: {en: Time, he: זמן}}\n"
          "          - {key: barrier_cost, label: {en: Cost, he: עלות}}\n"
          "          - {key: Bad Key, label: {en: x, he: y}, colour: red}\n"
          "          - {label: {en: x, he: y}, colour: red}\n"
          "          - 3"),
    pilot("          - key: age_26_40\n            label: {en: 26 to 40, he: 26 עד 40}\n"
          "          - key: age_41_plus\n            label: {en: 41 or older, he: 41 ומעלה}\n", ""),
    pilot("        criterion: access\n", ""),
    pilot("        criterion: access", "        criterion: acces"),
    pilot("        criterion: access", "        criterion: zzz"),
    pilot("        criterion: access", "        criterion: 3"),
    pilot("        role: group\n        text: {en: People", "        role: group\n        criterion: access\n"
          "        text: {en: People"),
    pilot("        role: consent", "        role: consent\n        long: true\n        type: text"),
    pilot("          - {key: no, label: {en: No, he: לא}}", "          - {key: maybe, label: {en: Maybe, he: אולי}}"),
    appended("- key: follow_up\n  type: text\n  text: {en: x, he: y}\n  show_if: 3"),
]
CONDITIONS = [
    "age_band = 'x'", "follow_up == 'x'", "nope == 'x'", "wishs == 'x'", "later == 'x'",
    "balance_need >= 3", "barriers == 'x'", "'x' in wishes", "age_band > 'age_16_25'",
    "age_band == 3", "age_band == 'zz'", "household_size == 'a'", "wishes == 3",
    "age_band >= 1 and household_size > 2",
]
BROKEN_SURVEYS += [
    appended(f"- key: follow_up\n  type: text\n  text: {{en: x, he: y}}\n  show_if: \"{condition}\"\n"
             "- key: later\n  type: text\n  text: {en: x, he: y}")
    for condition in CONDITIONS
]
NEIGHBOURHOOD = ("- key: place\n  type: single_choice\n  role: group\n  options_from: {source}\n"
                 "  text: {{en: x, he: y}}\n  options: {options}\n"
                 "- key: follow_up\n  type: text\n  text: {{en: x, he: y}}\n  show_if: \"place == 'docks'\"")
BROKEN_SURVEYS += [
    appended(NEIGHBOURHOOD.format(source="neighbourhoods", options="[]")),
    appended(NEIGHBOURHOOD.format(source="neighbourhoods", options="[{key: other, label: {en: x, he: y}}]")),
    appended(NEIGHBOURHOOD.format(source="streets", options="[]")),
]
BROKEN_CATALOGUES = [
    "- a\n",
    changed(CATALOGUE, "frameworks:", "frameworks: []\nold:"),
    CATALOGUE.replace("criteria:", "criteria: []\n    old:", 1),
    CATALOGUE + "  - 3\n  - {key: x, name: {en: x}, criteria: [3, {name: {en: y}, nam: z}]}\n  - {name: {en: z}}\n"
    "  - {key: x, name: {en: x}, criteria: [{key: y, name: {en: y}}]}\n",
    CATALOGUE + "  - {key: Bad Key, nme: {en: x}, criteria: [{key: balances, name: {en: x, xx: y}}]}\n",
    CATALOGUE + "  - {key: Bad Key, name: {en: x}, criteria: [{key: Very Bad, name: {en: x}, descr: z}]}\n",
]


def all_problems() -> list[Problem | survey_drafts.FieldProblem]:
    """The problems of every broken survey, catalogue, bank and draft here."""
    problems: list[Problem | survey_drafts.FieldProblem] = []
    for text in BROKEN_SURVEYS + [text for text, _ in SAMPLE]:
        found = [p for partial in (False, True) for p in parse_survey(text, "s.yaml", CRITERIA, partial)[1]]
        assert found, text
        problems += found
    for text in BROKEN_CATALOGUES:
        _, found = parse_catalogue(text, "criteria.yaml")
        assert found, text
        problems += found
    with tempfile.TemporaryDirectory() as directory:
        bank = Path(directory)
        problems += read_bank(bank / "nope").problems
        (bank / "criteria.yaml").write_text(CATALOGUE)
        for name in ("a.yaml", "b.yaml", "c.yml"):
            (bank / name).write_text(PILOT)
        (bank / "d.yaml").write_bytes(b"\xff\xfe")
        problems += read_bank(bank).problems + validate_paths([bank / "e.yaml"], bank)
    problems += broken_draft_check().problems
    return problems


def broken_draft_check() -> survey_drafts.DraftCheck:
    definition, _ = parse_survey(PILOT, "s.yaml", CRITERIA)
    draft = survey_drafts.draft_of(definition)
    draft["pages"].append(dict(draft["pages"][0], title={"en": "Again"}))
    del draft["pages"][0]["questions"][0]["key"]
    draft["pages"][0]["questions"][0]["text"] = {}
    return survey_drafts.check_draft(draft, CRITERIA)


def templates_in(words: Phrase) -> list[str]:
    found = [words.template]
    for value in words.params.values():
        for part in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(part, Phrase):
                found += templates_in(part)
    return found


def values_in(words: Phrase) -> list[object]:
    """The values filled in, at every depth: what comes from the file, not from a template."""
    found: list[object] = []
    for value in words.params.values():
        for part in value if isinstance(value, (list, tuple)) else [value]:
            found += values_in(part) if isinstance(part, Phrase) else [part]
    return found


def shouting(template: str) -> str:
    """A fake translation: the template's own words in capitals, its placeholders untouched."""
    return "".join(part if PLACEHOLDER.fullmatch(part) else part.upper()
                   for part in re.split(r"(%\(\w+\)s)", template))


def marked_templates() -> dict[str, set[str]]:
    """Every N_("...") template in the validator's modules, with its placeholders."""
    templates: dict[str, set[str]] = {}
    for module in ("yaml_lines", "survey_format", "survey_files", "survey_drafts"):
        tree = ast.parse((DOMAIN / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
                (argument,) = node.args
                assert isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                templates[argument.value] = set(PLACEHOLDER.findall(argument.value))
    return templates


# --- English, as the command line prints it ---------------------------------------------------


SAMPLE = [
    (pilot("minutes: 5", "minuts: 5"), [
        "s.yaml:2: survey 'citizen_needs_pilot' has no minutes: give an honest estimate of the answering time on a phone, for example minutes: 5",
        "s.yaml:9: survey 'citizen_needs_pilot' has an unknown field 'minuts' (did you mean 'minutes'?)",
    ]),
    (pilot("minutes: 5", "minutes: 5\nminutes: 6"), [
        "s.yaml:10: 'minutes' is given twice in the same place (first on line 9); only one can count, so remove the other",
    ]),
    (pilot("audience: citizens", "audience: citizen"), [
        "s.yaml:3: survey 'citizen_needs_pilot' has an unknown audience 'citizen' (did you mean 'citizens'?); use citizens, organisations or coordinators",
    ]),
    (pilot("      - key: wishes", "      - key: age_band"), [
        "s.yaml:69: duplicate question key 'age_band': already used on line 23",
    ]),
    (pilot("      - key: wishes\n", "      - text: {en: x, he: y}\n        colour: red\n      - key: wishes2\n"), [
        's.yaml:69: this question has no key',
        's.yaml:69: the question on line 69 has no type: use agreement, importance_current, single_choice, multiple_choice, text or number',
        "s.yaml:70: the question on line 69 has an unknown field 'colour'",
    ]),
    (pilot("    - {en: Very low, he: נמוך מאוד}", "    - {en: Very low}"), [
        "s.yaml:13: scale 'maturity' point 1: missing translation for he",
    ]),
    (pilot("title: {en: \"What do you need?\", he: מה את/ה צריך/ה}", "title: {en: '', fr: x, he: 3}"), [
        "s.yaml:5: survey 'citizen_needs_pilot' title: the en text is empty",
        "s.yaml:5: survey 'citizen_needs_pilot' title: translation in fr, which is not one of the survey's languages (en, he)",
        "s.yaml:5: survey 'citizen_needs_pilot' title: the he text should be text, not 3",
    ]),
    (pilot("          - {key: barrier_time, label: {en: Time, he: זמן}}",
           "          - {key: barrier_time, label: {en: Time, he: זמן}}\n"
           "          - {key: barrier_cost, label: {en: Cost, he: עלות}}\n"
           "          - {key: Bad Key, label: {en: x}, colour: red}\n"
           "          - 3"), [
        "s.yaml:47: each option of question 'barriers' should be a set of fields (name: value), not 3",
        "s.yaml:51: duplicate option key 'barrier_cost' in question 'barriers': already used on line 49",
        "s.yaml:52: option key 'Bad Key' is not snake_case: use lowercase letters, digits and single underscores, starting with a letter",
        "s.yaml:52: option 'Bad Key' of question 'barriers' has an unknown field 'colour'",
        "s.yaml:52: option 'Bad Key' of question 'barriers' label: missing translation for he",
    ]),
    (pilot("        scale: maturity", "        scale: maturty"), [
        "s.yaml:61: question 'belonging_now' uses the unknown scale 'maturty'; the survey defines maturity",
    ]),
    (pilot("        criterion: access", "        criterion: acces"), [
        "s.yaml:66: question 'access_ok' names the unknown criterion 'acces' (did you mean 'access'?)",
    ]),
    (appended("- key: follow_up\n  type: text\n  text: {en: x, he: y}\n  show_if: \"age_band = 'x'\""), [
        "s.yaml:83: question 'follow_up' show_if: the condition is not valid: invalid syntax",
    ]),
    (appended("- key: follow_up\n  type: text\n  text: {en: x, he: y}\n  show_if: \"wishs == 'x'\""), [
        "s.yaml:83: question 'follow_up' show_if refers to the unknown question 'wishs' (did you mean 'wishes'?)",
    ]),
    (appended("- key: follow_up\n  type: text\n  text: {en: x, he: y}\n  show_if: \"barriers == 'x'\""), [
        "s.yaml:83: question 'follow_up' show_if: 'barriers' is a multiple choice question: test it with 'option' in barriers or 'option' not in barriers",
        "s.yaml:83: question 'follow_up' show_if: 'x' is not an option of 'barriers' (its options are barrier_childcare, barrier_cost, barrier_time)",
    ]),
    (appended("- key: follow_up\n  type: text\n  text: {en: x, he: y}\n  show_if: \"age_band == 'zz'\""), [
        "s.yaml:83: question 'follow_up' show_if: 'zz' is not an option of 'age_band' (its options are age_16_25, age_26_40, age_41_plus)",
    ]),
    (appended(NEIGHBOURHOOD.format(source="neighbourhoods", options="[]")), [
        "s.yaml:89: question 'follow_up' show_if: 'place' takes its options from the community's neighbourhoods, so a condition can only name the survey's own options (none)",
    ]),
    (pilot("show_if: \"'barrier_childcare' in barriers or household_size >= 3\"",
           "show_if: 'barrier_childcare' in barriers"), [
        's.yaml:58: this is not valid YAML: expected <block end>, but found \'<scalar>\'; if a value starts with a quote or a bracket, put the whole value in double quotes, for example show_if: "\'option\' in question"',
    ]),
    ("- a\n- b\n", [
        's.yaml:1: the file should describe a survey with the fields key, audience, languages, title, intro, minutes, scales, pages',
    ]),
]


@pytest.mark.parametrize(("text", "expected"), SAMPLE)
def test_the_english_of_a_broken_survey_is_as_it_always_was(text, expected):
    _, problems = parse_survey(text, "s.yaml", CRITERIA)
    assert [str(p) for p in problems] == expected


def test_a_problem_still_takes_plain_text():
    problem = Problem("surveys/a.yaml", 12, "oops: 100%")
    assert (str(problem), problem.message, problem.phrase) == (
        "surveys/a.yaml:12: oops: 100%", "oops: 100%", Phrase("oops: 100%"))


def test_the_bank_and_its_problems_keep_their_english(tmp_path):
    (tmp_path / "criteria.yaml").write_text(CATALOGUE)
    for name in ("a.yaml", "b.yaml", "c.yml"):
        (tmp_path / name).write_text(PILOT)
    (tmp_path / "d.yaml").write_bytes(b"\xff\xfe")
    messages = [p.message for p in read_bank(tmp_path).problems]
    assert messages == [
        "this file is not read: survey files end in .yaml",
        f"survey key 'citizen_needs_pilot' is already used by {tmp_path / 'a.yaml'}",
        "the file is not UTF-8 text",
    ]
    assert [p.message for p in read_bank(tmp_path / "nope").problems] == ["no such directory"]


# --- Translatable -----------------------------------------------------------------------------


def test_every_template_is_translated_and_what_comes_from_the_file_is_not():
    seen = 0
    for problem in all_problems():
        asked: list[str] = []

        def translate(template: str) -> str:
            asked.append(template)
            return shouting(template)

        words = problem.phrase.words(translate)
        assert sorted(asked) == sorted(templates_in(problem.phrase))
        # Keys, codes and values from the file ('age_band', 'minuts', en) come through as they were.
        assert [value for value in values_in(problem.phrase) if str(value) not in words] == [], words
        assert words == shouting(problem.message) or any(
            str(value) != str(value).upper() for value in values_in(problem.phrase)), words
        seen += 1
    assert seen > 200


def test_a_suggestion_is_one_sentence_for_the_translator():
    _, problems = parse_survey(pilot("minutes: 5", "minuts: 5"), "s.yaml", CRITERIA)
    unknown = next(p for p in problems if "minuts" in p.message)
    assert unknown.phrase.words(shouting) == (
        "SURVEY 'citizen_needs_pilot' HAS AN UNKNOWN FIELD 'minuts' (DID YOU MEAN 'minutes'?)"
    )


def test_one_of_is_translated_as_a_whole():
    _, problems = parse_survey(pilot("audience: citizens", "audience: nobody"), "s.yaml", CRITERIA)
    (problem,) = problems
    assert problem.phrase.words(shouting) == (
        "SURVEY 'citizen_needs_pilot' HAS AN UNKNOWN audience 'nobody'; USE citizens, organisations "
        "OR coordinators"
    )


def test_a_translation_with_broken_placeholders_falls_back_to_english():
    _, problems = parse_survey(pilot("minutes: 5", "minuts: 5"), "s.yaml", CRITERIA)
    unknown = next(p for p in problems if "minuts" in p.message)
    assert unknown.phrase.words(lambda template: "%(nonsense)s") == unknown.message


def test_every_marked_template_is_a_valid_format():
    templates = marked_templates()
    assert len(templates) > 100
    for template, names in templates.items():
        values = {name: f"<{name}>" for name in names}
        filled = template % values if names else template
        assert "%" not in PLACEHOLDER.sub("", template), template  # no stray %: it would not format
        assert all(f"<{name}>" in filled for name in names)


def test_every_problem_gives_its_templates_the_values_they_name():
    marked = marked_templates()
    used: set[str] = set()

    def check(words: Phrase) -> None:
        for template in filter(None, (words.template, words.unlined)):
            assert template in marked, f"not marked for translation: {template!r}"
            assert marked[template] <= set(words.params), (template, set(words.params))
            used.add(template)
        for value in words.params.values():
            for part in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(part, Phrase):
                    check(part)

    for problem in all_problems():
        check(problem.phrase)
    # An unreadable file (other than by its encoding); a draft that is no mapping at all.
    assert set(marked) - used == {"cannot read the file: %(error)s", "the survey is empty"}


# --- The editor: no line numbers ----------------------------------------------------------------


def test_the_editor_words_name_no_line():
    check = broken_draft_check()
    messages = {p.message for p in check.problems}
    assert "duplicate page key 'about_you'" in messages
    assert "duplicate question key 'household_size'" in messages
    assert "this question has no key" in messages
    assert "the question text: missing translation for en" in messages
    for problem in check.problems:
        words = problem.words(shouting)
        assert "line" not in problem.message and "LINE" not in words, words
        assert problem.words(lambda template: template) == problem.message


def test_problem_words_uses_the_page_language(monkeypatch):
    from app import i18n

    monkeypatch.setattr(i18n, "gettext", shouting)
    _, problems = parse_survey(pilot("minutes: 5", "minuts: 5"), "s.yaml", CRITERIA)
    unknown = next(p for p in problems if "minuts" in p.message)
    assert i18n.problem_words(unknown) == (
        "SURVEY 'citizen_needs_pilot' HAS AN UNKNOWN FIELD 'minuts' (DID YOU MEAN 'minutes'?)"
    )
