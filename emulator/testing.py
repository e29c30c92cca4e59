"""Helpers for tests and benchmarks: run the emulator in a background thread.

    with run_emulator({"accounts": [...]}) as emu:
        client = emu.client("sesv2", region_name="eu-west-1")
        emu.control("POST", "/_emulator/clock", {"advance_seconds": 3600})

Unless the scenario sets `rate_limit`, `run_emulator` makes the rate unlimited (tests
rarely want SES's 1 request/s); pass `{"rate_limit": {"rps": 1, "burst": 1}}` to get it.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import scenario as scenario_mod
from emulator.app import App
from emulator.server import EmulatorHTTPServer, make_server
from emulator.state import State
from emulator.zones import ZoneStore

FAKE_KEY = "AKIAEMULATOR00000000"
FAKE_SECRET = "emulator-secret"


class ControlError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"control API answered {status}: {body}")
        self.status, self.body = status, body


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningEmulator:
    app: App
    server: EmulatorHTTPServer
    dns: Any = None  # the DNS server handle when dns_port was given
    dns_port: int | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> ZoneStore:
        return self.app.store

    @property
    def state(self) -> State:
        return self.app.state

    def control(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        """Call the control API; `path` may omit the `/_emulator` prefix. Raises ControlError
        on an HTTP error, else returns the decoded JSON answer."""
        if not path.startswith("/_emulator"):
            path = "/_emulator/" + path.lstrip("/")
        data = _dumps(json) if json is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method.upper())
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return _loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise ControlError(exc.code, _loads(exc.read())) from None

    def client(
        self,
        service: str = "sesv2",
        region_name: str = "us-east-1",
        access_key: str = FAKE_KEY,
        **kw: Any,
    ) -> Any:
        """A boto3 client on this emulator, with fake credentials and retries off (so a
        throttle or fault shows at once)."""
        import boto3
        from botocore.config import Config

        config = kw.pop("config", None) or Config(retries={"total_max_attempts": 1})
        return boto3.client(
            service,
            region_name=region_name,
            endpoint_url=self.url,
            aws_access_key_id=access_key,
            aws_secret_access_key=FAKE_SECRET,
            config=config,
            **kw,
        )

    def env(self, access_key: str = FAKE_KEY) -> dict[str, str]:
        """Environment for a subprocess (Django, Celery) whose boto3 should talk to us."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        }

    def mail(self, to: str | None = None) -> list[dict[str, Any]]:
        path = "/_emulator/mail" + (f"?to={urllib.request.quote(to)}" if to else "")
        return self.control("GET", path)["mail"]

    def click(self, address: str) -> Any:
        """Click the newest verification link sent to `address`."""
        links = [m for m in self.mail(to=address) if m["kind"] == "verification"]
        if not links:
            raise ControlError(404, f"no verification mail for {address}")
        return self.control("GET", "/_emulator/verify/" + links[-1]["token"])

    def advance(self, seconds: float) -> Any:
        return self.control("POST", "/_emulator/clock", {"advance_seconds": seconds})


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def start_dns(store: ZoneStore, port: int) -> Any:
    """Start emulator/dns_server.py's zone server; a clear error if it is missing."""
    try:
        from emulator.dns_server import start_dns_server  # built separately; imported lazily
    except ImportError as exc:
        raise RuntimeError(
            f"the DNS zone server (emulator/dns_server.py) is unavailable: {exc}"
        ) from exc
    return start_dns_server(store, port)


@contextmanager
def run_emulator(
    scenario: dict[str, Any] | str | Path | None = None, dns_port: int | None = None
) -> Iterator[RunningEmulator]:
    """Run an emulator on a free port in a background thread for the `with` block.

    `scenario`: a dict, or the path of a YAML/JSON file. `dns_port`: None runs no DNS
    server, 0 picks a free port (read it from `.dns_port`)."""
    if isinstance(scenario, str | Path):
        scenario = scenario_mod.read(scenario)
    data = dict(scenario or {})
    data.setdefault("rate_limit", {"rps": 0})
    app = App()
    server = make_server(app, "127.0.0.1", 0)  # before the scenario: its mail links need the port
    scenario_mod.apply(app, data)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="ses-emulator",
        daemon=True,
    )
    thread.start()
    dns = app.dns = start_dns(app.store, dns_port) if dns_port is not None else None
    emu = RunningEmulator(app, server, dns, dns.port if dns is not None else None, thread)
    try:
        yield emu
    finally:
        if dns is not None:
            dns.stop()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
