"""Command-line interface: `flask --app app surveys|demo|users|reports ...`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.domain.survey_files import validate_paths
from app.extensions import db
from app.translations_cli import translations_cli

surveys_cli = AppGroup("surveys", help="Validate and load the survey files in surveys/.")
users_cli = AppGroup("users", help="Manage accounts.")
reports_cli = AppGroup("reports", help="Build report snapshots.")


def init_app(app: Flask) -> None:
    app.cli.add_command(surveys_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(translations_cli)
    app.cli.add_command(reports_cli)


@surveys_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check survey files (default: all of surveys/); print every problem as file:line: message."""
    bank_dir = current_app.config["SURVEYS_DIR"]
    targets = list(paths) or [bank_dir]
    missing = [p for p in targets if not p.exists()]
    if missing:
        for path in missing:
            click.echo(f"{path}: no such file or directory", err=True)
        sys.exit(2)
    problems = validate_paths(targets, bank_dir)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("All survey files are valid.")


@surveys_cli.command("load")
def load_command() -> None:
    """Load the catalogue and every survey; a changed survey becomes a new version."""
    from app.services.survey_bank import BankInvalid, load_bank

    try:
        result = load_bank(current_app.config["SURVEYS_DIR"])
    except BankInvalid as invalid:
        db.session.rollback()
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        click.echo("Nothing was loaded: fix the problems above first.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{result.criteria} criteria.")
    for survey in result.new_versions:
        click.echo(f"loaded   {survey.key} v{survey.version} ({len(survey.questions)} questions)")
    for survey in result.unchanged:
        click.echo(f"same     {survey.key} v{survey.version}")


@reports_cli.command("refresh")
def refresh_reports_command() -> None:
    """Build the report of every round that needs it, as beat does every five minutes: open
    rounds with new responses, builds asked for and never begun, snapshots of an older format,
    releases that are due (closed rounds) or of an older format.
    Without Redis (the embedded default, where no beat runs) the builds run here, now; with
    Redis they are queued for the workers. Run it from cron in the embedded mode."""
    from app.models import utcnow
    from app.services.report_queue import rounds_needing_refresh
    from app.services.report_releases import refresh_outdated
    from app.tasks import request_report

    remade = refresh_outdated()
    db.session.commit()
    if remade:
        click.echo(f"Made {len(remade)} release(s) again in this version's format.")
    due = rounds_needing_refresh(utcnow())
    if not due:
        click.echo("Every report is up to date.")
        return
    not_queued = [round_id for round_id in due if not request_report(round_id)]
    done = [round_id for round_id in due if round_id not in not_queued]
    if done:
        in_process = current_app.extensions["celery"].conf.task_always_eager  # no broker: built here
        verb = "Built" if in_process else "Queued the build of"
        click.echo(f"{verb} the report of round(s) {', '.join(map(str, done))}.")
    if not_queued:
        click.echo(f"Redis cannot be reached: the report of round(s) {', '.join(map(str, not_queued))} is noted "
                   "as asked for, and beat queues it once Redis is back.", err=True)
        sys.exit(1)


@click.command("demo")
@click.option("--responses", default=400, show_default=True, type=click.IntRange(0, 1_000_000),
              help="Number of simulated responses.")
@click.option("--seed", default=2026, show_default=True, type=int,
              help="Random seed: the same seed gives the same answers.")
def demo_command(responses: int, seed: int) -> None:
    """Create a demo city with two learning communities, an open round and responses."""
    from app.services.demo import DemoError, create_demo

    if current_app.config.get("ENV_NAME") == "production":
        raise click.UsageError("The demo is not for production databases.")
    try:
        summary = create_demo(current_app.config["SURVEYS_DIR"], responses, seed)
    except DemoError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if summary.created:
        click.echo(f"Demo created with {summary.responses} simulated responses.")
    else:
        click.echo("The demo is already there (nothing changed).")
    click.echo("\nLog in at " + base + "/auth/login with:")
    for role, email, password in summary.logins:
        click.echo(f"  {role:<12} {email:<32} {password}")
    click.echo("\nPublic survey links:")
    for community, group, path in summary.links:
        click.echo(f"  {community:<16} {group:<28} {base}{path}")


def _email_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Checked as soon as it is given, so a mistyped address is asked again before the password;
    by the same rule as the web forms (WTForms' Email() uses email_validator)."""
    from email_validator import EmailNotValidError, validate_email

    email = value.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise click.BadParameter("that is not an email address") from None
    return email


def _name_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip() or len(value.strip()) > 200:
        raise click.BadParameter("give a name of 1 to 200 characters")
    return value.strip()


@users_cli.command("create")
@click.option("--email", prompt=True, callback=_email_option)
@click.option("--name", prompt=True, callback=_name_option)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin-of", "admin_of", multiple=True,
              help="Slug of a community this user administers (repeatable).")
@click.option("--site-admin", is_flag=True,
              help="May create top-level communities (the first account always may).")
def create_user_command(email: str, name: str, password: str, admin_of: tuple[str, ...], site_admin: bool) -> None:
    """Create an account (the first admin, typically)."""
    from flask_babel import force_locale

    from app.models import Community, Membership, Role, User
    from app.services.accounts import password_problem

    problem = password_problem(password, email)
    if problem is not None:
        with force_locale("en"):  # no request here: the locale selector would fail
            raise click.BadParameter(str(problem), param_hint="--password")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise click.ClickException(f"an account for {email} exists already")
    # The first account may create top-level communities; later ones get access through them.
    first = db.session.scalar(select(func.count()).select_from(User)) == 0
    user = User(email=email, name=name, site_admin=first or site_admin)
    user.set_password(password)
    for slug in admin_of:
        community = db.session.scalar(select(Community).where(Community.slug == slug))
        if community is None:
            raise click.BadParameter(f"no community {slug!r}", param_hint="--admin-of")
        user.memberships.append(Membership(community=community, role=Role.ADMIN))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {email}" + (", who may create communities." if user.site_admin else "."))


@users_cli.command("deactivate")
@click.option("--email", required=True, callback=_email_option)
def deactivate_user_command(email: str) -> None:
    """Close an account: it can no longer log in, and every login it has ends now."""
    from app.services.accounts import deactivate, find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"there is no account for {email}")
    deactivate(user)
    db.session.commit()
    click.echo(f"{email} can no longer log in; every login it had has ended.")
