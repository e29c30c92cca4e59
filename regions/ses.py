"""The one boto3 chokepoint: SES clients per (account, region), answers mapped to dataclasses.

What the app may ask is declared in regions/ses_api.py (SesApi); the mapping of SES's
answers and errors to regions/ses_types.py lives in regions/ses_answers.py.

Everything that talks to SES goes through `client_for(account, region_code)`. Tests of other
parts fake SES here (monkeypatch `regions.ses.client_for`) or below (the emulator / moto).

- boto3 clients (v2 `sesv2` and v1 `ses`) are built once per (account, region) and shared
  by threads (botocore clients are thread-safe); credentials come from boto3's default chain
  or the account's named profile, and the account's role is assumed when set (refreshed
  before it expires). `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SESV2` are honoured by boto3.
- Every HTTP attempt, retries included, first waits for the shared per-region limiter
  (regions/ratelimit.py) and is counted on the `SesClient` that made it (`.calls`,
  `.throttled`).
- botocore `standard` retries (exponential backoff with jitter) handle throttling, 5xx and
  connection errors, except `LimitExceededException`, which botocore would treat as
  throttling but which is a resource cap in SES: it is never retried.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from regions import ses_answers as answers
from regions.batching import batches
from regions.ses_api import SesApi
from regions.ses_boto import Boto, Counter, current, session_for
from regions.ses_listing import Listing
from regions.ses_types import (
    DOMAIN,
    EMAIL,
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

__all__ = [
    "DOMAIN",
    "EMAIL",
    "AccountState",
    "DkimAttributes",
    "IdentityDetails",
    "IdentitySummary",
    "MailFromAttributes",
    "MultiRegionEndpoint",
    "Recommendation",
    "SesApi",
    "SesClient",
    "SesError",
    "VerificationAttributes",
    "clear_client_cache",
    "client_for",
]

# Attempts per call (first try included). Throttling is rare behind the limiter; a few
# retries with backoff absorb what remains. Module-level so tests can shorten it.
MAX_ATTEMPTS = 5
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30
# Interactive calls (someone waiting on a web page: add to regions, resend, production
# access) get one retry and short timeouts, so that an action ends inside gunicorn's 30 s
# timeout even when SES is slow: worst case per call 2 x (2 + 5) s = 14 s, and an action
# starts no new region after INTERACTIVE_START_WITHIN seconds (see `interactive()`).
INTERACTIVE_ATTEMPTS = 2
INTERACTIVE_CONNECT_TIMEOUT = 2
INTERACTIVE_READ_TIMEOUT = 5
INTERACTIVE_START_WITHIN = 14
LIST_PAGE_SIZE = 1000
BATCH_SIZE = 100
# ListRecommendations: "at least 1, and can be no more than 100" (the sesv2 model).
RECOMMENDATION_PAGE_SIZE = 100


_cache: dict[tuple, Boto] = {}
# One boto3 session per account (its credentials); every session shares the process's botocore
# loader (ses_boto.session_for), so the service models are parsed once per process and a
# client pair builds in a few milliseconds (a worker builds one pair per account-region it
# syncs). Sessions are not thread-safe: they are only used under the lock.
_sessions: dict[tuple, boto3.Session] = {}
_cache_lock = threading.Lock()


def clear_client_cache() -> None:
    """Forget every built client (tests; after an account's credentials change)."""
    with _cache_lock:
        _cache.clear()
        _sessions.clear()


_mode = threading.local()


@contextmanager
def interactive() -> Iterator[None]:
    """Inside this block (a web action), clients use the interactive timeouts and retries."""
    previous = getattr(_mode, "interactive", False)
    _mode.interactive = True
    try:
        yield
    finally:
        _mode.interactive = previous


def client_for(account, region_code: str) -> SesApi:
    """The SES client of one account-region. The boto3 clients underneath are built once and
    shared by every thread; each SesClient returned is a cheap view with its own counters."""
    quick = getattr(_mode, "interactive", False)
    # Credentials settings are part of the key: editing the account builds new clients.
    key = (account.pk, account.profile_name, account.role_arn, account.external_id, region_code)
    key += (quick,)
    with _cache_lock:
        boto = _cache.get(key)
        if boto is None:
            credentials = key[:4]  # the account's, whatever the region and mode
            session = _sessions.get(credentials)
            if session is None:
                session = _sessions[credentials] = session_for(account)
            boto = _cache[key] = Boto(
                account,
                region_code,
                session=session,
                max_attempts=INTERACTIVE_ATTEMPTS if quick else MAX_ATTEMPTS,
                connect_timeout=INTERACTIVE_CONNECT_TIMEOUT if quick else CONNECT_TIMEOUT,
                read_timeout=INTERACTIVE_READ_TIMEOUT if quick else READ_TIMEOUT,
            )
    return SesClient(boto)


class SesClient:
    """Typed SES operations for one account-region. Counts every HTTP attempt it makes."""

    def __init__(self, boto: Boto) -> None:
        self._boto = boto
        self._counter = Counter()
        self.region_code = boto.region_code

    @property
    def calls(self) -> int:
        return self._counter.calls

    @property
    def throttled(self) -> int:
        return self._counter.throttled

    def _call(self, version: str, operation: str, **params: object) -> dict:
        client = self._boto.v2 if version == "v2" else self._boto.v1
        previous = getattr(current, "counter", None)
        current.counter = self._counter
        try:
            return getattr(client, operation)(**params)
        except ClientError as exc:
            raise answers.client_error(exc, operation) from exc
        except BotoCoreError as exc:
            raise answers.botocore_error(exc, operation, self._boto.read_timeout) from exc
        finally:
            current.counter = previous

    def _batched(self, operation: str, key: str, names: Iterable[str]) -> Iterator[tuple]:
        """(name, attributes) over a v1 batch operation, BATCH_SIZE names per call."""
        for chunk in batches(names, BATCH_SIZE):
            data = self._call("v1", operation, Identities=chunk)
            yield from (data.get(key) or {}).items()

    # --- account --------------------------------------------------------------------
    def get_account(self) -> AccountState:
        return answers.account_state(self._call("v2", "get_account"))

    def put_account_details(
        self,
        *,
        mail_type: str,
        website_url: str,
        contact_language: str | None = None,
        use_case_description: str | None = None,
        additional_contacts: Iterable[str] | None = None,
        production_access: bool = True,
    ) -> None:
        params: dict[str, object] = {"MailType": mail_type, "WebsiteURL": website_url}
        if contact_language:
            params["ContactLanguage"] = contact_language
        if use_case_description:
            params["UseCaseDescription"] = use_case_description
        contacts = [c for c in (additional_contacts or ()) if c]
        if contacts:
            params["AdditionalContactEmailAddresses"] = contacts
        if production_access:
            params["ProductionAccessEnabled"] = True
        self._call("v2", "put_account_details", **params)

    # --- identities -----------------------------------------------------------------
    def list_identities(self) -> Listing:
        """Every identity of the region: ListEmailIdentities, PageSize 1000, all pages, held
        compactly (regions/ses_listing.py). Raises on any failed page, so a caller never
        mistakes a partial list for the truth."""
        items = self._pages("list_email_identities", "EmailIdentities")
        return Listing(answers.identity_summary(item) for item in items)

    def _pages(
        self, operation: str, key: str, *, page_size: int | None = None, **fixed: object
    ) -> Iterator[dict]:
        """The items of every page of a v2 listing (PageSize 1000 unless told, NextToken until
        none); a failed page raises, so a caller never holds a partial list."""
        token: str | None = None
        while True:
            params: dict[str, object] = {**fixed, "PageSize": page_size or LIST_PAGE_SIZE}
            if token:
                params["NextToken"] = token
            page = self._call("v2", operation, **params)
            yield from page.get(key) or []
            token = page.get("NextToken")
            if not token:
                return

    def get_verification_attributes(
        self, names: Iterable[str]
    ) -> dict[str, VerificationAttributes]:
        pairs = self._batched(
            "get_identity_verification_attributes", "VerificationAttributes", names
        )
        return {name: answers.verification_attributes(attrs) for name, attrs in pairs}

    def get_dkim_attributes(self, names: Iterable[str]) -> dict[str, DkimAttributes]:
        pairs = self._batched("get_identity_dkim_attributes", "DkimAttributes", names)
        return {name: answers.dkim_attributes(attrs) for name, attrs in pairs}

    def get_mail_from_attributes(self, names: Iterable[str]) -> dict[str, MailFromAttributes]:
        pairs = self._batched(
            "get_identity_mail_from_domain_attributes", "MailFromDomainAttributes", names
        )
        return {name: answers.mail_from_attributes(attrs) for name, attrs in pairs}

    def get_identity(self, name: str) -> IdentityDetails:
        data = self._call("v2", "get_email_identity", EmailIdentity=name)
        return answers.identity_details(name, data)

    def create_identity(
        self,
        name: str,
        *,
        dkim_origin: str | None = None,
        byodkim_selector: str | None = None,
        byodkim_private_key: str | None = None,
    ) -> IdentityDetails:
        params: dict[str, object] = {"EmailIdentity": name}
        signing: dict[str, str] = {}
        if byodkim_selector and byodkim_private_key:
            signing["DomainSigningSelector"] = byodkim_selector
            signing["DomainSigningPrivateKey"] = byodkim_private_key
        if dkim_origin:
            signing["DomainSigningAttributesOrigin"] = dkim_origin
        if signing:
            params["DkimSigningAttributes"] = signing
        data = self._call("v2", "create_email_identity", **params)
        return answers.created_details(name, data)

    def verify_email(self, address: str) -> None:
        """SES v1 VerifyEmailIdentity: sends (or re-sends) the verification mail."""
        self._call("v1", "verify_email_identity", EmailAddress=address)

    # --- global endpoints -----------------------------------------------------------
    def list_multi_region_endpoints(self) -> list[MultiRegionEndpoint]:
        """The global endpoints whose primary region is this one (SES lists an endpoint only
        in its primary region): ListMultiRegionEndpoints, PageSize 1000, all pages. Raises on
        any failed page, so a partial list is never taken for the truth."""
        pages = self._pages("list_multi_region_endpoints", "MultiRegionEndpoints")
        return [answers.multi_region_endpoint(self.region_code, item) for item in pages]

    # --- VDM ------------------------------------------------------------------------
    def list_recommendations(self) -> list[Recommendation]:
        """SES's open advice in this region (Virtual Deliverability Manager's Advisor):
        ListRecommendations, Filter STATUS=OPEN, PageSize 100 (the model's largest), every
        page; a failed page raises. Ask only where GetAccount says VDM is enabled."""
        pages = self._pages(
            "list_recommendations",
            "Recommendations",
            page_size=RECOMMENDATION_PAGE_SIZE,
            Filter={"STATUS": "OPEN"},
        )
        return [answers.recommendation(item) for item in pages]
