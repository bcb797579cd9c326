import pytest

from app.extensions import db
from app.models import Role
from tests.factories import make_community, make_user
from tests.helpers import PASSWORD, csrf_token, log_in

@pytest.fixture
def two_communities(app):
    north = make_community("north")
    south = make_community("south")
    make_user("north@example.org", memberships=[(north, Role.COORDINATOR)])
    make_user("south@example.org", memberships=[(south, Role.COORDINATOR)])
    make_user("reader@example.org", memberships=[(north, Role.STAKEHOLDER)])
    db.session.commit()
    return north, south


def test_login_with_the_right_password_opens_the_coordinator_pages(client, two_communities):
    response = log_in(client, "north@example.org", next_url="/coordinate/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/coordinate/"
    page = client.get("/coordinate/").get_data(as_text=True)
    assert "North" in page and "South" not in page


def test_each_role_lands_on_its_work_and_its_menu_offers_only_what_it_can_use(app, client, two_communities):
    coordinator_landing = log_in(client, "north@example.org")
    assert coordinator_landing.headers["Location"] == "/coordinate/"
    menu = client.get("/reports/").get_data(as_text=True)
    assert 'href="/coordinate/"' in menu and 'href="/reports/"' in menu
    home = client.get("/").get_data(as_text=True)
    assert "Go to your communities" in home and ">log in<" not in home  # logged in: no "log in" on the home page

    reader = app.test_client()
    assert log_in(reader, "reader@example.org").headers["Location"] == "/reports/"
    page = reader.get("/reports/").get_data(as_text=True)
    nav = page[page.index("<nav"):page.index("</nav>")]
    assert 'href="/reports/"' in nav and 'href="/coordinate/"' not in nav, nav  # no "Coordinate" that leads nowhere
    assert "Go to your reports" in reader.get("/").get_data(as_text=True)

    make_user("nobody@example.org")  # an account not added to any community yet
    db.session.commit()
    newcomer = app.test_client()
    assert log_in(newcomer, "nobody@example.org").headers["Location"] == "/reports/"
    page = newcomer.get("/reports/").get_data(as_text=True)
    assert "Ask an administrator of your community to add you." in page and 'href="/coordinate/"' not in page


def test_email_is_matched_without_regard_to_case(client, two_communities):
    assert log_in(client, "North@Example.ORG").status_code == 302


def test_a_wrong_password_is_a_400_with_a_message_and_keeps_the_email(client, two_communities):
    response = log_in(client, "north@example.org", password="wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "do not match an account" in html
    assert 'value="north@example.org"' in html
    assert client.get("/coordinate/").status_code == 302  # still logged out


def test_login_without_the_csrf_token_is_refused_with_a_clear_page(client, two_communities):
    response = client.post("/auth/login", data={"email": "north@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Please press again" in response.get_data(as_text=True)


def test_next_never_leads_to_another_site(client, two_communities):
    response = log_in(client, "north@example.org", next_url="//evil.example/")
    assert response.headers["Location"] == "/coordinate/"  # their own work, on this site


def test_coordinator_pages_need_a_login(client):
    response = client.get("/coordinate/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_coordinator_cannot_open_another_communitys_page(client, two_communities):
    north, south = two_communities
    log_in(client, "north@example.org")
    assert client.get(f"/coordinate/communities/{north.id}").status_code == 200
    assert client.get(f"/coordinate/communities/{south.id}").status_code == 404


def test_a_stakeholder_cannot_open_coordinator_pages(client, two_communities):
    north, _ = two_communities
    log_in(client, "reader@example.org")
    assert client.get(f"/coordinate/communities/{north.id}").status_code == 404
    assert client.get("/reports/").status_code == 200


def test_logout_ends_the_session(client, two_communities):
    log_in(client, "north@example.org")
    page = client.get("/coordinate/").get_data(as_text=True)
    response = client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert client.get("/coordinate/").status_code == 302


def test_logins_keep_working_and_stay_limited_while_the_rate_limit_store_is_down(app, schema, tmp_path):
    from tests.conftest import make_app

    make_user("noa@example.org")
    db.session.commit()
    redis_down = make_app(schema, tmp_path / "redis-down", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    try:
        assert log_in(redis_down.test_client(), "noa@example.org").status_code == 302
        guesser = redis_down.test_client()
        wrong = [log_in(guesser, "noa@example.org", "not the password").status_code for _ in range(11)]
        assert wrong == [400] * 10 + [429]  # counted in the process meanwhile
    finally:
        with redis_down.app_context():
            db.engine.dispose()  # its pooled connections, before the fixture empties the tables


def copy_cookies(source, target) -> None:
    """What someone who copied a browser's cookies has: the same cookies in another browser."""
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_a_copy_of_the_cookies_taken_before_logout_opens_nothing_after(app, client, two_communities):
    page = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": "reader@example.org",
                                     "password": PASSWORD, "remember": "y"})
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/reports/").status_code == 200  # the copy works while the login lasts
    page = client.get("/reports/").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    assert thief.get("/reports/").status_code == 302  # ended on the server: the session copy
    thief.delete_cookie("session")
    assert thief.get("/reports/").status_code == 302  # and the remember cookie copy


def test_deactivating_an_account_ends_every_login_it_has(app, client, two_communities):
    from app.models import User
    from app.services import accounts

    log_in(client, "reader@example.org")
    assert client.get("/reports/").status_code == 200
    accounts.deactivate(db.session.query(User).filter_by(email="reader@example.org").one())
    db.session.commit()
    assert client.get("/reports/").status_code == 302
    assert log_in(app.test_client(), "reader@example.org").status_code == 400


def test_a_login_is_kept_on_the_server_only_as_a_keyed_hash(client, two_communities):
    from app.models import Login

    log_in(client, "reader@example.org")
    login = db.session.query(Login).one()
    assert login.ended_at is None and len(login.token_hash) == 64
    session_cookie = client.get_cookie("session").value
    assert login.token_hash not in session_cookie


@pytest.mark.parametrize("target", ["/reports/%0d%0aSet-Cookie:%20x=1", "/%0aLocation:%20http://evil.example",
                                    "/\\evil.example"])
def test_a_next_with_a_line_break_or_a_backslash_leads_to_the_person_s_work_not_to_an_error(client, two_communities, target):
    page = client.get(f"/auth/login?next={target}")
    assert page.status_code == 200
    response = client.post(f"/auth/login?next={target}", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "north@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/coordinate/"


def test_wrong_passwords_from_anywhere_do_not_lock_out_a_device_that_logged_in_before(app, client, two_communities):
    owner = {"environ_base": {"REMOTE_ADDR": "192.0.2.10"}}
    log_in(client, "north@example.org", **owner)  # the owner's laptop: it gets the device cookie
    page = client.get("/coordinate/", **owner).get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)}, **owner)
    attacker = app.test_client()
    tries = [log_in(attacker, "north@example.org", "guessed wrong",
                    environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}).status_code for n in range(11)]
    assert tries[-1] == 429  # from many addresses: the account's address is locked for them
    elsewhere = app.test_client()
    assert log_in(elsewhere, "north@example.org", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 429
    assert log_in(client, "north@example.org", **owner).status_code == 302  # the owner's own device is not
    stolen = app.test_client()  # the device cookie vouches for its own account only
    stolen.set_cookie("cg_device", client.get_cookie("cg_device").value)
    for n in range(11):
        last = log_in(stolen, "reader@example.org", "guessed wrong", environ_base={"REMOTE_ADDR": f"198.18.0.{n}"})
    assert last.status_code == 429
