"""Route 53 errors sorted permanent (never retried) or transient (worth another try)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from regions.route53_types import classify


def _error(code: str, status: int) -> ClientError:
    body = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(body, "ChangeResourceRecordSets")


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("InvalidChangeBatch", 400, True),
        ("NoSuchHostedZone", 404, True),
        ("AccessDenied", 403, True),
        ("Throttling", 400, False),
        ("PriorRequestNotComplete", 400, False),  # a 400 that waiting cures
        ("ServiceUnavailable", 503, False),
        ("SomethingNew", 500, False),
        ("SomethingNew", 400, True),
    ],
)
def test_it_sorts_errors(code: str, status: int, permanent: bool) -> None:
    err = classify(_error(code, status), "x")
    assert (err.code, err.permanent, err.http_status) == (code, permanent, status)
    assert err.operation == "ChangeResourceRecordSets"


def test_the_message_says_what_happened_in_words() -> None:
    text = str(classify(_error("InvalidChangeBatch", 400), "x"))
    assert (
        text
        == "ChangeResourceRecordSets: Route 53 refused the change batch (nothing was changed) (m)"
    )
