"""`flask --app app users create`: the first admin."""

import subprocess
import sys

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.conftest import ROOT
from tests.factories import make_community


def test_creates_an_admin_of_a_community_who_can_log_in(runner):
    community = make_community("lakeside")
    db.session.commit()
    result = runner.invoke(args=["users", "create", "--email", "Ada@City.example", "--name", "Ada",
                                 "--password", "a long passphrase", "--admin-of", "lakeside"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "ada@city.example"
    assert user.check_password("a long passphrase")
    assert user.role_in(community.id) is Role.ADMIN


def test_refuses_a_short_password_and_creates_nothing(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "A",
                                 "--password", "short"])
    assert result.exit_code == 2
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_a_mistyped_address_is_asked_again_before_the_password(runner):
    result = runner.invoke(args=["users", "create"],
                           input="ada at city\nada@city.example\nAda\na long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert result.output.index("not an email address") < result.output.index("Password")
    assert db.session.scalar(select(User.email)) == "ada@city.example"


def test_refuses_a_blank_name_and_creates_nothing(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "  ",
                                 "--password", "a long passphrase"])
    assert result.exit_code == 2 and "1 to 200 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_refuses_a_second_account_for_the_same_email(runner):
    args = ["users", "create", "--email", "a@b.example", "--name", "A", "--password", "long enough pass"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert "exists already" in again.output


def test_names_an_unknown_community(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "A",
                                 "--password", "long enough pass", "--admin-of", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis" in result.output
    assert db.session.scalar(select(User)) is None


def test_the_procfile_is_valid_for_honcho():
    result = subprocess.run([sys.executable, "-m", "honcho", "check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "web, worker, beat" in result.stderr + result.stdout


def test_deactivating_an_account_ends_its_logins(runner, app):
    from app.extensions import db
    from app.models import Login, User
    from tests.factories import make_user
    from tests.helpers import log_in

    make_user("noa@example.org")
    db.session.commit()
    client = app.test_client()
    log_in(client, "noa@example.org")
    result = runner.invoke(args=["users", "deactivate", "--email", "Noa@example.org"])
    assert result.exit_code == 0, result.output
    assert db.session.query(Login).one().ended_at is not None
    assert not db.session.query(User).one().active
    assert runner.invoke(args=["users", "deactivate", "--email", "nobody@example.org"]).exit_code == 1
