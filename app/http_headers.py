"""Security headers on every response: what a browser may load, frame, send and remember.

CommonGround serves its own stylesheet and nothing else: no script, no other host, no inline
style. So the policy can be strict, and a page that ever tried more (an injected script, an
injected style, a form posting elsewhere, a frame around a coordinator's page) is refused by the
browser. A few lines rather than a library: Flask-Talisman would add HTTPS redirects and nonces
the app does not need, and the headers are easier to read here.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # none today; a script may only ever come from the app's own files
    "style-src 'self'",  # the stylesheet; no <style> element and no style="" attribute
    "img-src 'self' data:",  # QR codes; the empty "data:," favicon that spares a request
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",  # no page of ours inside another's frame (clickjacking)
])
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "interest-cohort",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that do not read CSP
    "X-Content-Type-Options": "nosniff",
    # Addresses carry survey tokens: other hosts never see them. Same-origin requests keep
    # theirs, which Flask-WTF checks on HTTPS form posts.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    hsts_seconds = app.config.get("HSTS_SECONDS", 0)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)  # a page may be stricter (the reset page: no-referrer)
        if hsts_seconds:  # production only: behind TLS, browsers then never try plain http
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        return response
