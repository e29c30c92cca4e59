"""Route53Error: any failure of a Route 53 call, sorted permanent (do not retry) or transient."""

from __future__ import annotations

from botocore.exceptions import ClientError

from regions.aws_global import AwsError, sort_client_error
from regions.dns_types import DnsProviderError

# Route 53 answers these with HTTP 400 although waiting helps: they are transient.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "PriorRequestNotComplete",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
    }
)
_FRIENDLY = {
    "AccessDenied": "access denied: the AWS credentials may not call Route 53 here",
    "NoSuchHostedZone": "no such hosted zone in this account",
    "InvalidChangeBatch": "Route 53 refused the change batch (nothing was changed)",
    "Throttling": "Route 53 throttled the request",
    "PriorRequestNotComplete": "Route 53 is still applying an earlier change to this zone",
    "ConnectionError": "Route 53 could not be reached",
}


class Route53Error(DnsProviderError, AwsError):
    """A Route 53 call that failed: the provider-neutral error the publish flow catches,
    told and sorted like every AWS client's (regions.aws_global.AwsError)."""

    friendly = _FRIENDLY


def classify(exc: ClientError, operation: str) -> Route53Error:
    return sort_client_error(exc, operation, transient_codes=TRANSIENT_CODES, error=Route53Error)
