"""The baseline sesops is measured against: the sync anyone writes first.

Region after region, sequentially: GetAccount, ListEmailIdentities (all pages), then one
GetEmailIdentity per identity. It is not careless: it paces itself to the documented rate
(r requests/s per region) and lets botocore's standard retries absorb a throttle, so the
comparison is about how many calls it makes and that it does one region at a time, not
about being throttled. It writes nothing; it only fetches what a sync would need.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

FAKE_KEY = "AKIABENCHMARK0000000"
FAKE_SECRET = "benchmark-secret"


class Pacer:
    """At most `rps` calls per second from this caller (0 = no pacing)."""

    def __init__(self, rps: float) -> None:
        self.interval = 1.0 / rps if rps else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


@dataclass
class NaiveResult:
    regions: list[str]
    identities: int = 0
    wall_seconds: float = 0.0
    errors: int = 0  # calls that failed after botocore's retries
    throttling_errors: int = 0  # ...of which throttling
    details: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)


def _client(endpoint_url: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "sesv2",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=FAKE_KEY,
        aws_secret_access_key=FAKE_SECRET,
        config=Config(retries={"mode": "standard"}),
    )


def naive_sync(endpoint_url: str, region_codes: list[str], rps: float) -> NaiveResult:
    from botocore.exceptions import ClientError

    result = NaiveResult(list(region_codes))
    started = time.monotonic()

    def call(pacer: Pacer, fn: Any, **kw: Any) -> Any:
        pacer.wait()
        try:
            return fn(**kw)
        except ClientError as exc:
            result.errors += 1
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"TooManyRequestsException", "Throttling", "ThrottlingException"}:
                result.throttling_errors += 1
            return None

    for code in region_codes:
        client, pacer = _client(endpoint_url, code), Pacer(rps)
        call(pacer, client.get_account)
        names: list[str] = []
        token: str | None = None
        while True:
            kw: dict[str, Any] = {"PageSize": 1000}
            if token:
                kw["NextToken"] = token
            page = call(pacer, client.list_email_identities, **kw)
            if page is None:
                break
            names += [item["IdentityName"] for item in page.get("EmailIdentities", [])]
            token = page.get("NextToken")
            if not token:
                break
        for name in names:
            detail = call(pacer, client.get_email_identity, EmailIdentity=name)
            if detail is not None:
                result.details.setdefault(code, {})[name] = detail.get("VerificationStatus")
        result.identities += len(names)
    result.wall_seconds = time.monotonic() - started
    return result
