"""The SesApi Protocol: what the app asks of SES in one account-region.

regions/ses.py's SesClient is the real one; tests put one scripted fake behind it
(tests/fake_ses.py) through `regions.ses.client_for`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Protocol

from regions import ses_types


class SesApi(Protocol):
    """What the app asks of SES in one account-region: SesClient is the real one; tests put
    one scripted fake behind it (tests/fake_ses.py) through `client_for`."""

    region_code: str

    @property
    def calls(self) -> int: ...  # HTTP attempts made (retries included)
    @property
    def throttled(self) -> int: ...
    def get_account(self) -> ses_types.AccountState: ...
    def put_account_details(
        self,
        *,
        mail_type: str,
        website_url: str,
        contact_language: str | None = None,
        use_case_description: str | None = None,
        additional_contacts: Iterable[str] | None = None,
        production_access: bool = True,
    ) -> None: ...
    def list_identities(self) -> Collection[ses_types.IdentitySummary]: ...
    def get_verification_attributes(
        self, names: Iterable[str]
    ) -> dict[str, ses_types.VerificationAttributes]: ...
    def get_dkim_attributes(self, names: Iterable[str]) -> dict[str, ses_types.DkimAttributes]: ...
    def get_mail_from_attributes(
        self, names: Iterable[str]
    ) -> dict[str, ses_types.MailFromAttributes]: ...
    def get_identity(self, name: str) -> ses_types.IdentityDetails: ...
    def create_identity(
        self,
        name: str,
        *,
        dkim_origin: str | None = None,
        byodkim_selector: str | None = None,
        byodkim_private_key: str | None = None,
    ) -> ses_types.IdentityDetails: ...
    def verify_email(self, address: str) -> None: ...
    def list_multi_region_endpoints(self) -> list[ses_types.MultiRegionEndpoint]: ...
    def list_recommendations(self) -> list[ses_types.Recommendation]: ...
