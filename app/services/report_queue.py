"""Asking for report builds, the lock that keeps them one at a time, and what pages say of them.

A build is asked for (request_build) by a coordinator, the round's clock, a withdrawal, beat's
periodic pass; a worker takes the round's lock (acquire) and keeps it alive with a short lease
that it renews while it builds (renew), so that a worker that dies mid-build holds nothing back
for long: once its lease has run out, beat asks for the build again (recover_abandoned), and
pages stop saying a report is being built. The counting itself is app.services.report_build.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, union, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.domain.report_model import PAYLOAD_FORMAT
from app.extensions import db
from app.models import (
    ReleaseKind,
    ReportBuild,
    ReportRelease,
    ReportSnapshot,
    Response,
    ResponseStatus,
    Round,
    RoundKind,
    RoundStatus,
    utcnow,
)

# A build holds the round's lock on a lease (REPORT_BUILD_LEASE_SECONDS, 45 by default) that it
# renews three times as often while it runs: a lease not renewed in time means its worker died,
# and the lock is free again.


def lease() -> timedelta:
    return timedelta(seconds=current_app.config["REPORT_BUILD_LEASE_SECONDS"])


def renew_every() -> timedelta:
    return lease() / 3


# -- the lock ---------------------------------------------------------------------------------


def request_build(round_id: int, now: datetime) -> None:
    """Note that a newer report is wanted (the page then says one is on its way)."""
    ensure_build_row(round_id)
    db.session.execute(update(ReportBuild).where(ReportBuild.round_id == round_id).values(requested_at=now))


def acquire(round_id: int, now: datetime) -> str | None:
    """Take the round's build lock; its token, or None when a live build holds it."""
    ensure_build_row(round_id)
    token = secrets.token_hex(16)
    taken = db.session.execute(
        update(ReportBuild)
        .where(ReportBuild.round_id == round_id, or_(ReportBuild.started_at.is_(None), _lease_over(now)))
        .values(started_at=now, lease_until=now + lease(), lock_token=token)
        .execution_options(synchronize_session=False)
    )
    return token if taken.rowcount == 1 else None


def _lease_over(now: datetime):
    """The lock's lease has run out (a row from before leases: its start is a lease ago)."""
    return or_(ReportBuild.lease_until < now,
               and_(ReportBuild.lease_until.is_(None), ReportBuild.started_at < now - lease()))


def renew(connection, round_id: int, token: str, now: datetime, length: timedelta | None = None) -> bool:
    """Extend the running build's lease, on a connection of its own (the build's transaction
    commits only at its end); False when the lock is no longer this build's. (A thread has no
    app: it passes the lease's `length`.)"""
    renewed = connection.execute(
        update(ReportBuild).where(ReportBuild.round_id == round_id, ReportBuild.lock_token == token)
        .values(lease_until=now + (length or lease())))
    return renewed.rowcount == 1


@contextmanager
def kept_alive(engine, round_id: int, token: str) -> Iterator[None]:
    """Renew the build's lease (a third of its length apart), from a thread, while the block runs."""
    done = threading.Event()
    every, length = renew_every().total_seconds(), lease()

    def keep_renewing() -> None:
        while not done.wait(every):
            try:
                with engine.begin() as connection:
                    if not renew(connection, round_id, token, utcnow(), length):
                        return
            except SQLAlchemyError:  # the database is away for a moment: try again next time
                continue

    thread = threading.Thread(target=keep_renewing, name=f"lease-{round_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=5)


def recover_abandoned(now: datetime) -> list[int]:
    """Rounds whose build lost its worker (the lease ran out): the lock is freed, the failure
    noted, and the build asked for again. Run by beat every few seconds (BEAT_SCHEDULE)."""
    abandoned = list(db.session.scalars(select(ReportBuild.round_id).where(
        ReportBuild.started_at.is_not(None), _lease_over(now))))
    for round_id in abandoned:
        db.session.execute(update(ReportBuild).where(ReportBuild.round_id == round_id, _lease_over(now)).values(
            started_at=None, lease_until=None, lock_token=None, failures=ReportBuild.failures + 1,
            last_error="the worker stopped in the middle of the build", requested_at=now))
    return abandoned


def release(round_id: int, token: str, now: datetime, error: str | None = None) -> bool:
    """Let go of the lock (only the holder can); record a failure. True if it was still ours."""
    values: dict[str, Any] = {"started_at": None, "lease_until": None, "lock_token": None, "finished_at": now}
    if error is not None:
        values |= {"failures": ReportBuild.failures + 1, "last_error": error[:300]}
    else:
        values |= {"failures": 0, "last_error": None}
    released = db.session.execute(
        update(ReportBuild)
        .where(ReportBuild.round_id == round_id, ReportBuild.lock_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return released.rowcount == 1


def wanted_again(round_id: int, started: datetime) -> bool:
    """Whether someone asked for a build after the one that started at `started`."""
    requested = db.session.scalar(select(ReportBuild.requested_at).where(ReportBuild.round_id == round_id))
    return requested is not None and requested > started


def ensure_build_row(round_id: int) -> None:
    if db.session.get(ReportBuild, round_id) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ReportBuild(round_id=round_id))
    except IntegrityError:
        pass  # another worker created it a moment ago: just as good


# -- status for the pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class BuildStatus:
    built_at: datetime | None
    response_count: int | None
    building: bool  # a live build holds the lock now (its lease has not run out)
    asked: bool  # a newer build has been asked for and waits for a worker
    failed: bool

    @property
    def under_way(self) -> bool:
        return self.building or self.asked


def build_status(round_id: int) -> BuildStatus:
    return build_statuses([round_id])[round_id]


def build_statuses(round_ids: list[int]) -> dict[int, BuildStatus]:
    """The build status of each round, in two queries however many rounds there are."""
    snapshots = {row.round_id: row for row in db.session.execute(
        select(ReportSnapshot.round_id, ReportSnapshot.built_at, ReportSnapshot.response_count)
        .where(ReportSnapshot.round_id.in_(round_ids)))}
    builds = {row.round_id: row for row in db.session.execute(
        select(ReportBuild.round_id, ReportBuild.started_at, ReportBuild.lease_until, ReportBuild.requested_at,
               ReportBuild.failures)
        .where(ReportBuild.round_id.in_(round_ids)))}
    now = utcnow()
    return {round_id: _status(snapshots.get(round_id), builds.get(round_id), now) for round_id in round_ids}


def _status(snapshot, build, now: datetime) -> BuildStatus:
    built_at = snapshot.built_at if snapshot else None
    until = (build.lease_until or build.started_at + lease()) if build is not None and build.started_at else None
    building = until is not None and until > now
    asked = build is not None and not building and build.requested_at is not None and (
        built_at is None or build.requested_at > built_at)
    return BuildStatus(built_at, snapshot.response_count if snapshot else None, building, asked,
                       failed=build is not None and build.failures > 0)


UNSERVED_REQUEST = timedelta(minutes=2)  # a build asked for this long ago and not begun was never queued


def rounds_needing_refresh(now: datetime) -> list[int]:
    """Rounds whose report should be built again: open rounds whose responses changed since
    their report was built (or that were never built), rounds of any status whose asked-for
    build never began (it could not be queued while the broker was down), rounds whose
    snapshot an earlier version of the app made (PAYLOAD_FORMAT), and rounds whose release is
    due and was never made (the build makes it, app.services.report_releases)."""
    latest = (
        select(Response.round_id, func.count().label("n"), func.max(Response.submitted_at).label("last"))
        .where(Response.status == ResponseStatus.COMPLETE)
        .group_by(Response.round_id)
        .subquery()
    )
    changed = (
        select(Round.id)
        .join(latest, latest.c.round_id == Round.id)
        .outerjoin(ReportSnapshot, ReportSnapshot.round_id == Round.id)
        .where(
            Round.status == RoundStatus.OPEN,
            or_(
                ReportSnapshot.id.is_(None),
                ReportSnapshot.response_count != latest.c.n,
                latest.c.last > ReportSnapshot.built_at,
            ),
        )
    )
    unserved = (
        select(ReportBuild.round_id)
        .outerjoin(ReportSnapshot, ReportSnapshot.round_id == ReportBuild.round_id)
        .where(
            ReportBuild.started_at.is_(None),
            ReportBuild.requested_at < now - UNSERVED_REQUEST,
            or_(ReportSnapshot.id.is_(None), ReportBuild.requested_at > ReportSnapshot.built_at),
        )
    )
    outdated = (  # built by an earlier version, whose snapshots lack what pages now read
        select(ReportSnapshot.round_id).where(ReportSnapshot.payload_format < PAYLOAD_FORMAT)
    )
    return sorted({round_id for (round_id,) in db.session.execute(
        union(changed, unserved, outdated, _unreleased()))})


def _unreleased():
    """Rounds whose release is due but was never made: closed since their last final release
    (closed before releases existed, say), or published by a coordinator since the last one."""
    latest = (select(ReportRelease.round_id, func.max(ReportRelease.released_at).label("at"),
                     func.max(case((ReportRelease.kind == ReleaseKind.FINAL, ReportRelease.released_at))).label("final"))
              .group_by(ReportRelease.round_id).subquery())
    return (
        select(Round.id)
        .outerjoin(latest, latest.c.round_id == Round.id)
        .outerjoin(ReportBuild, ReportBuild.round_id == Round.id)
        .where(Round.kind == RoundKind.ANONYMOUS, or_(
            and_(Round.status == RoundStatus.CLOSED,
                 or_(latest.c.final.is_(None), latest.c.final < Round.closed_at)),
            and_(ReportBuild.release_requested_at.is_not(None), ReportBuild.started_at.is_(None),
                 or_(latest.c.at.is_(None), latest.c.at < ReportBuild.release_requested_at)),
        ))
    )


