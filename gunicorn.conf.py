"""gunicorn's settings for CommonGround (read by `gunicorn` from the working directory)."""

import os


def on_starting(server):
    """Check the proxy rule at start (app.domain.deployment): warn when the server listens
    where clients reach it directly while the app trusts X-Forwarded-For."""
    from app.domain.deployment import proxy_warning

    warning = proxy_warning(server.cfg.bind, int(os.environ.get("TRUSTED_PROXIES") or 0))
    if warning:
        server.log.warning(warning)
