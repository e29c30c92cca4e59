"""boto3 plumbing behind regions/ses.py: the shared clients of one (account, region), their
credentials (profile, assumed role), and the botocore hooks that pace, count and retry."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import boto3
import botocore.session
from botocore.client import ClientCreator
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError
from botocore.loaders import Loader, create_loader
from redis.exceptions import RedisError

from regions import ratelimit
from regions.ses_types import THROTTLING_CODES

log = logging.getLogger(__name__)


@dataclass
class Counter:
    calls: int = 0
    throttled: int = 0


# The SesClient whose call is running in this thread: botocore's hooks run synchronously in
# the calling thread, so they can charge the attempt to the right counter.
current = threading.local()


def account_key_of(account) -> str:
    """The limiter is per AWS account: two rows assuming roles in one account share it."""
    return account.account_id or f"row{account.pk}"


class Boto:
    """The shared boto3 clients of one (account, region)."""

    def __init__(
        self,
        account,
        region_code: str,
        *,
        max_attempts: int,
        connect_timeout: float,
        read_timeout: float,
        session: boto3.Session | None = None,
    ) -> None:
        self.account_key = account_key_of(account)
        self.region_code = region_code
        self.read_timeout = read_timeout
        session = session or session_for(account)
        config = Config(
            region_name=region_code,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_pool_connections=20,
            user_agent_extra="sesops",
        )
        self.v2 = session.client("sesv2", config=config)
        self.v1 = session.client("ses", config=config)
        for client in (self.v2, self.v1):
            install_hooks(client, self)

    def before_send(self, **_: object) -> None:
        try:
            ratelimit.limiter_for(self.account_key, self.region_code).acquire()
        except (RedisError, OSError) as exc:
            # Fail open: an unpaced call risks a 429 (retried with backoff); refusing every
            # SES call while Redis is away would stop user actions for no good reason.
            log.warning("SES rate limiter unavailable, calling unpaced: %s", exc)
        counter = getattr(current, "counter", None)
        if counter is not None:
            counter.calls += 1


# One botocore loader per data path for the whole process. Each botocore Session would build
# its own and parse the same JSON again (service models, endpoints, partitions): ~70 ms of
# CPU for an account's first client, against ~6 ms for its next regions. A loader only
# caches what it read from files that do not change, so sessions can share it.
_loaders: dict[str | None, Loader] = {}
_loaders_lock = threading.Lock()


def _shared_loader(data_path: str | None) -> Loader:
    """Called with _loaders_lock held (boto3 asks for the loader while building a Session)."""
    loader = _loaders.get(data_path)
    if loader is None:
        loader = _loaders[data_path] = create_loader(data_path)
    return loader


def _core_session() -> botocore.session.Session:
    """A botocore Session whose loader is the process's shared one, picked where botocore
    would build its own (the session's `data_path`, so a profile's own data path still
    counts) and when: on first use, so a bad profile fails where it did before."""
    core = botocore.session.Session()
    core.lazy_register_component(
        "data_loader", lambda: _shared_loader(core.get_config_variable("data_path"))
    )
    return core


# One client class per SES service for the whole process. botocore builds a new class for
# every client it creates (a method and a docstring object for each of the service's ~100
# operations, ~0.25 MB a client pair), so a worker holding every account-region's clients
# held 100 copies of two identical classes. The class holds no state of its own (a client's
# region, credentials, endpoint and hooks are on the instance), so clients built from the
# same service model (our shared loader's, the same object every time) share it. Only SES's
# two services: no other client of the process is touched.
_SHARED_CLASS_SERVICES = frozenset({"ses", "sesv2"})
_client_classes: dict[str, tuple[object, type]] = {}
_client_classes_lock = threading.Lock()
_build_client_class = ClientCreator._create_client_class


def _shared_client_class(self: ClientCreator, service_name: str, service_model) -> type:
    if service_name not in _SHARED_CLASS_SERVICES:
        return _build_client_class(self, service_name, service_model)
    description = service_model._service_description  # the loader's cached model
    with _client_classes_lock:
        cached = _client_classes.get(service_name)
        if cached is None or cached[0] is not description:
            cached = _client_classes[service_name] = (
                description,
                _build_client_class(self, service_name, service_model),
            )
        return cached[1]


ClientCreator._create_client_class = _shared_client_class  # type: ignore[method-assign]


def _boto3_session(
    core: botocore.session.Session, profile_name: str | None = None
) -> boto3.Session:
    with _loaders_lock:
        session = boto3.Session(profile_name=profile_name, botocore_session=core)
        # boto3 appends its own data folder to the loader's search paths on every Session:
        # keep one copy (the first keeps its precedence).
        paths = core.get_component("data_loader").search_paths
        paths[:] = dict.fromkeys(paths)
    return session


def warm() -> None:
    """Parse what an SES client pair needs (service models, endpoint rules, partitions) into the
    shared loader now: a worker does it at start, before it freezes its start-up objects (see
    identities/tasks.py). A throwaway pair signed by dummy keys: no credential lookup, no
    network. Only an optimisation: a failure here is left to the first real client."""
    try:
        session = _boto3_session(_core_session())
        for service in ("sesv2", "ses"):
            session.client(
                service,
                region_name="us-east-1",
                aws_access_key_id="warm-up",
                aws_secret_access_key="warm-up",
            )
    except BotoCoreError as exc:
        log.info("SES clients not warmed up: %s", exc)


def session_for(account) -> boto3.Session:
    base = _boto3_session(_core_session(), account.profile_name or None)
    if not account.role_arn:
        return base
    extra = {"RoleSessionName": "sesops"}
    if account.external_id:
        extra["ExternalId"] = account.external_id
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=base._session.create_client,
        source_credentials=base.get_credentials(),
        role_arn=account.role_arn,
        extra_args=extra,
    )
    core = _core_session()
    core._credentials = DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    return _boto3_session(core)


def _encode_form_once(request, **_: object) -> None:
    """A query-protocol body (SES v1) is a dict that botocore url-encodes each time it prepares
    the request: once to sign it, once to send it, 100 identity names a batch call. Encoded
    here once, by botocore's own preparer, the same bytes are signed and sent."""
    if isinstance(request.data, dict):
        request.data = request.prepare().body


def install_hooks(client, boto: Boto) -> None:
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-send.{service}", boto.before_send)
    if client.meta.service_model.protocol == "query":
        client.meta.events.register(f"before-sign.{service}", _encode_form_once)
    # Wrap botocore's standard retry handler so LimitExceeded is never retried.
    unique_id = f"retry-config-{service}"
    # botocore keeps the handler only in its emitter's registry (unregister returns None);
    # fail loudly at start-up if a botocore upgrade moves it, rather than lose retries.
    emitter = getattr(client.meta.events, "_emitter", client.meta.events)
    standard = emitter._unique_id_handlers[unique_id]["handler"]
    client.meta.events.unregister(f"needs-retry.{service}", unique_id=unique_id)

    def needs_retry(response=None, **kwargs):
        code, status = "", None
        if response is not None:
            status = response[0].status_code if response[0] is not None else None
            code = (response[1] or {}).get("Error", {}).get("Code", "")
        if code in THROTTLING_CODES or status == 429:
            counter = getattr(current, "counter", None)
            if counter is not None:
                counter.throttled += 1
        if code == "LimitExceededException":
            return None
        return standard(response=response, **kwargs)

    client.meta.events.register(f"needs-retry.{service}", needs_retry, unique_id=unique_id)
