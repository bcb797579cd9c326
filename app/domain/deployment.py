"""Rules of deployment the app can check for itself.

Behind a reverse proxy (TRUSTED_PROXIES > 0), the app takes the client's address from the
X-Forwarded-For header the proxy sets: login and code limits count per client by it. A client
that reaches the app server directly can write that header itself, a new address each time,
and so never be limited. Hence the rule: with trusted proxies, the app server listens only
where the proxy alone can reach it (127.0.0.1, ::1, a unix socket), never on every address
(0.0.0.0, ::) or a public one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def proxy_warning(binds: Iterable[str], trusted_proxies: int) -> str | None:
    """A warning for the server's log when the rule above is broken, else None."""
    if trusted_proxies <= 0:
        return None
    exposed = [bind for bind in binds if _exposed(bind)]
    if not exposed:
        return None
    return (f"TRUSTED_PROXIES={trusted_proxies} but the server listens on {', '.join(exposed)}: a client that "
            "reaches it directly can forge X-Forwarded-For and escape the login and code limits. Bind to "
            "127.0.0.1 or a unix socket behind the proxy (or set TRUSTED_PROXIES=0).")


def _exposed(bind: str) -> bool:
    if bind.startswith(("unix:", "fd://")):
        return False
    host = bind.rsplit(":", 1)[0] if bind.count(":") == 1 or bind.startswith("[") else bind
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::", "*"):
        return True
    if host == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a host name: it may resolve to any address
    return not (address.is_loopback or address.is_private)
