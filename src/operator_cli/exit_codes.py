"""The command's exit codes, decided by the kind of error (its class), never by its message."""

from __future__ import annotations

from enum import IntEnum

from participant_data.errors import (
    ConfigurationError,
    InvalidRequest,
    NotFound,
    ServiceError,
    UpstreamRejected,
)

# Codes the gateway gives InvalidRequest subclasses when Genesys itself refused the input (a 400 or 413
# answer): the input reached Genesys, so it is Genesys refusing, not our validation.
_GENESYS_PREFIX = "genesys_"


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2  # a usage error, or input refused by validation before any call to Genesys
    NOT_FOUND = 3  # conversation, participant, or customer participant
    GENESYS_REFUSED = 4  # credentials rejected, permission missing, another 4xx from Genesys
    RETRYABLE = 5  # rate limited, unavailable or timed out: the same command may work later
    CONFIGURATION = 6  # no credentials, the secret missing or invalid, a bad setting
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


def exit_code_for(error: ServiceError) -> ExitCode:
    if error.retryable:  # RateLimited, UpstreamUnavailable, UpstreamTimeout
        return ExitCode.RETRYABLE
    if isinstance(error, NotFound):
        return ExitCode.NOT_FOUND
    if isinstance(error, UpstreamRejected):
        return ExitCode.GENESYS_REFUSED
    if isinstance(error, InvalidRequest):
        return ExitCode.GENESYS_REFUSED if error.code.startswith(_GENESYS_PREFIX) else ExitCode.USAGE
    if isinstance(error, ConfigurationError):
        return ExitCode.CONFIGURATION
    return ExitCode.UNEXPECTED


# One line per code, for --help and docs/operator-cli.md.
EXIT_CODE_HELP = """\
exit codes:
  0  success
  1  unexpected error (a bug: run again with --verbose and report it)
  2  usage error, or input refused by the service's validation (nothing was sent to Genesys)
  3  not found: the conversation, the participant, or the conversation's customer participant
  4  Genesys refused: OAuth client credentials rejected, a permission missing (403), another 4xx
  5  worth retrying: rate limited (429), Genesys, Secrets Manager or the outbox unavailable, timed out
  6  configuration: no credentials, a bad setting, the secret or the outbox table/queue missing or unreadable
"""
