"""SES errors as the emulator raises them; server.py renders them per protocol."""

from __future__ import annotations

from typing import Any

# v2 (REST-JSON) exception name -> (HTTP status, v1 query-protocol code, v1 status).
# The v1 codes are the `error.code` values of botocore's ses model (or the usual AWS
# query codes for errors the model does not list).
_KNOWN: dict[str, tuple[int, str, int]] = {
    "BadRequestException": (400, "InvalidParameterValue", 400),
    # What AWS answers for a route no operation of the service serves (rest-json: 404
    # UnknownOperationException; query protocol: 400 InvalidAction).
    "UnknownOperationException": (404, "InvalidAction", 400),
    "NotFoundException": (404, "InvalidParameterValue", 400),
    "AlreadyExistsException": (400, "AlreadyExists", 400),
    "LimitExceededException": (400, "LimitExceeded", 400),
    "TooManyRequestsException": (429, "Throttling", 400),
    "ConflictException": (409, "Conflict", 409),
    "MessageRejected": (400, "MessageRejected", 400),
    "SendingPausedException": (400, "AccountSendingPausedException", 400),
    "AccountSuspendedException": (400, "AccountSendingPausedException", 400),
    "MailFromDomainNotVerifiedException": (400, "MailFromDomainNotVerifiedException", 400),
    "AccessDeniedException": (403, "AccessDenied", 403),
    "InternalFailure": (500, "InternalFailure", 500),
    "ServiceUnavailable": (503, "ServiceUnavailable", 503),
}


class SesError(Exception):
    """An answer SES itself would give; never a bug in the emulator."""

    def __init__(self, code: str, message: str, *, v1_code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        status, default_v1, v1_status = _KNOWN.get(code, (400, code, 400))
        self.status = status
        self.v1_code = v1_code or default_v1
        self.v1_status = v1_status

    @property
    def v1_type(self) -> str:
        return "Receiver" if self.v1_status >= 500 else "Sender"


def bad_request(message: str) -> SesError:
    return SesError("BadRequestException", message)


def unknown_operation(what: str) -> SesError:
    """An operation this endpoint does not serve: never NotFoundException, which clients
    read as "the identity does not exist"."""
    return SesError("UnknownOperationException", f"Unknown operation: {what}")


def not_found(message: str) -> SesError:
    return SesError("NotFoundException", message)


def page_size(value: Any, *, low: int, high: int = 1000) -> int:
    """A v2 listing's PageSize: 100 when absent, else an integer from `low` to `high` (the
    model's bounds differ by operation), or BadRequestException."""
    if value is None or value == "":
        return 100
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise bad_request("PageSize must be an integer.") from None
    if not low <= size <= high:
        raise bad_request(f"PageSize must be between {low} and {high}.")
    return size
