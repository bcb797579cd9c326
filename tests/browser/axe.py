"""Accessibility checks with axe-core (from the npm registry, installed by `make test`)."""

from __future__ import annotations

import json

from tests.conftest import ROOT, need

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
STANDARDS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[dict]:
    need(AXE.exists(), "axe-core is not installed (npm ci)")
    # Evaluated through the browser's debugging protocol, not added as a <script>: the pages'
    # Content-Security-Policy (app.http_headers) allows no script they did not serve.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        STANDARDS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where}:\n" + json.dumps(violations, indent=2)
