"""Browser tests: the app served on a free local port, driven by Debian's Chromium
through Playwright (executable_path; Playwright never downloads a browser here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import ROOT, need
from tests.factories import load_fixture_bank, make_community, make_group, make_link, make_round
from tests.helpers import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
# Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with serving(app) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    page = context.new_page()
    refused = watch_for_refusals(page)
    yield page
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def watch_for_refusals(page) -> list[str]:
    """What the browser refused under the pages' Content-Security-Policy (an inline style or
    script, another host): a list that must stay empty."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


@pytest.fixture
def link(app):
    """A public link of an open round of the test survey, for the youth group of a community
    that answers in English and Hebrew."""
    community = make_community("harbour", languages=("en", "he"), name="Harbour Quarter")
    youth = make_group(community, "youth", name="Young people", name_translations={"he": "צעירים"})
    link = make_link(make_round(community, load_fixture_bank(), groups=[youth]), youth)
    db.session.commit()
    return link


def screenshot(page, name: str) -> Path:
    """Keep a picture of what the user saw, as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
