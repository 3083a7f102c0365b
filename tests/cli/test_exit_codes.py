"""Exit codes follow the kind of error (its class), as --help documents them."""

from __future__ import annotations

import pytest

from operator_cli.exit_codes import EXIT_CODE_HELP, ExitCode, exit_code_for
from participant_data.errors import (
    ConfigurationError,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InvalidRequest("bad key"), ExitCode.USAGE),
        (PayloadTooLarge("too big"), ExitCode.USAGE),
        (InvalidRequest("Genesys said 400", code="genesys_rejected_input"), ExitCode.GENESYS_REFUSED),
        (PayloadTooLarge("Genesys said 413", code="genesys_payload_too_large"), ExitCode.GENESYS_REFUSED),
        (NotFound("no conversation"), ExitCode.NOT_FOUND),
        (NotFound("no customer", code="customer_not_found"), ExitCode.NOT_FOUND),
        (UpstreamRejected("401", code="genesys_credentials_rejected"), ExitCode.GENESYS_REFUSED),
        (UpstreamRejected("403", code="genesys_forbidden"), ExitCode.GENESYS_REFUSED),
        (RateLimited("429", retry_after=30), ExitCode.RETRYABLE),
        (UpstreamUnavailable("503"), ExitCode.RETRYABLE),
        (UpstreamTimeout("slow"), ExitCode.RETRYABLE),
        (ConfigurationError("no secret"), ExitCode.CONFIGURATION),
        (ServiceError("a bug"), ExitCode.UNEXPECTED),
    ],
)
def test_exit_code_follows_the_error_class(error: ServiceError, expected: ExitCode) -> None:
    assert exit_code_for(error) == expected


def test_every_exit_code_but_interrupted_is_documented() -> None:
    documented = {int(line.split()[0]) for line in EXIT_CODE_HELP.splitlines()[1:]}

    assert documented == {code.value for code in ExitCode} - {ExitCode.INTERRUPTED}
