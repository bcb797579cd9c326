"""`flask db upgrade` builds the whole schema on an empty database, and the models agree."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from app.extensions import db
from tests.conftest import make_app

EXPECTED_TABLES = {
    "communities", "groups", "frameworks", "criteria", "surveys", "questions", "rounds",
    "round_groups", "access_links", "responses", "answers", "report_snapshots", "users",
    "memberships",
}


def upgrade_and_compare(database_url: str, tmp_path) -> None:
    app = make_app(database_url, tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert EXPECTED_TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_upgrade_on_an_empty_sqlite_database(tmp_path):
    upgrade_and_compare(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)


@pytest.fixture
def empty_postgres(on_postgres):
    url = make_url(on_postgres)
    scratch = url.set(database=url.database.removesuffix("_test") + "_migrations_test")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_on_an_empty_postgres_database(empty_postgres, tmp_path):
    upgrade_and_compare(empty_postgres, tmp_path)


def test_downgrade_to_base_and_up_again(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'cycle.sqlite'}", tmp_path)
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
