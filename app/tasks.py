"""Celery tasks: thin wrappers that take ids, call a service and commit."""

from __future__ import annotations

import smtplib
import time
from contextlib import nullcontext

from celery import shared_task
from celery.utils.log import get_task_logger
from celery.utils.time import get_exponential_backoff_interval
from flask import current_app
from kombu.exceptions import KombuError
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import MailStatus, Round, utcnow
from app.services import accounts, audit, invitations, mail, report_queue, report_releases, results, rounds

logger = get_task_logger(__name__)
BROKER_DOWN = (KombuError, OSError)  # what queueing a task raises when the broker is down or unreachable


@shared_task(name="app.tasks.apply_round_schedule", ignore_result=True)
def apply_round_schedule() -> dict[str, list[int]]:
    """Open scheduled rounds and close finished ones on time; closed rounds get their final report."""
    opened, closed = rounds.apply_clock(utcnow())
    for round_id, action in [*((r, "opened_on_schedule") for r in opened), *((r, "closed_on_schedule") for r in closed)]:
        audit.record(action, community_id=db.session.get(Round, round_id).community_id, round_id=round_id)
    db.session.commit()
    for round_id in closed:
        request_report(round_id)
    return {"opened": opened, "closed": closed}


def request_report(round_id: int) -> bool:
    """Ask for a new report of the round: noted at once (pages say so), built by a worker.
    False when the broker is down: the request stays noted, and beat queues it once the
    broker is back (report_queue.rounds_needing_refresh)."""
    report_queue.request_build(round_id, utcnow())
    db.session.commit()
    try:
        build_report.delay(round_id)
    except BROKER_DOWN:
        current_app.logger.exception("could not queue the report build of round %s", round_id)
        return False
    return True


@shared_task(
    bind=True,
    name="app.tasks.build_report",
    ignore_result=True,
    autoretry_for=(OperationalError,),  # the database restarting or a connection dropped
    retry_backoff=True,
    max_retries=5,
)
def build_report(self, round_id: int) -> str:
    """Build and store the round's report, unless a build of it is running already, and make
    the release that is due (the round closed, or a coordinator published).

    Idempotent: building twice from the same responses stores the same figures. A build asked
    for while another runs is not lost: the running one sees the request when it finishes and
    queues one more.
    """
    started = utcnow()
    token = report_queue.acquire(round_id, started)
    db.session.commit()
    if token is None:
        return "busy"
    # The log says when each build of a round ran, on which worker: what an operator checks
    # when reports lag (and what the test of two workers reads).
    logger.info("report of round %s: building", round_id)
    try:
        # In a worker, the lease is renewed while the build runs; run in the web process (no
        # broker), the build ends with the request that asked for it.
        with report_queue.kept_alive(db.engine, round_id, token) if not self.request.is_eager else nullcontext():
            pause_for_fault_tests()
            report_releases.build_and_release(round_id, started)
        report_queue.release(round_id, token, utcnow())
        db.session.commit()
        logger.info("report of round %s: built in %.1f s", round_id, (utcnow() - started).total_seconds())
    except Exception as error:
        db.session.rollback()
        report_queue.release(round_id, token, utcnow(), error=f"{type(error).__name__}: {error}")
        db.session.commit()
        raise
    if report_queue.wanted_again(round_id, started):
        build_report.delay(round_id)
    return "built"


def pause_for_fault_tests() -> None:
    """REPORT_BUILD_PAUSE_SECONDS (0 but in the fault tests): hold a build after it took its
    lock, so that a test can kill its worker in the middle of it."""
    pause = current_app.config["REPORT_BUILD_PAUSE_SECONDS"]
    if pause:
        time.sleep(pause)


@shared_task(name="app.tasks.recover_abandoned_builds", ignore_result=True)
def recover_abandoned_builds() -> list[int]:
    """Ask again for every build whose worker died (its lease ran out): within about a minute,
    a living worker builds it."""
    abandoned = report_queue.recover_abandoned(utcnow())
    db.session.commit()
    for round_id in abandoned:
        request_report(round_id)
    return abandoned


@shared_task(name="app.tasks.refresh_open_reports", ignore_result=True)
def refresh_open_reports() -> list[int]:
    """Ask for a build of every open round whose responses changed since its last report, and
    of every asked-for build that never began. Asked for like any other build, so that pages
    say a newer report is on its way, and a build running now builds once more when it ends
    (it began before these responses arrived)."""
    if report_releases.refresh_outdated():  # releases an earlier version made, in today's format
        db.session.commit()
    due = report_queue.rounds_needing_refresh(utcnow())
    for round_id in due:
        request_report(round_id)
    return due


# --- Account mails: password resets, and new members choosing their password ------------------


@shared_task(bind=True, name="app.tasks.send_account_mail", ignore_result=True, max_retries=5)
def send_account_mail(self, mail_log_id: int):
    """Send a password-reset or account mail; its MailLog row ends SENT, SKIPPED or FAILED.

    A failing mail server is tried again after 30 s, 1, 2, 4 and 8 minutes; the last failure
    marks the row FAILED instead of raising, so nothing is left half done.
    """
    final_attempt = self.request.retries >= self.max_retries
    try:
        status = accounts.send_account_mail(mail_log_id, current_app.config, final_attempt=final_attempt)
    except Exception as error:  # a bug, not the mail server: retrying would not help
        db.session.rollback()
        accounts.give_up_on(mail_log_id, error)
        db.session.commit()
        raise
    db.session.commit()  # the attempt is counted even when it failed
    if status is MailStatus.QUEUED:
        countdown = get_exponential_backoff_interval(30, self.request.retries, 600)
        # With a worker, raise Retry (the retry is queued). Without a broker (tasks run eagerly,
        # in-process) return it: Celery then runs the retry at once instead of raising it into
        # the web request.
        return self.retry(countdown=countdown, throw=not self.request.is_eager)
    return status.value


def hand_mails_to_workers(task, mail_log_ids: list[int]) -> int:
    """Queue one `task` per mail log row (committed first, so the worker finds it); how many
    could not be queued because the broker is down. Those are marked failed ("not queued"),
    not left queued for a worker that will never get them, so that asking again queues them."""
    for position, mail_log_id in enumerate(mail_log_ids):
        try:
            task.delay(mail_log_id)
        except BROKER_DOWN as error:
            current_app.logger.exception("could not queue mail %s", mail_log_id)
            db.session.rollback()
            invitations.forget_queued(mail_log_ids[position:], f"not queued: {type(error).__name__}")
            db.session.commit()
            return len(mail_log_ids) - position
    return 0


def hand_over_account_mail(mail_log_id: int) -> bool:
    """Queue send_account_mail; False when the broker is down (the caller tells the person
    what to do instead)."""
    return hand_mails_to_workers(send_account_mail, [mail_log_id]) == 0


# --- Personal invitations: invitation and reminder mails, erasing contact details -------------

MAIL_MAX_RETRIES = 5


def mail_retry_countdown(retries: int) -> int:
    """Seconds before the next try: 5 s, 20 s, 80 s, 5 min, 21 min; a hiccup is over quickly,
    a mail server being restarted has half an hour (invitations.STALE_QUEUED is longer)."""
    return 5 * 4 ** retries


@shared_task(bind=True, name="app.tasks.send_invitation_mail", ignore_result=True, max_retries=MAIL_MAX_RETRIES)
def send_invitation_mail(self, mail_log_id: int) -> str:
    """Send one invitation or reminder in the invitee's language; its MailLog row ends SENT,
    SKIPPED (unsubscribed, answered, erased, round closed) or FAILED after the last retry."""
    attempt = invitations.begin_attempt(mail_log_id, utcnow())
    db.session.commit()  # the attempt counts even if the worker dies while sending
    if attempt is None:
        return "skipped"
    try:
        message = invitations.message_for(attempt)
        mail.deliver(message, current_app.config)
    except (smtplib.SMTPException, OSError) as error:
        final = self.request.retries >= self.max_retries or isinstance(error, mail.MailNotConfigured)
        invitations.mark_failed(mail_log_id, error, final=final)
        db.session.commit()
        if final:
            return "failed"
        # Without a broker (eager, in-process) the retry is returned, and Celery runs it at once
        # instead of raising it into the web request.
        return self.retry(exc=error, countdown=mail_retry_countdown(self.request.retries),
                          throw=not self.request.is_eager)
    except Exception as error:  # a bug, not the mail server: retrying would not help
        db.session.rollback()
        invitations.mark_failed(mail_log_id, error, final=True)
        db.session.commit()
        raise
    invitations.mark_sent(attempt, utcnow())
    db.session.commit()
    return "sent"


@shared_task(name="app.tasks.erase_expired_contacts", ignore_result=True)
def erase_expired_contacts() -> int:
    """Daily: forget invitees' addresses once their round has been closed for the retention period."""
    erased = invitations.erase_expired_contacts(utcnow())
    db.session.commit()
    return erased


# --- Results back to citizens: the one mail to those who asked to be told -------------------


def request_results_notice(round_id: int) -> bool:
    """Queue notify_results for a round whose results were just published; False when the
    broker is down (the addresses stay, and saving the published page again queues it)."""
    try:
        notify_results.delay(round_id)
    except BROKER_DOWN:
        current_app.logger.exception("could not queue the results notice of round %s", round_id)
        return False
    return True


@shared_task(bind=True, name="app.tasks.notify_results", ignore_result=True, max_retries=MAIL_MAX_RETRIES)
def notify_results(self, round_id: int) -> str:
    """Write once to everyone who asked to be told when the round's results appear, in all the
    round's languages, and delete each address as soon as its message is sent, or when its
    last try has failed: used once, then erased. When some could not be sent, the run is
    retried later for those (and any who signed up meanwhile). Run twice, the second run finds
    nobody left and sends nothing."""
    survey_round = db.session.get(Round, round_id)
    if survey_round is None or not results.is_published(survey_round):
        return "not_published"  # withdrawn before the mail went: the addresses wait for the next publication
    final = self.request.retries >= self.max_retries
    sent, waiting = tell_each_subscriber(survey_round, final)
    if waiting:
        # Without a broker (eager, in-process) the retry is returned, and Celery runs it at once
        # instead of raising it into the web request.
        return self.retry(countdown=mail_retry_countdown(self.request.retries), throw=not self.request.is_eager)
    results.mark_notified(round_id, utcnow())
    db.session.commit()
    return f"sent {sent}"


def tell_each_subscriber(survey_round: Round, final: bool) -> tuple[int, bool]:
    """How many were written to, and whether some addresses wait for a later try. Each address
    is committed on its own, so a worker that dies midway has deleted exactly those it wrote to.

    A refused address does not hold up the others; a server that cannot be reached or refuses
    the login stops the run (each try would wait for it again), unless this is the last try:
    then every address is tried, and deleted whatever happens.
    """
    notice, round_id = results.notice_of(survey_round), survey_round.id  # written once, for everyone
    sent, tried = 0, set()
    while (subscriber := results.next_to_notify(round_id, tried)) is not None:
        try:
            mail.deliver(notice.to(subscriber.email), current_app.config)
        except (smtplib.SMTPException, OSError) as error:
            # The log names no address (SMTP errors quote them), as the mail log does not.
            logger.warning("results notice of round %s not sent: %s", round_id,
                           invitations.ADDRESS_IN_TEXT.sub("<address>", f"{type(error).__name__}: {error}"))
            final = final or isinstance(error, mail.MailNotConfigured)  # trying again will not help
            tried.add(subscriber.id)
            if final:
                results.forget(subscriber)
            db.session.commit()  # and the row's lock is let go
            if not final and not isinstance(error, smtplib.SMTPRecipientsRefused):
                return sent, True
            continue
        except Exception:  # a bug, not the mail server: the address stays for a run that works
            db.session.rollback()
            raise
        results.forget(subscriber)
        db.session.commit()
        sent += 1
    return sent, bool(tried) and not final
