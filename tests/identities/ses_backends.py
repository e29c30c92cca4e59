"""Two SES backends for the same sync tests: the project's emulator and moto (server mode).

The sync code is never told which one it talks to: both are reached the way production
reaches AWS, through boto3 with AWS_ENDPOINT_URL set. Import the fixtures into a test module:

    from tests.identities.ses_backends import backend, ses_env  # noqa: F401
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.config import Config

from regions import ses
from regions.models import AwsAccount, Region

EMU_ACCOUNT = "111111111111"
EMU_KEY = "AKIATESTSYNC00000001"
MOTO_ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


@dataclass
class Backend:
    """One running SES endpoint and the handful of operations the tests need on it."""

    name: str
    url: str
    account_id: str
    access_key: str
    emu: object | None = None
    _clients: dict = field(default_factory=dict)

    def client(self, service: str, region: str):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = boto3.client(
                service,
                region_name=region,
                endpoint_url=self.url,
                aws_access_key_id=self.access_key,
                aws_secret_access_key="x",
                config=Config(retries={"total_max_attempts": 1}),
            )
        return self._clients[key]

    def add(self, region: str, *names: str) -> None:
        """Create identities (the v1 calls both backends have). Emulator addresses start
        PENDING until clicked; moto verifies everything at once."""
        v1 = self.client("ses", region)
        for name in names:
            if "@" in name:
                v1.verify_email_identity(EmailAddress=name)
            else:
                v1.verify_domain_identity(Domain=name)

    def seed_verified(self, region: str, names: list[str]) -> None:
        """Many verified addresses fast: the emulator loads them as a scenario (replacing its
        world), moto verifies on creation anyway."""
        if self.emu is None:
            self.add(region, *names)
            return
        data = _scenario()
        data["accounts"][0]["regions"][region]["identities"] = [
            {"name": name, "status": "SUCCESS"} for name in names
        ]
        self.emu.control("POST", "scenario", data)

    def delete(self, region: str, name: str) -> None:
        self.client("ses", region).delete_identity(Identity=name)

    def set_status(self, region: str, name: str, status: str | None) -> None:
        """Pin an identity's verification status (emulator only: moto cannot)."""
        assert self.emu is not None, "moto cannot change an identity's status"
        self.emu.control(
            "POST",
            f"identities/{self.account_id}/{region}/{name}",
            {"verification_status": status},
        )

    def region_fault(self, region: str, **values: object) -> None:
        assert self.emu is not None, "moto has no per-region faults"
        self.emu.control("POST", f"regions/{self.account_id}/{region}", values)


def _scenario() -> dict:
    return {
        "rate_limit": {"rps": 0},  # pacing is the client's job; tests that need SES's own add it
        "zones": [{"origin": "example.com"}, {"origin": "example.org"}],
        "accounts": [
            {
                "id": EMU_ACCOUNT,
                "label": "test",
                "access_keys": [EMU_KEY],
                "regions": {code: {"production": code != "ap-southeast-2"} for code in REGIONS},
            }
        ],
    }


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    from emulator.testing import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _moto_backend(url: str) -> Backend:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    return Backend("moto", url, MOTO_ACCOUNT, "AKIAMOTO000000000001")


@pytest.fixture
def ses_env(monkeypatch, settings, tmp_path):
    """What every SES test needs: no pacing, few retries, no local AWS config, no cache."""
    settings.SESOPS_SES_RATE = 0
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(ses, "MAX_ATTEMPTS", 2)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL_SESV2"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    ses.clear_client_cache()
    yield monkeypatch
    ses.clear_client_cache()


def point_at(monkeypatch, backend: Backend) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", backend.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", backend.access_key)
    ses.clear_client_cache()


@pytest.fixture(params=["emulator", "moto"])
def backend(request, ses_env) -> Iterator[Backend]:
    """The same test against the emulator and against moto."""
    if request.param == "moto":
        found = _moto_backend(request.getfixturevalue("_moto_server"))
        point_at(ses_env, found)
        yield found
        return
    from emulator.testing import run_emulator

    with run_emulator(_scenario()) as emu:
        found = Backend("emulator", emu.url, EMU_ACCOUNT, EMU_KEY, emu=emu)
        point_at(ses_env, found)
        yield found


@pytest.fixture
def emulator_backend(ses_env) -> Iterator[Backend]:
    """Only the emulator: for what moto cannot do (statuses, faults, GetAccount)."""
    from emulator.testing import run_emulator

    with run_emulator(_scenario()) as emu:
        found = Backend("emulator", emu.url, EMU_ACCOUNT, EMU_KEY, emu=emu)
        point_at(ses_env, found)
        yield found


def region_for(backend: Backend, code: str = "us-east-1") -> Region:
    account, _ = AwsAccount.objects.get_or_create(
        label=backend.name, defaults={"account_id": backend.account_id}
    )
    region, _ = Region.objects.get_or_create(account=account, code=code)
    return region
