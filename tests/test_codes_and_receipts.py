"""Respondents' codes: out of anything the client can read back, and one working receipt
however many times Send is pressed at once."""

from __future__ import annotations

import base64
import re
import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.extensions import db
from app.models import Response, ResponseStatus
from tests.conftest import need, postgres_url
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round
from tests.helpers import csrf_token, serving
from tests.test_answering_flow import SCREEN_1, SCREEN_2, SCREEN_3, SCREEN_4, SHOWN_CODE, answer_all, submit

RESUME_SHOWN = re.compile(r'<strong class="token" dir="ltr">([2-9A-Z]{5}-[2-9A-Z]{5})</strong>')


def readable(cookie_value: str) -> str:
    """What anyone holding the cookie can read of it: the text itself, and, for Flask's signed
    session, its (possibly compressed) base64 payload."""
    payload = cookie_value.lstrip(".").split(".")[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        raw = zlib.decompress(raw) if cookie_value.startswith(".") else raw
        return cookie_value + raw.decode("utf-8", "replace")
    except (ValueError, zlib.error):
        return cookie_value


def test_neither_the_resume_code_nor_the_receipt_can_be_read_from_the_cookies(client, link):
    answer_all(client, link)
    screen = client.get(f"/s/{link.token}/q/1").get_data(as_text=True)
    resume_code = RESUME_SHOWN.search(screen).group(1)  # shown to the respondent on every screen
    thanks = client.get(submit(client, link).headers["Location"]).get_data(as_text=True)
    receipt = SHOWN_CODE.search(thanks).group(1)
    cookies = " ".join(readable(c.value) for c in client._cookies.values())
    for code in (resume_code, receipt):
        assert code not in cookies and code.replace("-", "") not in cookies.replace("-", "")
    # The sealed cookie still does its work: the same phone sees its thanks page again.
    assert receipt in client.get(f"/s/{link.token}/thanks").get_data(as_text=True)


def test_a_receipt_shown_on_the_thanks_page_withdraws_the_answers(client, link):
    answer_all(client, link)
    thanks = client.get(submit(client, link).headers["Location"]).get_data(as_text=True)
    receipt = SHOWN_CODE.search(thanks).group(1)
    form = client.get("/withdraw").get_data(as_text=True)
    client.post("/withdraw", data={"csrf_token": csrf_token(form), "code": receipt})
    assert db.session.query(Response).count() == 0


@pytest.fixture
def served(app):
    with serving(app) as base:
        yield base


def post(browser: httpx.Client, url: str, data: dict) -> httpx.Response:
    token = csrf_token(browser.get(url).text)
    return browser.post(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("attempt", range(5))
def test_five_taps_on_send_at_once_all_show_the_one_receipt_that_works(served, link, attempt):
    need(postgres_url() is not None, "concurrent writes need PostgreSQL (SQLite takes one writer at a time)")
    base = f"{served}/s/{link.token}"
    with httpx.Client(follow_redirects=False) as phone:
        start = phone.post(f"{base}/start", data={"csrf_token": csrf_token(phone.get(base).text)})
        assert start.status_code == 302
        for number, answers in enumerate((SCREEN_1, SCREEN_2, SCREEN_3, SCREEN_4), start=1):
            assert post(phone, f"{base}/q/{number}", {"move": "next", **answers}).status_code == 302
        review_token = csrf_token(phone.get(f"{base}/review").text)
        cookies = dict(phone.cookies)

    def tap(_: int) -> str | None:
        with httpx.Client(cookies=cookies, follow_redirects=True) as same_phone:
            page = same_phone.post(f"{base}/submit", data={"csrf_token": review_token}).text
            found = SHOWN_CODE.search(page)
            return found.group(1) if found else None

    with ThreadPoolExecutor(max_workers=5) as pool:
        receipts = list(pool.map(tap, range(5)))
    assert len(set(receipts)) == 1 and receipts[0] is not None, receipts
    db.session.expire_all()
    assert db.session.query(Response).filter_by(status=ResponseStatus.COMPLETE).count() == 1
    with httpx.Client() as anyone:
        form = csrf_token(anyone.get(f"{served}/withdraw").text)
        assert "deleted" in anyone.post(f"{served}/withdraw", data={"csrf_token": form, "code": receipts[0]}).text
    db.session.expire_all()
    assert db.session.query(Response).count() == 0


@pytest.fixture
def link(app):
    community = make_community("harbour", languages=("en", "he"))
    youth = make_group(community, "youth", name="Young people")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth])
    made = make_link(survey_round)
    db.session.commit()
    return made


def test_the_session_cookie_holds_no_code_as_json(client, link):
    answer_all(client, link)
    session = client.get_cookie("session")
    text = readable(session.value) if session else ""
    assert "resume_code" not in text and "receipt" not in text
