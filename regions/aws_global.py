"""What a client of an AWS global service (Organizations; regions/route53.py is built the same
way) shares: one boto3 client per account signed for us-east-1, paced by the shared limiter,
counted, retried by botocore's `standard` mode on throttling and 5xx only, and every failure
turned into the client's own error type, sorted permanent (do not retry) or transient."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from redis.exceptions import RedisError

from regions import ratelimit
from regions.ses_boto import Counter, account_key_of, current, install_hooks, session_for

# Failures below HTTP that waiting does not cure: the credentials themselves are missing.
_PERMANENT_TRANSPORT = frozenset(
    {"NoCredentialsError", "ProfileNotFound", "PartialCredentialsError"}
)

ErrorFactory = Callable[..., Exception]  # (code, message, *, permanent, http_status, operation)


class AwsError(Exception):
    """A failed call, sorted permanent (do not retry) or transient; subclasses name the
    service's codes in `friendly` (a code -> one plain phrase)."""

    friendly: dict[str, str] = {}

    def __init__(
        self,
        code: str,
        message: str,
        *,
        permanent: bool,
        http_status: int | None = None,
        operation: str = "",
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.permanent = code, message, permanent
        self.http_status, self.operation = http_status, operation

    def __str__(self) -> str:
        what = self.friendly.get(self.code, self.code)
        where = f"{self.operation}: " if self.operation else ""
        detail = f" ({self.message})" if self.message and self.message != what else ""
        return f"{where}{what}{detail}"


class GlobalBoto:
    """The shared boto3 client of one account for one global service."""

    def __init__(
        self, credentials, *, service: str, account, rate: float, max_attempts: int
    ) -> None:
        self.account_key = account_key_of(account)
        self.service, self.rate = service, rate
        config = Config(
            region_name="us-east-1",
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra="sesops",
        )
        self.client = session_for(credentials).client(service, config=config)
        install_hooks(self.client, self)

    def before_send(self, **_: object) -> None:
        # Unpaced rather than refused when Redis is away: a throttled answer is retried.
        with contextlib.suppress(RedisError, OSError):
            ratelimit.limiter_for(self.account_key, self.service, rate=self.rate).acquire()
        counter = getattr(current, "counter", None)
        if counter is not None:
            counter.calls += 1


class BotoCache:
    """The shared GlobalBoto of one service, one per account and credentials: built on first
    use, rebuilt when the account's credentials settings change. `credentials` lets a client
    sign with other credentials than the account's own (Route 53's DNS profile / role)."""

    def __init__(
        self, service: str, *, rate: float, max_attempts: int, error: ErrorFactory
    ) -> None:
        self.service, self.rate, self.max_attempts, self.error = service, rate, max_attempts, error
        self._boto: dict[tuple, GlobalBoto] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._boto.clear()

    def get(self, account, credentials=None) -> GlobalBoto:
        """Raises a permanent `error` when the credentials cannot even build a client."""
        creds = credentials or account
        key = (account.pk, creds.profile_name, creds.role_arn, creds.external_id)
        with self._lock:
            boto = self._boto.get(key)
            if boto is None:
                try:
                    boto = self._boto[key] = GlobalBoto(
                        creds,
                        service=self.service,
                        account=account,
                        rate=self.rate,
                        max_attempts=self.max_attempts,
                    )
                except BotoCoreError as exc:  # a profile that does not exist, no region...
                    code = type(exc).__name__
                    raise self.error(code, str(exc), permanent=True, operation="client") from exc
        return boto


class GlobalClient:
    """Base of a service client: `_call` charges this client's counter and raises `error`."""

    transient_codes: frozenset[str] = frozenset()
    error: type[AwsError] = AwsError

    def __init__(self, boto: GlobalBoto) -> None:
        self._boto = boto
        self._counter = Counter()

    @property
    def calls(self) -> int:
        return self._counter.calls

    def _call(self, operation: str, **params: object) -> dict:
        return call(
            self._boto,
            self._counter,
            operation,
            params,
            transient_codes=self.transient_codes,
            error=self.error,
        )


def call(
    boto: GlobalBoto,
    counter: Counter,
    operation: str,
    params: dict,
    *,
    transient_codes: frozenset[str],
    error: ErrorFactory,
) -> dict:
    """`boto.client.<operation>(**params)`, charged to `counter`; failures raise `error(...)`."""
    previous = getattr(current, "counter", None)
    current.counter = counter
    try:
        return getattr(boto.client, operation)(**params)
    except ClientError as exc:
        raise sort_client_error(
            exc, operation, transient_codes=transient_codes, error=error
        ) from exc
    except BotoCoreError as exc:
        permanent = type(exc).__name__ in _PERMANENT_TRANSPORT
        code = type(exc).__name__ if permanent else "ConnectionError"
        raise error(
            code, str(exc), permanent=permanent, http_status=None, operation=operation
        ) from exc
    finally:
        current.counter = previous


def sort_client_error(
    exc: ClientError, operation: str, *, transient_codes: frozenset[str], error: ErrorFactory
) -> Exception:
    """AWS's error answer as `error(...)`: transient when its code says so, or 429 / 5xx."""
    info = exc.response.get("Error", {})
    code = info.get("Code") or "Unknown"
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    transient = code in transient_codes or status == 429 or (status or 0) >= 500
    return error(
        code,
        info.get("Message", "") or str(exc),
        permanent=not transient,
        http_status=status,
        operation=exc.operation_name or operation,
    )
