"""The proxy rule a deployment must keep (no app, no server)."""

from __future__ import annotations

import importlib.util
import logging

import pytest

from app.domain.deployment import proxy_warning
from tests.conftest import ROOT


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "[::]:8000", ":8000", "93.184.216.34:8000", "example.org:80"])
def test_trusting_a_proxy_while_listening_where_clients_reach_the_server_is_warned_about(bind):
    assert "X-Forwarded-For" in proxy_warning([bind], 1)


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "[::1]:8000", "localhost:8000", "unix:/run/cg.sock",
                                  "10.0.0.5:8000"])
def test_listening_only_behind_the_proxy_is_fine(bind):
    assert proxy_warning([bind], 1) is None


def test_without_trusted_proxies_nothing_is_forged_and_nothing_is_said():
    assert proxy_warning(["0.0.0.0:8000"], 0) is None


def test_gunicorn_logs_the_warning_at_start(monkeypatch, caplog):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)

    class Server:
        class cfg:
            bind = ["0.0.0.0:8000"]
        log = logging.getLogger("gunicorn.error")

    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    with caplog.at_level(logging.WARNING, logger="gunicorn.error"):
        conf.on_starting(Server)
    assert "TRUSTED_PROXIES=1" in caplog.text
