"""The boto3 chokepoint: error classification, retries, call counting, response mapping."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from regions import ses, ses_boto
from regions.ses_types import SesError, is_permanent, v2_spelling
from tests.factories import AwsAccountFactory

pytestmark = pytest.mark.django_db


class _Answer(BaseHTTPRequestHandler):
    """Answers every request with the server's canned (status, JSON body); counts hits."""

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, body = self.server.answer
        self.server.hits += 1
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-ErrorType", body.get("__type", ""))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned(ses_env) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.hits = 0
    server.answer = (200, {})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ses_env.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    ses_env.setattr(ses, "MAX_ATTEMPTS", 3)
    ses.clear_client_cache()
    yield server
    server.shutdown()
    server.server_close()


def _client():
    return ses.client_for(AwsAccountFactory(), "eu-west-1")


def test_limit_exceeded_is_permanent_and_never_retried(canned):
    canned.answer = (400, {"__type": "LimitExceededException", "message": "10,000 identities"})
    client = _client()

    with pytest.raises(SesError) as caught:
        client.get_identity("example.com")

    assert caught.value.code == "LimitExceededException"
    assert caught.value.permanent is True
    assert canned.hits == 1
    assert client.calls == 1
    assert "limit" in str(caught.value)


def test_throttling_is_transient_and_retried(canned):
    canned.answer = (429, {"__type": "TooManyRequestsException", "message": "Rate exceeded"})
    client = _client()

    with pytest.raises(SesError) as caught:
        client.get_account()

    assert caught.value.throttled is True
    assert caught.value.permanent is False
    assert canned.hits == 3  # MAX_ATTEMPTS
    assert client.calls == 3
    assert client.throttled == 3


def test_access_denied_is_permanent_and_not_retried(canned):
    canned.answer = (403, {"__type": "AccessDeniedException", "message": "not authorized"})
    client = _client()

    with pytest.raises(SesError) as caught:
        client.list_identities()

    assert caught.value.permanent is True
    assert canned.hits == 1
    assert str(caught.value).startswith("ListEmailIdentities: access denied")


def test_a_server_error_is_transient_and_retried(canned):
    canned.answer = (500, {"__type": "InternalFailure", "message": "oops"})

    with pytest.raises(SesError) as caught:
        _client().get_account()

    assert caught.value.permanent is False
    assert canned.hits == 3


def test_an_unreachable_endpoint_is_a_transient_connection_error(ses_env):
    from emulator.testing import free_port

    ses_env.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    ses.clear_client_cache()

    with pytest.raises(SesError) as caught:
        _client().get_account()

    assert caught.value.code == "ConnectionError"
    assert caught.value.permanent is False


def test_each_client_view_counts_its_own_calls(canned):
    canned.answer = (200, {"EmailIdentities": []})
    account = AwsAccountFactory()
    first, second = ses.client_for(account, "eu-west-1"), ses.client_for(account, "eu-west-1")

    first.list_identities()

    assert (first.calls, second.calls) == (1, 0)
    assert first._boto is second._boto  # one set of boto3 clients per account-region


def test_an_accounts_regions_share_one_session_built_once(ses_env, monkeypatch):
    from regions import ses_boto

    built = []
    real = ses_boto.session_for

    def counting(account):
        built.append(account.pk)
        return real(account)

    monkeypatch.setattr(ses, "session_for", counting)
    one, other = AwsAccountFactory(), AwsAccountFactory()

    clients = [ses.client_for(a, code) for a in (one, other) for code in ("eu-west-1", "us-east-1")]
    again = ses.client_for(one, "eu-west-1")

    assert sorted(built) == sorted([one.pk, other.pk])  # one session per account
    assert again._boto is clients[0]._boto  # clients built once per account-region
    assert clients[0]._boto.v2 is not clients[1]._boto.v2


def test_it_maps_get_account_with_missing_optional_fields(canned):
    canned.answer = (
        200,
        {
            "ProductionAccessEnabled": False,
            "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0},
            "SendingEnabled": True,
            "Details": {"ReviewDetails": {"Status": "DENIED", "CaseId": "42"}},
        },
    )

    state = _client().get_account()

    assert state.production_access_enabled is False
    assert state.max_24_hour_send == 200.0
    assert state.enforcement_status == ""
    assert (state.review_status, state.review_case_id) == ("DENIED", "42")
    assert state.website_url == ""


def test_it_keeps_the_soa_serial_ses_saw_from_verification_info(canned):
    info = {
        "LastCheckedTimestamp": 1764460000,
        "ErrorType": "TYPE_NOT_FOUND",
        "SOARecord": {
            "PrimaryNameServer": "NS1.Example.NET.",
            "AdminEmail": "hostmaster.example.com",
            "SerialNumber": 2026112903,
        },
    }
    canned.answer = (200, {"IdentityType": "DOMAIN", "VerificationInfo": info})

    details = _client().get_identity("example.com")

    assert (details.soa_serial, details.soa_primary_ns) == (2026112903, "ns1.example.net")
    assert details.error_type == "TYPE_NOT_FOUND" and details.last_checked_at is not None


def test_a_verification_info_without_soa_record_leaves_the_serial_unknown(canned):
    canned.answer = (200, {"IdentityType": "DOMAIN", "VerificationInfo": {}})
    details = _client().get_identity("example.com")
    assert (details.soa_serial, details.soa_primary_ns) == (None, "")


def test_an_html_error_page_becomes_a_readable_message(canned, monkeypatch):
    canned.answer = (404, {})
    from botocore.exceptions import ClientError

    client = _client()

    def html_404(**params):
        raise ClientError(
            {
                "Error": {"Code": "404", "Message": "<!doctype html><title>404</title>"},
                "ResponseMetadata": {"HTTPStatusCode": 404},
            },
            "GetAccount",
        )

    monkeypatch.setattr(client._boto.v2, "get_account", html_404)
    with pytest.raises(SesError) as caught:
        client.get_account()
    assert "error page" in str(caught.value)
    assert caught.value.permanent is True


def test_it_uses_the_named_profile_of_the_account(ses_env, tmp_path):
    (tmp_path / "no-aws-config").write_text("[profile other]\nregion = eu-west-1\n")
    (tmp_path / "no-aws-credentials").write_text(
        "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n"
    )
    ses_env.delenv("AWS_ACCESS_KEY_ID", raising=False)
    ses_env.delenv("AWS_SECRET_ACCESS_KEY", raising=False)

    client = ses.client_for(AwsAccountFactory(profile_name="other"), "eu-west-1")

    assert client._boto.v2._request_signer._credentials.access_key == "AKIAOTHER"


def test_a_role_account_assumes_its_role_lazily(ses_env):
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    account = AwsAccountFactory(role_arn="arn:aws:iam::123456789012:role/ses", external_id="x1")

    client = ses.client_for(account, "eu-west-1")

    credentials = client._boto.v2._request_signer._credentials
    assert credentials.method == "assume-role"


def test_every_accounts_session_shares_one_botocore_loader(ses_env):
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    role = AwsAccountFactory(role_arn="arn:aws:iam::123456789012:role/ses")
    for account in (AwsAccountFactory(), AwsAccountFactory(), role):
        ses.client_for(account, "eu-west-1")

    loaders = {id(s._session.get_component("data_loader")) for s in ses._sessions.values()}
    assert len(ses._sessions) == 3
    assert len(loaders) == 1  # the service models are parsed once per process
    paths = next(iter(ses._sessions.values()))._session.get_component("data_loader").search_paths
    assert len(paths) == len(set(paths))  # boto3's data folder is not appended per session


def test_every_ses_client_of_a_service_shares_one_class_and_keeps_its_own_region(ses_env):
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    first, second = AwsAccountFactory(), AwsAccountFactory()
    a = ses.client_for(first, "eu-west-1")._boto
    b = ses.client_for(second, "us-east-2")._boto

    assert type(a.v2) is type(b.v2)  # one class, not ~100 methods and docstrings a client
    assert type(a.v1) is type(b.v1)
    assert type(a.v1) is not type(a.v2)
    assert (a.v2.meta.region_name, b.v2.meta.region_name) == ("eu-west-1", "us-east-2")
    assert a.v2.meta.events is not b.v2.meta.events  # each client's hooks stay its own
    assert hasattr(a.v2, "list_email_identities") and hasattr(a.v1, "list_identities")


def test_a_client_of_another_service_gets_a_class_of_its_own(ses_env):
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    session = ses_boto.session_for(AwsAccountFactory())

    one = session.client("sts", region_name="us-east-1")
    other = session.client("sts", region_name="us-east-1")

    assert type(one) is not type(other)  # botocore's own behaviour, untouched


def test_a_profile_with_its_own_data_path_gets_its_own_loader(ses_env, tmp_path):
    (tmp_path / "no-aws-config").write_text(f"[profile other]\ndata_path = {tmp_path}\n")
    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    default, other = AwsAccountFactory(), AwsAccountFactory(profile_name="other")

    for account in (default, other):
        ses.client_for(account, "eu-west-1")

    by_profile = {
        key[1]: s._session.get_component("data_loader") for key, s in ses._sessions.items()
    }
    default_loader, other_loader = by_profile[default.profile_name], by_profile["other"]
    assert default_loader is not other_loader
    assert str(tmp_path) in other_loader.search_paths


def test_after_the_warm_up_an_accounts_first_clients_read_no_botocore_data(ses_env, monkeypatch):
    from botocore.loaders import JSONFileLoader

    from regions import ses_boto

    ses_env.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setattr(ses_boto, "_loaders", {})  # a fresh process
    ses_boto.warm()
    read = []
    real = JSONFileLoader.load_file
    monkeypatch.setattr(
        JSONFileLoader, "load_file", lambda self, path: read.append(path) or real(self, path)
    )

    ses.client_for(AwsAccountFactory(), "eu-west-1")

    assert read == []


def test_a_v1_form_body_is_encoded_once_by_botocores_own_preparer():
    from botocore.awsrequest import AWSRequest

    from regions import ses_boto

    form = {"Action": "GetIdentityDkimAttributes", "Identities.member.1": "a+b@x.test"}
    request = AWSRequest(method="POST", url="https://email.eu-west-1.amazonaws.com/", data=form)
    expected = request.prepare().body

    ses_boto._encode_form_once(request)

    assert request.data == expected  # what is signed (request.body) and what is sent
    assert request.prepare().body == expected
    assert "a%2Bb%40x.test" in expected


def test_a_batch_of_names_is_url_encoded_once_per_attempt(emulator_backend, monkeypatch):
    import botocore.awsrequest

    from tests.identities.ses_backends import region_for

    names = [f"id{i:03d}@example.com" for i in range(100)]
    emulator_backend.seed_verified("eu-west-1", names)
    client = ses.client_for(region_for(emulator_backend, "eu-west-1").account, "eu-west-1")
    encoded = []
    real = botocore.awsrequest.urlencode
    monkeypatch.setattr(
        botocore.awsrequest, "urlencode", lambda *a, **kw: encoded.append(1) or real(*a, **kw)
    )

    found = client.get_mail_from_attributes(names)

    assert sorted(found) == names
    assert (client.calls, len(encoded)) == (1, 1)  # botocore alone: once to sign, once to send


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("LimitExceededException", 400, True),
        ("TooManyRequestsException", 429, False),
        ("Throttling", 400, False),
        ("NotFoundException", 404, True),
        ("AlreadyExistsException", 400, True),
        ("ConflictException", 409, True),
        ("ServiceUnavailable", 503, False),
        ("SomethingNew", 400, True),
        ("SomethingNew", None, False),
    ],
)
def test_error_classification(code, status, permanent):
    assert is_permanent(code, status) is permanent


def test_v1_spellings_become_v2():
    assert v2_spelling("TemporaryFailure") == "TEMPORARY_FAILURE"
    assert v2_spelling("RejectMessage") == "REJECT_MESSAGE"
    assert v2_spelling("SUCCESS") == "SUCCESS"
    assert v2_spelling(None) == ""


def test_create_identity_and_resend_verification_against_the_emulator(emulator_backend):
    from tests.identities.ses_backends import region_for

    region = region_for(emulator_backend)
    client = ses.client_for(region.account, region.code)

    domain = client.create_identity("example.com")
    client.verify_email("ops@example.com")
    with pytest.raises(SesError) as again:
        client.create_identity("example.com")

    assert domain.kind == "DOMAIN"
    assert len(domain.dkim_tokens) == 3
    assert domain.dkim_origin == "AWS_SES"
    assert emulator_backend.emu.mail(to="ops@example.com")  # the verification mail went out
    assert again.value.code == "AlreadyExistsException"
    assert again.value.permanent is True
    assert {i.name for i in client.list_identities()} == {"example.com", "ops@example.com"}
    assert client.calls == 4


def test_a_second_production_access_request_during_review_is_a_conflict(emulator_backend):
    from tests.identities.ses_backends import region_for

    region = region_for(emulator_backend, "ap-southeast-2")
    client = ses.client_for(region.account, region.code)
    client.put_account_details(mail_type="TRANSACTIONAL", website_url="https://example.com")

    with pytest.raises(SesError) as caught:
        client.put_account_details(mail_type="TRANSACTIONAL", website_url="https://example.com")

    assert caught.value.code == "ConflictException"
    assert caught.value.permanent is True
    assert client.get_account().review_status == "PENDING"


def test_a_call_still_goes_out_when_the_shared_limiter_is_unreachable(canned, settings):
    from emulator.testing import free_port

    settings.SESOPS_SES_RATE = 1
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    canned.answer = (200, {"EmailIdentities": []})

    assert _client().list_identities() == []
    assert canned.hits == 1
