"""Drive the real AWS CLI against the emulator for every SES operation sesops uses.

    python -m venv /tmp/awscli && /tmp/awscli/bin/pip install awscli
    .venv/bin/python scripts/awscli_against_emulator.py /tmp/awscli/bin/aws

Each command must exit 0 (or with the expected SES error code), print no parse error, and
its JSON output must conform to botocore's output shape (enum values included). Prints
one line per command and a summary; exits 1 when anything is off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.testing import run_emulator
from tests.emulator.test_contract_botocore import _world, off_model

SIMPLE = json.dumps({"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
# (service, operation, CLI arguments, region, expected error code or None)
COMMANDS: list[tuple[str, str, list[str], str, str | None]] = [
    ("sesv2", "GetAccount", [], "us-east-1", None),
    ("sesv2", "GetAccount", [], "eu-west-1", None),
    ("sesv2", "ListEmailIdentities", ["--page-size", "1000"], "us-east-1", None),
    ("sesv2", "ListEmailIdentities", ["--page-size", "0"], "us-east-1", None),
    ("sesv2", "GetEmailIdentity", ["--email-identity", "example.test"], "us-east-1", None),
    ("sesv2", "GetEmailIdentity", ["--email-identity", "ops@example.test"], "us-east-1", None),
    ("sesv2", "CreateEmailIdentity", ["--email-identity", "cli.example.test"], "us-east-1", None),
    (
        "sesv2",
        "CreateEmailIdentity",
        [
            "--email-identity",
            "example.test",
            "--dkim-signing-attributes",
            "DomainSigningAttributesOrigin=AWS_SES_US_EAST_1",
        ],
        "eu-west-2",
        None,
    ),
    ("sesv2", "GetEmailIdentity", ["--email-identity", "example.test"], "eu-west-2", None),
    (
        "sesv2",
        "PutEmailIdentityDkimAttributes",
        ["--email-identity", "example.test", "--no-signing-enabled"],
        "us-east-1",
        None,
    ),
    (
        "sesv2",
        "PutEmailIdentityDkimSigningAttributes",
        ["--email-identity", "cli.example.test", "--signing-attributes-origin", "AWS_SES"],
        "us-east-1",
        None,
    ),
    (
        "sesv2",
        "PutEmailIdentityMailFromAttributes",
        ["--email-identity", "cli.example.test", "--mail-from-domain", "m.cli.example.test"],
        "us-east-1",
        None,
    ),
    (
        "sesv2",
        "SendEmail",
        [
            "--from-email-address",
            "ops@example.test",
            "--destination",
            "ToAddresses=success@simulator.amazonses.com",
            "--content",
            SIMPLE,
        ],
        "us-east-1",
        None,
    ),
    (
        "sesv2",
        "PutAccountDetails",
        [
            "--mail-type",
            "MARKETING",
            "--website-url",
            "https://x.test",
            "--production-access-enabled",
        ],
        "ap-south-1",
        None,
    ),
    (
        "sesv2",
        "GetEmailIdentity",
        ["--email-identity", "missing.test"],
        "us-east-1",
        "NotFoundException",
    ),
    ("sesv2", "DeleteEmailIdentity", ["--email-identity", "cli.example.test"], "us-east-1", None),
    ("ses", "VerifyEmailIdentity", ["--email-address", "cli@example.test"], "us-east-1", None),
    ("ses", "VerifyDomainIdentity", ["--domain", "v1.example.test"], "us-east-1", None),
    ("ses", "VerifyDomainDkim", ["--domain", "v1.example.test"], "us-east-1", None),
    (
        "ses",
        "GetIdentityVerificationAttributes",
        ["--identities", "example.test", "ops@example.test", "unknown.test"],
        "us-east-1",
        None,
    ),
    (
        "ses",
        "GetIdentityDkimAttributes",
        ["--identities", "example.test", "ops@example.test", "unknown.test"],
        "us-east-1",
        None,
    ),
    (
        "ses",
        "GetIdentityMailFromDomainAttributes",
        ["--identities", "example.test", "ops@example.test"],
        "us-east-1",
        None,
    ),
    ("ses", "ListIdentities", ["--identity-type", "Domain"], "us-east-1", None),
    ("ses", "GetSendQuota", [], "us-east-1", None),
    (
        "ses",
        "SetIdentityDkimEnabled",
        ["--identity", "example.test", "--dkim-enabled"],
        "us-east-1",
        None,
    ),
    ("ses", "DeleteIdentity", ["--identity", "cli@example.test"], "us-east-1", None),
]


def _cli_name(operation: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in operation).lstrip("-")


def main(aws: str) -> int:
    session = botocore.session.get_session()
    bad = 0
    with run_emulator(_world()) as emu:
        env = {**os.environ, **emu.env(), "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"}
        for service, op, args, region, expected in COMMANDS:
            cmd = [aws, service, _cli_name(op), *args, "--region", region, "--output", "json"]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            problems: list[str] = []
            if expected is not None:
                if proc.returncode == 0 or f"({expected})" not in proc.stderr:
                    problems.append(f"expected {expected}, got: {proc.stderr.strip()[:200]}")
            elif proc.returncode != 0:
                problems.append(f"exit {proc.returncode}: {proc.stderr.strip()[:300]}")
            else:
                out = json.loads(proc.stdout) if proc.stdout.strip() else {}
                shape = session.get_service_model(service).operation_model(op).output_shape
                if shape is not None:
                    problems += off_model(out, shape, raw=True)
            bad += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {service} {op} ({region})")
            for p in problems:
                print(f"     {p}")
    print(f"{len(COMMANDS) - bad}/{len(COMMANDS)} commands clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "aws"))
