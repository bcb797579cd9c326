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


@translations_cli.command("extract")
def extract_command() -> None:
    """Collect every marked string into translations/messages.pot."""
    mapping, template, _ = catalogue_paths()
    root = project_root()
    pybabel("extract", "-F", mapping, "-k", "_l", "--no-location", "--sort-output",
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
