"""The survey bank on disk: criteria.yaml plus one survey per other .yaml file.

Paths in problems are shown as they were given (relative stays relative), so the output of
`surveys validate` points at the files the way the author typed them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.domain.survey_format import (
    Catalogue,
    Problem,
    SurveyDefinition,
    parse_catalogue,
    parse_survey,
)
from app.domain.yaml_lines import N_, LineDict, load_yaml, phrase

CATALOGUE_FILENAME = "criteria.yaml"
SURVEY_SUFFIX = ".yaml"


@dataclass(frozen=True)
class Bank:
    catalogue: Catalogue | None  # None when criteria.yaml is missing or has problems
    surveys: list[tuple[Path, SurveyDefinition]]  # only the valid ones
    problems: list[Problem]


def read_bank(directory: Path) -> Bank:
    """Read and check the whole bank; usable only when `problems` is empty."""
    if not directory.is_dir():
        return Bank(None, [], [Problem(str(directory), 0, phrase(N_("no such directory")))])
    catalogue, problems = _read_catalogue(directory / CATALOGUE_FILENAME)
    files, listing_problems = _files_in(directory)
    survey_files = [f for f in files if f.name != CATALOGUE_FILENAME]
    surveys, survey_problems = _read_surveys(survey_files, _keys_of([catalogue]))
    return Bank(catalogue, surveys, problems + listing_problems + survey_problems)


def validate_paths(paths: Sequence[Path], bank_directory: Path) -> list[Problem]:
    """Check the given files and directories.

    Surveys are checked against the criteria.yaml among the paths, if any; otherwise against the
    bank's catalogue, whose problems are reported too, because they block loading as well.
    """
    files, problems = _expand(paths)
    catalogue_files = [f for f in files if f.name == CATALOGUE_FILENAME]
    survey_files = [f for f in files if f.name != CATALOGUE_FILENAME]
    catalogues: list[Catalogue | None] = []
    for path in catalogue_files or [bank_directory / CATALOGUE_FILENAME]:
        catalogue, catalogue_problems = _read_catalogue(path)
        catalogues.append(catalogue)
        problems += catalogue_problems
    _, survey_problems = _read_surveys(survey_files, _keys_of(catalogues))
    return problems + survey_problems


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to check, each once: directories stand for their .yaml files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found, listing_problems = _files_in(path)
            files += found
            problems += listing_problems
        elif path.exists():
            files.append(path)  # named explicitly: checked whatever its suffix
        else:
            problems.append(Problem(str(path), 0, phrase(N_("no such file or directory"))))
    return _without_repeats(files), problems


def _without_repeats(files: list[Path]) -> list[Path]:
    """Each file once, even when given twice (as a file and through its directory, say)."""
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def _files_in(directory: Path) -> tuple[list[Path], list[Problem]]:
    files = sorted(p for p in directory.iterdir() if p.is_file())
    # A .yml file would be silently ignored; say so rather than lose a survey.
    problems = [
        Problem(str(p), 0, phrase(N_("this file is not read: survey files end in %(suffix)s"),
                                  suffix=SURVEY_SUFFIX))
        for p in files
        if p.suffix == ".yml"
    ]
    return [p for p in files if p.suffix == SURVEY_SUFFIX], problems


def _read_catalogue(path: Path) -> tuple[Catalogue | None, list[Problem]]:
    text, problem = _read_text(path)
    if problem is not None:
        return None, [problem]
    return parse_catalogue(text, str(path))


def _keys_of(catalogues: list[Catalogue | None]) -> Collection[str] | None:
    """The criterion keys surveys may use, or None (do not check) when a catalogue is broken:
    then every criterion would look unknown, which is noise, not help."""
    if any(c is None for c in catalogues):
        return None
    return frozenset(key for c in catalogues if c is not None for key in c.criterion_keys)


def _read_surveys(
    files: list[Path], criterion_keys: Collection[str] | None
) -> tuple[list[tuple[Path, SurveyDefinition]], list[Problem]]:
    surveys: list[tuple[Path, SurveyDefinition]] = []
    problems: list[Problem] = []
    first_file: dict[str, Path] = {}
    for path in files:
        text, problem = _read_text(path)
        if problem is not None:
            problems.append(problem)
            continue
        definition, survey_problems = parse_survey(text, str(path), criterion_keys)
        problems += survey_problems
        if definition is None:
            continue
        if definition.key in first_file:
            used_by = first_file[definition.key]
            message = phrase(N_("survey key '%(key)s' is already used by %(path)s"),
                             key=definition.key, path=str(used_by))
            problems.append(Problem(str(path), _key_line(text), message))
            continue
        first_file[definition.key] = path
        surveys.append((path, definition))
    return surveys, problems


def _read_text(path: Path) -> tuple[str, Problem | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return "", Problem(str(path), 0, phrase(N_("the file is not UTF-8 text")))
    except OSError as error:
        return "", Problem(
            str(path), 0, phrase(N_("cannot read the file: %(error)s"), error=str(error.strerror)))


def _key_line(text: str) -> int:
    """The line of `key:` in a survey file already known to be valid."""
    data = load_yaml(text).data
    return data.line_of("key") if isinstance(data, LineDict) else 1
