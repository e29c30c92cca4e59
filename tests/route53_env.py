"""Point sesops' SES and Route 53 clients and its DNS probe at a running emulator (tests)."""

from __future__ import annotations

from regions import route53, ses


def use_emulator(emu, *, access_key: str, monkeypatch, settings, tmp_path) -> None:
    """boto3 through AWS_ENDPOINT_URL with the scenario's key, no pacing, no local AWS config,
    the probe asking the emulator's DNS server. Clears the client caches."""
    settings.DATA_DIR = tmp_path
    settings.SESOPS_SES_RATE = 0
    settings.SESOPS_DNS_RESOLVER = f"127.0.0.1:{emu.dns_port}"
    settings.SESOPS_DNS_PORT = emu.dns_port
    settings.SESOPS_DNS_TIMEOUT = 1.0
    for name, value in emu.env(access_key=access_key).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setattr(route53, "RATE", 0)
    clear_clients()


def clear_clients() -> None:
    ses.clear_client_cache()
    route53.clear_client_cache()
