"""The AWS Organizations client: one per account, typed results, errors sorted permanent/transient.

Built the way regions/route53.py is (regions/aws_global.py): the boto3 client is made once per
account (Organizations is a global service whose endpoint is in us-east-1) from the account's
credentials (profile or assumed role), paced by the shared limiter, counted, and retried by
botocore's `standard` mode on throttling and 5xx only. Answers are mapped to `MemberAccount`,
so the discovery service never sees boto3 shapes. Only the management account or a delegated
administrator may call ListAccounts; any other account is answered AccessDenied or
AWSOrganizationsNotInUse (permanent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regions.aws_global import AwsError, BotoCache, GlobalClient

__all__ = ["MemberAccount", "OrganizationsClient", "OrganizationsError", "organizations_for"]

MAX_ATTEMPTS = 5
RATE = 2.0  # requests per second per account: Organizations throttles its API per account
PAGE = 20  # ListAccounts' largest page
TRANSIENT_CODES = frozenset(
    {"TooManyRequestsException", "ThrottlingException", "ServiceException", "ConnectionError"}
)
_FRIENDLY = {
    "AccessDeniedException": "access denied: these credentials may not list the organization's "
    "accounts (management account or delegated administrator, organizations:ListAccounts)",
    "AWSOrganizationsNotInUseException": "this account is not a member of an organization",
    "TooManyRequestsException": "Organizations throttled the request",
    "ConnectionError": "Organizations could not be reached",
}


@dataclass(frozen=True)
class MemberAccount:
    """One account of the organization as ListAccounts reports it."""

    id: str
    name: str
    email: str
    state: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION
    joined_at: datetime | None


class OrganizationsError(AwsError):
    friendly = _FRIENDLY

    def __init__(self, code: str, message: str, **kwargs) -> None:
        super().__init__(code, " ".join(message.split()), **kwargs)  # one line, for the CLI


_clients = BotoCache(
    "organizations", rate=RATE, max_attempts=MAX_ATTEMPTS, error=OrganizationsError
)


def clear_client_cache() -> None:
    _clients.clear()


def organizations_for(account) -> OrganizationsClient:
    """The Organizations client of one account (a cheap view over a shared boto3 client)."""
    return OrganizationsClient(_clients.get(account))


class OrganizationsClient(GlobalClient):
    transient_codes = TRANSIENT_CODES
    error = OrganizationsError

    def list_accounts(self) -> list[MemberAccount]:
        """Every account of the organization (closed ones too, for the ~90 days AWS lists
        them), all pages."""
        out: list[MemberAccount] = []
        params: dict[str, object] = {"MaxResults": PAGE}
        while True:
            page = self._call("list_accounts", **params)
            out += [_member(item) for item in page.get("Accounts") or []]
            token = page.get("NextToken")
            if not token:
                return out
            params["NextToken"] = token


def _member(item: dict) -> MemberAccount:
    # `State` replaced the deprecated `Status` (ACTIVE | SUSPENDED | PENDING_CLOSURE) in 2025;
    # read either so older endpoints and stubs still answer.
    state = item.get("State") or item.get("Status") or ""
    joined = item.get("JoinedTimestamp")
    return MemberAccount(
        id=str(item.get("Id", "")),
        name=str(item.get("Name", "")),
        email=str(item.get("Email", "")),
        state=str(state).upper(),
        joined_at=joined if isinstance(joined, datetime) else None,
    )
