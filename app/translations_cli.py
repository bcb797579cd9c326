"""`flask --app app translations ...`: the translators' workflow around pybabel.

extract  -> translations/messages.pot from the code and templates
update   -> extract, then merge new strings into every language's messages.po
compile  -> messages.mo for every language (run by `make run` and `make test`)
init XX  -> start the catalogue of a new language
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import AppGroup

translations_cli = AppGroup("translations", help="Extract, update and compile interface translations.")


def project_root() -> Path:
    return Path(current_app.root_path).parent


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def catalogue_paths() -> tuple[str, str, str]:
    root = project_root()
    return str(root / "pyproject.toml"), str(root / "translations" / "messages.pot"), str(root / "translations")


# Marking functions beyond gettext's own: lazy_gettext, and app.i18n.counted (an ngettext).
EXTRA_KEYWORDS = ("-k", "_l", "-k", "counted:1,2")


@translations_cli.command("extract")
def extract_command() -> None:
    """Collect every marked string into translations/messages.pot."""
    mapping, template, _ = catalogue_paths()
    root = project_root()
    pybabel("extract", "-F", mapping, *EXTRA_KEYWORDS, "--no-location", "--sort-output",
            "--project", "CommonGround", "--copyright-holder", "CommonGround contributors", "-o", template, str(root))
    click.echo(f"Extracted to {template}.")


@translations_cli.command("update")
@click.pass_context
def update_command(context: click.Context) -> None:
    """Extract, then merge new and changed strings into every language's catalogue."""
    context.invoke(extract_command)
    _, template, directory = catalogue_paths()
    pybabel("update", "-i", template, "-d", directory, "--no-fuzzy-matching", "--ignore-obsolete")
    click.echo("Catalogues updated: translate the empty and fuzzy entries, then compile.")


@translations_cli.command("compile")
def compile_command() -> None:
    """Compile every catalogue to the .mo files the app reads."""
    _, _, directory = catalogue_paths()
    if not any(Path(directory).glob("*/LC_MESSAGES/messages.po")):
        click.echo("No catalogues to compile.")
        return
    pybabel("compile", "-d", directory, "--use-fuzzy")
    click.echo("Catalogues compiled.")


@translations_cli.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start the catalogue of a new language (an ISO 639-1 code such as 'pt')."""
    _, template, directory = catalogue_paths()
    if (Path(directory) / language / "LC_MESSAGES" / "messages.po").exists():
        raise click.UsageError(f"{language} has a catalogue already: use `translations update`.")
    pybabel("init", "-i", template, "-d", directory, "-l", language)
    click.echo(f"Created translations/{language}/LC_MESSAGES/messages.po.")


@translations_cli.command("coverage")
def coverage_command() -> None:
    """Per language, the share of interface strings and survey texts translated.

    Exits with 1 when a shipped language is below 100 % in either (CI runs this).
    """
    from app.domain.survey_files import read_bank
    from app.domain.translation_coverage import catalogue_texts, survey_texts, text_coverage

    languages = current_app.config["LANGUAGES"]
    source = current_app.config["BABEL_DEFAULT_LOCALE"]
    bank = read_bank(current_app.config["SURVEYS_DIR"])
    if bank.problems or bank.catalogue is None:
        for problem in bank.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the survey bank has problems: run `flask surveys validate`")
    texts = [*catalogue_texts(bank.catalogue), *(t for _, survey in bank.surveys for t in survey_texts(survey))]
    surveys = text_coverage(texts, languages)
    interface = interface_coverage(languages, source)
    click.echo(f"{'language':<10}{'interface strings':>26}{'survey texts':>26}")
    for language in languages:
        click.echo(f"{language:<10}{_cell(interface[language]):>26}{_cell(surveys[language]):>26}")
    short = [lang for lang in languages if not (interface[lang].complete and surveys[lang].complete)]
    if short:
        raise click.ClickException(f"not complete: {', '.join(short)}")
    click.echo(f"All {len(languages)} languages are complete.")


def interface_coverage(languages: list[str], source: str) -> dict:
    """Each language's catalogue against the strings the code marks now (freshly extracted)."""
    import tempfile

    from babel.messages.pofile import read_po

    from app.domain.translation_coverage import Coverage, catalogue_coverage

    mapping, _, directory = catalogue_paths()
    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "messages.pot"
        pybabel("extract", "-F", mapping, *EXTRA_KEYWORDS, "--no-location", "-o", str(template), str(project_root()))
        with template.open("rb") as handle:
            expected = {_msgid(m) for m in read_po(handle) if m.id}
    result = {}
    for language in languages:
        if language == source:
            result[language] = Coverage(len(expected), len(expected))
            continue
        po = Path(directory) / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            result[language] = Coverage(0, len(expected))
            continue
        with po.open("rb") as handle:
            messages = [(_msgid(m), _strings(m.string), m.fuzzy) for m in read_po(handle) if m.id]
        result[language] = catalogue_coverage(messages, expected)
    return result


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else "\x00".join(message.id)


def _strings(string) -> list[str]:
    return [string] if isinstance(string, str) else list(string)


def _cell(coverage) -> str:
    return f"{coverage.translated}/{coverage.total} ({coverage.share:.0%})"
