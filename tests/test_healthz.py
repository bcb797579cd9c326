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


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    from app import create_app

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none_test",
        "INSTANCE_DIR": tmp_path,
        "REDIS_URL": None,
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "down", "broker": "eager"}


def test_pages_say_briefly_unavailable_with_a_503_when_the_database_is_down(tmp_path):
    from app import create_app

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none_test",
        "INSTANCE_DIR": tmp_path,
        "REDIS_URL": None,
    })
    page = app.test_client().get("/s/AAAAAAAAAAA?lang=nl")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Even niet beschikbaar" in page.get_data(as_text=True)  # in the reader's language
