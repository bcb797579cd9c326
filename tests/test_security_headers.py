"""Security headers on every kind of page and download: citizens', coordinators', reports,
posters, QR codes, PDF, CSV and XLSX, errors, the stylesheet."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Role, RoundStatus
from tests.conftest import make_app
from tests.factories import make_link, make_user
from tests.helpers import csrf_token, log_in
from tests.report_data import publish_report, seed_round


@pytest.fixture
def pages(app):
    data = seed_round()
    community = data.round.community
    make_user("coordinator@example.org", memberships=[(community, Role.COORDINATOR)])
    link = make_link(data.round, data.groups["youth"])
    publish_report(data.round.id)
    db.session.commit()
    round_id = data.round.id
    public = [f"/s/{link.token}", f"/s/{link.token}/resume", "/withdraw", "/", "/auth/login", "/auth/reset",
              "/static/app.css", "/no-such-page", "/healthz"]
    signed_in = ["/coordinate/", f"/coordinate/rounds/{round_id}", f"/coordinate/rounds/{round_id}/links",
                 f"/coordinate/links/{link.id}/poster", f"/coordinate/links/{link.id}/qr.svg",
                 f"/coordinate/links/{link.id}/qr.png", f"/coordinate/rounds/{round_id}/invitations",
                 f"/coordinate/rounds/{round_id}/dashboard", "/reports/", f"/reports/rounds/{round_id}",
                 f"/reports/rounds/{round_id}/groups/youth", f"/reports/rounds/{round_id}/report.pdf",
                 f"/reports/rounds/{round_id}/report.csv", f"/reports/rounds/{round_id}/report.xlsx",
                 f"/reports/rounds/{round_id}/responses.csv", "/auth/password"]
    return public, signed_in


def assert_protected(response, url: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in policy, f"{url}: {directive} missing from {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), url
    assert "camera=()" in headers.get("Permissions-Policy", ""), url


def test_every_kind_of_page_and_download_carries_the_security_headers(client, pages):
    public, signed_in = pages
    for url in public:
        assert_protected(client.get(url, buffered=True), url)
    log_in(client, "coordinator@example.org")
    for url in signed_in:
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
        assert_protected(response, url)


def test_strict_transport_security_is_sent_in_production_only(client, schema, tmp_path, pages):
    assert "Strict-Transport-Security" not in client.get("/").headers
    production = make_app(schema, tmp_path, ENV_NAME="production", HSTS_SECONDS=31536000)
    response = production.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_keep_me_logged_in_is_not_sent_with_requests_from_other_sites(client, pages):
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                "email": "coordinator@example.org", "password": "correct horse battery",
                                                "remember": "y"})
    remember = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert remember and "SameSite=Lax" in remember[0] and "HttpOnly" in remember[0]


def test_the_password_reset_page_keeps_its_stricter_referrer_policy(client, pages):
    assert client.get("/auth/reset/not-a-token").headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert client.get("/").headers["Referrer-Policy"] == "same-origin"


def test_a_closed_round_s_page_is_protected_too(client, app, pages):
    from app.models import Round

    survey_round = db.session.query(Round).one()
    survey_round.status = RoundStatus.CLOSED
    db.session.commit()
    link = survey_round.links[0]
    assert_protected(client.get(f"/s/{link.token}"), "closed")
