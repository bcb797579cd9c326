def test_healthz_reports_database_ok_and_eager_broker_without_redis(app, client):
    app.config["REDIS_URL"] = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "broker": "eager"}


def test_healthz_reports_broker_down_when_redis_does_not_answer(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200  # the database still answers
    assert response.get_json()["broker"] == "down"


def test_healthz_reports_broker_ok_with_a_real_redis(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    assert client.get("/healthz").get_json()["broker"] == "ok"


def app_without_database(instance_dir, **config):
    """The app with its database gone: nothing listens at the address."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none_test",
                       "INSTANCE_DIR": instance_dir, "REDIS_URL": None, **config})


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    response = app_without_database(tmp_path).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "down", "broker": "eager"}


def test_pages_say_briefly_unavailable_with_a_503_when_the_database_is_down(tmp_path):
    page = app_without_database(tmp_path).test_client().get("/s/AAAAAAAAAAA?lang=nl")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Even niet beschikbaar" in page.get_data(as_text=True)  # in the reader's language


def test_a_logged_in_person_also_gets_the_503_page_when_the_database_goes_down(app, client, tmp_path):
    from app.extensions import db
    from tests.factories import make_user
    from tests.helpers import log_in

    make_user("noa@example.org")
    db.session.commit()
    log_in(client, "noa@example.org")
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    database_down = app_without_database(tmp_path / "down", SECRET_KEY=app.config["SECRET_KEY"]).test_client()
    database_down.set_cookie(session.key, session.value)  # the same site, its database gone
    page = database_down.get("/reports/")
    assert page.status_code == 503
    assert "Briefly unavailable" in page.get_data(as_text=True)


def test_a_session_that_cannot_close_on_a_dead_connection_does_not_turn_the_page_into_an_error(
        client, app, monkeypatch):
    """While the database restarts, closing the request's session fails after the page was made:
    the page still reaches the browser (before, the server sent an empty 500)."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    real_close = Session.close
    failures = []

    def dead_close(self):
        real_close(self)  # the test's own connection goes back to the pool; the app sees only the failure
        if not failures:
            failures.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "close", dead_close)
    response = client.get("/healthz")  # it reads the database: its session has a connection to close
    assert response.status_code == 200 and failures
    assert client.get("/healthz").status_code == 200  # and the next request has a new session
