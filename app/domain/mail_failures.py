"""Why a mail failed, in words a coordinator can act on.

The mail log keeps the last error as "<exception class>: <its text>" (addresses taken out).
Coordinators do not read Python exceptions: each known kind of failure is named here by a
reason, and the pages say what the reason means and whom to ask.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable


class FailureReason(enum.Enum):
    NOT_CONFIGURED = "not_configured"  # no MAIL_SERVER: nothing was tried
    UNREACHABLE = "unreachable"  # nothing answered at MAIL_SERVER:MAIL_PORT
    UNKNOWN_HOST = "unknown_host"  # MAIL_SERVER's name does not resolve
    TIMEOUT = "timeout"
    LOGIN_REFUSED = "login_refused"  # MAIL_USERNAME / MAIL_PASSWORD
    SENDER_REFUSED = "sender_refused"  # MAIL_DEFAULT_SENDER not allowed by the server
    ADDRESS_REFUSED = "address_refused"  # the invitee's address
    NOT_QUEUED = "not_queued"  # the background workers could not be reached
    OTHER = "other"


NOT_CONFIGURED_ERROR = "MailNotConfigured: no MAIL_SERVER is set"

_BY_CLASS = {
    "MailNotConfigured": FailureReason.NOT_CONFIGURED,
    "ConnectionRefusedError": FailureReason.UNREACHABLE,
    "SMTPConnectError": FailureReason.UNREACHABLE,
    "SMTPServerDisconnected": FailureReason.UNREACHABLE,
    "gaierror": FailureReason.UNKNOWN_HOST,
    "TimeoutError": FailureReason.TIMEOUT,
    "timeout": FailureReason.TIMEOUT,
    "SMTPAuthenticationError": FailureReason.LOGIN_REFUSED,
    "SMTPNotSupportedError": FailureReason.LOGIN_REFUSED,
    "SMTPSenderRefused": FailureReason.SENDER_REFUSED,
    "SMTPRecipientsRefused": FailureReason.ADDRESS_REFUSED,
}


def reason_of(last_error: str | None) -> FailureReason:
    """The reason recorded in a mail log's `last_error`."""
    text = (last_error or "").strip()
    if text.startswith("not queued"):
        return FailureReason.NOT_QUEUED
    return _BY_CLASS.get(text.partition(":")[0].strip(), FailureReason.OTHER)


def reasons_counted(last_errors: Iterable[str | None]) -> list[tuple[FailureReason, int]]:
    """Each reason with how many mails failed for it, the most frequent first."""
    counts = Counter(reason_of(error) for error in last_errors)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].value))
