"""One scripted fake SES behind regions.ses.SesApi, for tests that need no emulator.

Install it with the `fake_ses` fixture (tests/conftest.py), which points
regions.ses.client_for at it. Every call is recorded in `calls` as
(operation, region, *arguments); a test scripts the answers:

- `error = SesError(...)`: every operation raises it; `errors[operation]` or
  `errors[operation, region]`: that operation raises (everywhere, or in one region);
- `identities`: what list_identities returns; `details[name]`: what get_identity returns;
- `account`: what get_account returns (None: raise NotFoundException, as an account SES
  cannot read); put_account_details starts a review per region, then answers Conflict;
- `dkim_tokens(region, name)`: the tokens create_identity reports for a domain;
- `endpoints[region]`: the global endpoints list_multi_region_endpoints returns there (their
  primary region; none by default);
- `recommendations[region]`: what list_recommendations (VDM's open advice) returns there
  (none by default; the sync asks only where `account.vdm_enabled`).

The end-to-end behaviour of SES (lifecycles, wire formats) is the emulator's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from regions.ses_api import SesApi
from regions.ses_types import (
    AccountState,
    DkimAttributes,
    IdentityDetails,
    IdentitySummary,
    MailFromAttributes,
    MultiRegionEndpoint,
    Recommendation,
    SesError,
    VerificationAttributes,
)

CONFLICT_TEXT = "A review of your production access request is already in progress."
SANDBOX = AccountState(
    production_access_enabled=False,
    sending_enabled=True,
    enforcement_status="HEALTHY",
    max_24_hour_send=200.0,
    max_send_rate=1.0,
    sent_last_24_hours=0.0,
)


class FakeSes:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.error: Exception | None = None
        self.errors: dict[str | tuple[str, str], Exception] = {}
        self.identities: list[IdentitySummary] = []
        self.details: dict[str, IdentityDetails] = {}
        self.account: AccountState | None = SANDBOX
        self.reviews: dict[str, tuple[str, str]] = {}  # region -> (review status, case id)
        self.endpoints: dict[str, list[MultiRegionEndpoint]] = {}  # primary region -> its own
        self.recommendations: dict[str, list[Recommendation]] = {}  # region -> VDM's open ones

    def client_for(self, account: Any, region_code: str) -> SesApi:
        return FakeClient(self, region_code)

    def dkim_tokens(self, region: str, name: str) -> tuple[str, ...]:
        return tuple(f"{region}-{x}" for x in "abc")

    def ops(self, operation: str) -> list[tuple]:
        """The recorded calls of one operation, without its name."""
        return [c[1:] for c in self.calls if c[0] == operation]


class FakeClient:
    """One account-region's view of the fake (SesApi)."""

    def __init__(self, fake: FakeSes, region_code: str) -> None:
        self.fake, self.region_code = fake, region_code
        self.calls = 0
        self.throttled = 0

    def _call(self, operation: str, *args: object) -> None:
        self.calls += 1
        self.fake.calls.append((operation, self.region_code, *args))
        fake = self.fake
        error = fake.errors.get((operation, self.region_code)) or fake.errors.get(operation)
        if error or fake.error:
            raise error or fake.error

    def get_account(self) -> AccountState:
        self._call("get_account")
        if self.fake.account is None:
            raise SesError("NotFoundException", "no GetAccount here", permanent=True)
        status, case_id = self.fake.reviews.get(self.region_code, ("", ""))
        return replace(self.fake.account, review_status=status, review_case_id=case_id)

    def put_account_details(self, **kwargs: Any) -> None:
        self._call("put_account_details", kwargs)
        if self.fake.reviews.get(self.region_code, ("",))[0] == "PENDING":
            raise SesError("ConflictException", CONFLICT_TEXT, permanent=True, http_status=409)
        self.fake.reviews[self.region_code] = ("PENDING", f"case-{self.region_code}")

    def list_identities(self) -> list[IdentitySummary]:
        self._call("list_identities")
        return list(self.fake.identities)

    def get_verification_attributes(
        self, names: Iterable[str]
    ) -> dict[str, VerificationAttributes]:
        self._call("get_verification_attributes", list(names))
        return {}

    def get_dkim_attributes(self, names: Iterable[str]) -> dict[str, DkimAttributes]:
        self._call("get_dkim_attributes", list(names))
        return {}

    def get_mail_from_attributes(self, names: Iterable[str]) -> dict[str, MailFromAttributes]:
        self._call("get_mail_from_attributes", list(names))
        return {}

    def get_identity(self, name: str) -> IdentityDetails:
        self._call("get_identity", name)
        if name not in self.fake.details:
            raise SesError("NotFoundException", f"{name} does not exist", permanent=True)
        return self.fake.details[name]

    def create_identity(self, name: str, **kwargs: Any) -> IdentityDetails:
        self._call("create_identity", name, kwargs)
        domain = "@" not in name
        return IdentityDetails(
            name=name,
            kind="DOMAIN" if domain else "EMAIL_ADDRESS",
            verified_for_sending=False,
            dkim_signing_enabled=domain,
            dkim_status="PENDING" if domain else "",
            dkim_tokens=self.fake.dkim_tokens(self.region_code, name) if domain else (),
            dkim_origin=kwargs.get("dkim_origin") or ("AWS_SES" if domain else ""),
            dkim_signing_zone="dkim.amazonses.com" if domain else "",
        )

    def verify_email(self, address: str) -> None:
        self._call("verify_email", address)

    def list_multi_region_endpoints(self) -> list[MultiRegionEndpoint]:
        self._call("list_multi_region_endpoints")
        return list(self.fake.endpoints.get(self.region_code, ()))

    def list_recommendations(self) -> list[Recommendation]:
        self._call("list_recommendations")
        return list(self.fake.recommendations.get(self.region_code, ()))
