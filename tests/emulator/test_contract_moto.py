"""Contract test: the same boto3 calls against the emulator and against moto (the
independent AWS mock) give answers of the same shape, so the emulator cannot drift into a
private dialect.

For every operation moto implements, every field moto returns must come back from the
emulator with the same type (recursively); fields the emulator adds must exist in
botocore's output shape for the operation (moto leaves out many that SES sends). Values
differ on purpose (moto auto-verifies everything) and are not compared.
"""

from __future__ import annotations

import datetime
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from emulator.testing import free_port, run_emulator

# Where moto departs from SES itself, SES wins; each entry says which source decides.
KNOWN_MOTO_DEVIATIONS = {
    # botocore's ses model: "The verification token for a domain identity. Null for email
    # address identities." moto hands every identity the same token.
    "v1 verification.VerificationAttributes.me@example.test.VerificationToken",
}
SIMPLE = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}
CONFIG = Config(retries={"total_max_attempts": 1})


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _clients(url: str) -> tuple[Any, Any]:
    kw = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIACONTRACT",
        "aws_secret_access_key": "x",
        "config": CONFIG,
    }
    return boto3.client("ses", **kw), boto3.client("sesv2", **kw)


def _script(v1: Any, v2: Any, verify: Callable[[str], None]) -> list[tuple[str, str, Any]]:
    """Run the calls; collect (label, operation, answer or ("error", code))."""
    out: list[tuple[str, str, Any]] = []

    def call(label: str, client: Any, op: str, **kw: Any) -> None:
        try:
            answer = getattr(client, op)(**kw)
            answer.pop("ResponseMetadata", None)
        except ClientError as exc:
            answer = ("error", exc.response["Error"]["Code"])
        out.append((label, op, answer))

    call("v2 create domain", v2, "create_email_identity", EmailIdentity="example.test")
    call("v2 create address", v2, "create_email_identity", EmailIdentity="me@example.test")
    verify("me@example.test")
    call("v2 get domain", v2, "get_email_identity", EmailIdentity="example.test")
    call("v2 get address", v2, "get_email_identity", EmailIdentity="me@example.test")
    call("v2 get unknown", v2, "get_email_identity", EmailIdentity="unknown.test")
    call("v2 list", v2, "list_email_identities")
    call("v2 list page", v2, "list_email_identities", PageSize=1)
    call("v1 verify", v1, "verify_email_identity", EmailAddress="you@example.test")
    call("v1 list", v1, "list_identities")
    call("v1 list emails", v1, "list_identities", IdentityType="EmailAddress", MaxItems=1)
    names = ["example.test", "me@example.test", "unknown.test"]
    call("v1 verification", v1, "get_identity_verification_attributes", Identities=names)
    call("v1 dkim", v1, "get_identity_dkim_attributes", Identities=names)
    call("v1 mail from", v1, "get_identity_mail_from_domain_attributes", Identities=names)
    call("v1 quota", v1, "get_send_quota")
    send = {"Destination": {"ToAddresses": ["success@simulator.amazonses.com"]}, "Content": SIMPLE}
    call("v2 send", v2, "send_email", FromEmailAddress="me@example.test", **send)
    call("v2 send unverified", v2, "send_email", FromEmailAddress="x@nowhere.test", **send)
    call("v2 delete", v2, "delete_email_identity", EmailIdentity="me@example.test")
    return out


def _output_members(client: Any, op: str) -> Any:
    name = client.meta.method_to_api_mapping[op]
    return client.meta.service_model.operation_model(name).output_shape


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    return type(value).__name__


def _compare(path: str, moto: Any, emu: Any, shape: Any, problems: list[str]) -> None:
    if _kind(moto) != _kind(emu):
        problems.append(f"{path}: moto {_kind(moto)} vs emulator {_kind(emu)}")
        return
    if isinstance(emu, dict):
        is_map = shape is not None and shape.type_name == "map"
        for key in moto:
            if key not in emu and not is_map and f"{path}.{key}" not in KNOWN_MOTO_DEVIATIONS:
                problems.append(f"{path}.{key}: moto returns it, the emulator does not")
        for key, value in emu.items():
            if is_map:
                sub = shape.value
            elif shape is not None:
                if key not in shape.members:
                    problems.append(f"{path}.{key}: not in botocore's model")
                    continue
                sub = shape.members[key]
            else:
                sub = None
            if key in moto:
                _compare(f"{path}.{key}", moto[key], value, sub, problems)
    elif isinstance(emu, list) and emu and moto:
        _compare(
            f"{path}[0]", moto[0], emu[0], shape.member if shape is not None else None, problems
        )


def _click(emu: Any) -> Callable[[str], None]:
    def verify(address: str) -> None:
        emu.click(address)

    return verify


def test_emulator_and_moto_answer_with_the_same_shapes(moto_url):
    urllib.request.urlopen(
        urllib.request.Request(moto_url + "/moto-api/reset", method="POST")
    ).close()
    moto_answers = _script(*_clients(moto_url), verify=lambda _address: None)
    # Production region: moto has no sandbox, so the same send must pass on both sides.
    scenario = {
        "accounts": [{"id": "000000000000", "regions": {"us-east-1": {"production": True}}}]
    }
    with run_emulator(scenario) as emu:
        v1, v2 = _clients(emu.url)
        emu_answers = _script(v1, v2, verify=_click(emu))
    problems: list[str] = []
    for (label, op, moto), (_, _, mine) in zip(moto_answers, emu_answers, strict=True):
        client = v1 if label.startswith("v1") else v2
        if isinstance(moto, tuple) or isinstance(mine, tuple):
            if moto != mine:
                problems.append(f"{label}: moto {moto!r} vs emulator {mine!r}")
            continue
        _compare(label, moto, mine, _output_members(client, op), problems)
    assert problems == []


def test_the_contract_check_catches_drift():
    """The comparison itself must fail on a renamed field, a wrong type or an invented key."""
    shape = _output_members(boto3.client("sesv2", region_name="us-east-1"), "get_email_identity")
    moto = {"IdentityType": "DOMAIN", "VerifiedForSendingStatus": False}
    problems: list[str] = []
    _compare(
        "x", moto, {"IdentityType": "DOMAIN", "VerifiedForSendingStatus": "false"}, shape, problems
    )
    _compare("y", moto, {"IdentityType": "DOMAIN"}, shape, problems)
    _compare("z", moto, {**moto, "Invented": 1}, shape, problems)
    assert [p.split(":")[0] for p in problems] == [
        "x.VerifiedForSendingStatus",
        "y.VerifiedForSendingStatus",
        "z.Invented",
    ]
