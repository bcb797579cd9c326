from app.domain.mail_failures import NOT_CONFIGURED_ERROR, FailureReason, reason_of, reasons_counted


def test_each_recorded_error_is_read_as_the_reason_a_coordinator_can_act_on():
    assert reason_of(NOT_CONFIGURED_ERROR) is FailureReason.NOT_CONFIGURED
    assert reason_of("ConnectionRefusedError: [Errno 111] Connection refused") is FailureReason.UNREACHABLE
    assert reason_of("gaierror: [Errno -2] Name or service not known") is FailureReason.UNKNOWN_HOST
    assert reason_of("SMTPAuthenticationError: (535, b'5.7.8 bad credentials')") is FailureReason.LOGIN_REFUSED
    assert reason_of("SMTPRecipientsRefused: {'<address>': (550, b'no such user')}") is FailureReason.ADDRESS_REFUSED
    assert reason_of("not queued: OperationalError") is FailureReason.NOT_QUEUED
    assert reason_of("KeyError: 'x'") is FailureReason.OTHER
    assert reason_of(None) is FailureReason.OTHER


def test_reasons_are_counted_most_frequent_first():
    errors = ["ConnectionRefusedError: refused"] * 3 + [NOT_CONFIGURED_ERROR] * 5 + ["KeyError: x"]
    assert reasons_counted(errors) == [(FailureReason.NOT_CONFIGURED, 5), (FailureReason.UNREACHABLE, 3),
                                       (FailureReason.OTHER, 1)]
