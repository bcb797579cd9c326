"""Run every benchmark and print the table and the BENCH lines.

Uses PostgreSQL when DATABASE_URL points at it (a scratch database `<name>_bench` is created
and dropped), otherwise a throwaway SQLite file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.extensions import db
from app.models import AccessLink, ResultsPublication, Round, RoundStatus, Survey
from bench.harness import Figure, median_ms, print_figures
from bench.load_bench import load_figures
from bench.outreach_bench import outreach_dashboard_figure
from bench.report_bench import export_figures, report_figures
from bench.worker_bench import worker_figures
from tests.helpers import csrf_token, log_in
from config import sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
RESPONSES = int(os.environ.get("BENCH_RESPONSES", "20000"))


@contextmanager
def scratch_database():
    raw = os.environ.get("DATABASE_URL")
    if raw and raw.startswith(("postgres://", "postgresql")):
        url = make_url(sqlalchemy_url(raw))
        scratch = url.set(database=f"{url.database.removesuffix('_test')}_bench")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
        try:
            yield scratch.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite"


def open_group_link() -> str:
    """A group's link into the demo's open citizens' round (the pages people really answer)."""
    return db.session.scalar(
        db.select(AccessLink.token).join(Round).join(Survey)
        .where(AccessLink.group_id.is_not(None), Round.status == RoundStatus.OPEN, Survey.key == "citizen_needs")
        .order_by(AccessLink.id).limit(1))


def page_figures(app) -> list[Figure]:
    """Server time of public pages against a minimal endpoint on the same stack."""
    app.add_url_rule("/bench/minimal", "bench_minimal", lambda: "ok")
    client = app.test_client()
    with app.app_context():
        token = open_group_link()
    floor = Figure("minimal_endpoint", median_ms(lambda: client.get("/bench/minimal"), 500), "ms")
    welcome = median_ms(lambda: client.get(f"/s/{token}"), 500)
    start_answering(client, token)
    question = median_ms(lambda: client.get(f"/s/{token}/q/2"), 500)
    return [floor, Figure("welcome_page", welcome, "ms", floor),
            Figure("question_page", question, "ms", floor)]


def start_answering(client, token: str) -> None:
    welcome = client.get(f"/s/{token}").get_data(as_text=True)
    client.post(f"/s/{token}/start", data={"csrf_token": csrf_token(welcome)})


def transferred_kib(client, path: str) -> float:
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, path
    return len(response.get_data()) / 1024


def report_page_figures(app, floor: Figure) -> list[Figure]:
    """Server time of the report pages a stakeholder reads first, for the demo's citizens' round
    of BENCH_RESPONSES responses: its overview (which also reads the previous round's and the
    partners' snapshots for its summaries) and its comparison with the previous round."""
    from app.services.demo import LOGINS

    email, password = next((e, p) for role, e, _, p in LOGINS if role.value == "stakeholder")
    client = app.test_client()
    log_in(client, email, password)
    with app.app_context():
        rounds = db.session.execute(
            db.select(Round.id, Round.community_id, Round.status).join(Survey).where(Survey.key == "citizen_needs")
            .order_by(Round.id)).all()
    latest = next(r for r in rounds if r.status == RoundStatus.OPEN)  # this year's, with last year's closed one
    previous = next(r.id for r in rounds if r.community_id == latest.community_id and r.status == RoundStatus.CLOSED)
    latest = latest.id
    pages = {"report_overview_page": f"/reports/rounds/{latest}",
             "report_compare_page": f"/reports/rounds/{latest}/compare/{previous}"}
    for path in pages.values():
        assert client.get(path).status_code == 200, path
    return [Figure(name, median_ms(lambda path=path: client.get(path), 100, warmup=5), "ms", floor)
            for name, path in pages.items()]


def byte_figures(app) -> list[Figure]:
    """What a phone downloads for each page type (gzip, as served), the stylesheet included."""
    client = app.test_client()
    with app.app_context():
        token = open_group_link()
    css = transferred_kib(client, "/static/app.css")
    pages = {"welcome": f"/s/{token}"}
    start_answering(client, token)
    pages |= {"question": f"/s/{token}/q/2", "review": f"/s/{token}/review"}
    figures = [Figure(f"{name}_page_bytes", transferred_kib(client, path) + css, "KiB")
               for name, path in pages.items()]
    # The public results page carries its own small stylesheet: a phone downloads that one.
    with app.app_context():
        published = db.session.scalar(db.select(ResultsPublication.round_id).order_by(ResultsPublication.round_id.desc()))
    results_css = transferred_kib(client, "/static/results.css")
    figures.append(Figure("results_page_bytes", transferred_kib(client, f"/results/{published}") + results_css, "KiB"))
    return figures


def citizens_under_load(app, database_url: str, instance: Path) -> list[Figure]:
    """The load benchmark through one web process, then two behind one address."""
    with app.app_context():
        token = open_group_link()
        db.engine.dispose()  # the web processes are forked afterwards: no connection shared
    return (load_figures(app, database_url, token, processes=1, work_dir=instance)
            + load_figures(app, database_url, token, processes=2, work_dir=instance))


def main() -> None:
    from app.services.demo import create_demo

    with scratch_database() as database_url, tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_DIR": Path(instance),
                          "SURVEYS_DIR": ROOT / "surveys", "IN_PROCESS_SCHEDULE": False})
        with app.app_context():
            upgrade()
            create_demo(ROOT / "surveys", RESPONSES, seed=1)
            db.session.commit()
        backend = make_url(database_url).get_backend_name()
        print(f"# {RESPONSES} responses stored, on {backend}\n")
        figures = page_figures(app) + byte_figures(app)
        figures += report_page_figures(app, floor=figures[0])  # figures[0]: the minimal endpoint
        if backend == "postgresql":
            figures.append(outreach_dashboard_figure(app, figures[0]))  # figures[0]: the minimal endpoint
            with app.app_context(), tempfile.TemporaryDirectory() as work_dir:
                figures += report_figures(Path(work_dir)) + export_figures(Path(work_dir))
                figures += worker_figures(database_url, Path(work_dir))
            figures += citizens_under_load(app, database_url, Path(instance))
        else:
            print("# report and export benchmarks need PostgreSQL (DATABASE_URL): skipped\n")
        with app.app_context():
            db.engine.dispose()
    print_figures(figures)


if __name__ == "__main__":
    main()
