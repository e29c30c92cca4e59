"""Does what a nameserver serves match what SES expects? Per purpose, with the reason."""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass, replace

from config.env import known_ses_regions
from identities.dns.expected import (
    BYODKIM,
    DKIM,
    DMARC,
    MAIL_FROM_MX,
    MAIL_FROM_SPF,
    VERIFICATION,
    ExpectedRecord,
)
from identities.dns.query import Answer

_FEEDBACK = re.compile(r"^feedback-smtp\.([a-z0-9-]+)\.amazonses\.com$")
_INBOUND = re.compile(r"^inbound-smtp\.([a-z0-9-]+)\.amazonaws\.com$")
_SIGNING = re.compile(r"^([a-z0-9]+)\.(dkim(?:\.[a-z0-9-]+)?\.amazonses\.com)$")


@dataclass(frozen=True)
class Diagnosis:
    code: str
    text: str


@dataclass(frozen=True)
class Match:
    state: str  # ok | wrong_value | missing
    diagnoses: tuple[Diagnosis, ...] = ()


def _bad(code: str, text: str, state: str = "wrong_value") -> Match:
    return Match(state, (Diagnosis(code, text),))


def _dkim_cname(record: ExpectedRecord, answer: Answer) -> Match:
    got = answer.values[0] if answer.values else ""
    if got == record.value:
        return Match("ok")
    if record.zone_hint and got.startswith(record.value + "."):
        return _bad(
            "target_zone_appended",
            f"The CNAME target is {got}: the zone was appended to it. Enter the target "
            "with a trailing dot (or as your provider expects a full name).",
        )
    want, have = _SIGNING.match(record.value), _SIGNING.match(got)
    if want and have and want[1] == have[1]:
        return _bad(
            "wrong_signing_zone",
            f"The CNAME points at {have[2]}; this region signs with {want[2]}.",
        )
    if want and have:
        return _bad(
            "wrong_dkim_token",
            f"The CNAME points at token {have[1]}, not {want[1]}: a token of another region "
            "or of an earlier identity. Each region has its own tokens.",
        )
    return _bad("wrong_value", f"The CNAME points at {got}, expected {record.value}.")


def _dkim_tags(text: str) -> dict[str, str]:
    tags = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip().lower()] = value.strip()
    return tags


def _der_complete(blob: bytes) -> bool:
    """Is `blob` one whole DER SEQUENCE (a SubjectPublicKeyInfo), nothing cut or added?"""
    if len(blob) < 2 or blob[0] != 0x30:
        return False
    length, header = blob[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 3 or len(blob) < 2 + count:
            return False
        length, header = int.from_bytes(blob[2 : 2 + count], "big"), 2 + count
    return header + length == len(blob)


def check_dkim_key(answer: Answer) -> Match:
    """A BYODKIM TXT: one record, `p=` a whole base64 public key, split into ≤255 strings."""
    keyish = [v for v in answer.values if "p=" in v.replace(" ", "") or "v=dkim1" in v.lower()]
    if not keyish:
        return _bad("no_dkim_key", "No TXT here holds a DKIM key (v=DKIM1; p=...).", "missing")
    if len(answer.values) > 1:
        return _bad(
            "dkim_key_split_records",
            f"The key is spread over {len(answer.values)} separate TXT records; a long key "
            "must be several quoted strings inside ONE record.",
        )
    tags = _dkim_tags(answer.values[0])
    key = tags.get("p", "")
    if not key:
        return _bad("dkim_key_empty", "The DKIM record has an empty p= (a revoked key).")
    if re.search(r"[\s\"'\\]", key):
        return _bad(
            "dkim_key_split_wrongly",
            "The key contains spaces or quote characters: it was split with stray quotes. "
            'Publish it as "part1" "part2" with nothing inside the key itself.',
        )
    strings = answer.strings[0] if answer.strings else ()
    cut = any(len(s.encode()) == 255 for s in strings)
    try:
        blob = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        blob = b""
    if tags.get("k", "rsa").lower() == "ed25519":
        # An Ed25519 key is the bare 32-byte key, not DER (RFC 8463).
        if len(blob) == 32:
            return Match("ok")
        return _bad("dkim_key_broken", "The p= value is not a 32-byte Ed25519 public key.")
    if not _der_complete(blob):
        if cut or len(key) < 200:
            return _bad(
                "dkim_key_truncated",
                f"The key is cut short ({len(key)} base64 characters): a key over 255 "
                "characters was not split into several strings and the provider truncated it.",
            )
        return _bad("dkim_key_broken", "The p= value is not a complete base64 public key.")
    return Match("ok")


@functools.cache
def _ses_regions() -> frozenset[str]:
    return frozenset(known_ses_regions())


def _mx_host_problem(host: str, domain: str) -> Diagnosis | None:
    """Why one MX host cannot be a MAIL FROM domain's MX; None when it is SES's feedback
    endpoint of any SES region (one MAIL FROM domain may serve several regions)."""
    feedback = _FEEDBACK.match(host)
    if feedback and feedback[1] in _ses_regions():
        return None
    if feedback:
        return Diagnosis(
            "mail_from_unknown_region",
            f"The MX points at {host}, but {feedback[1]} is not an SES region.",
        )
    inbound = _INBOUND.match(host)
    if inbound:
        return Diagnosis(
            "mail_from_inbound_endpoint",
            f"The MX points at {host}, SES's endpoint for receiving mail, not its feedback "
            f"endpoint: use feedback-smtp.{inbound[1]}.amazonses.com.",
        )
    return Diagnosis(
        "mail_from_not_ses",
        f"The MX points at {host}, not at SES's feedback endpoint: the MAIL FROM domain "
        f"{domain} must not take the domain's own mail; its one MX names "
        "feedback-smtp.<region>.amazonses.com.",
    )


def _mx(record: ExpectedRecord, answer: Answer) -> Match:
    """Exactly one MX naming any SES region's feedback endpoint (SES guide: bounces go to the
    region named and are forwarded to the region that sent)."""
    want_host = record.value.split()[-1]
    hosts = [v.split()[-1] for v in answer.values]
    if len(hosts) > 1:
        return _bad(
            "multiple_mx",
            f"{len(hosts)} MX records at {record.name}; SES needs exactly one: {record.value}.",
        )
    problem = _mx_host_problem(hosts[0], record.name) if hosts else None
    if problem is not None:
        return Match("wrong_value", (problem,))
    if not hosts:
        return _bad("wrong_value", f"The MX is {', '.join(answer.values)}.")
    got, want = _FEEDBACK.match(hosts[0]), _FEEDBACK.match(want_host)
    if got and want and got[1] != want[1]:
        # Right, not a fault: at most a note on where bounces pass first.
        note = Diagnosis(
            "mail_from_other_region",
            f"The MX names {got[1]}'s feedback endpoint: correct for {want[1]} too; bounces "
            f"pass through {got[1]} first.",
        )
        return Match("ok", (note,))
    return Match("ok")


def _spf(answer: Answer) -> Match:
    spf = [v for v in answer.values if v.lower().startswith("v=spf1")]
    if not spf:
        return _bad("no_spf", "TXT records exist here, but none is an SPF record.", "missing")
    if len(spf) > 1:
        return _bad(
            "multiple_spf",
            f"{len(spf)} SPF records: receivers treat that as an error (permerror). Merge them "
            "into one that includes include:amazonses.com.",
        )
    if "include:amazonses.com" not in spf[0].lower().split():
        return _bad("spf_without_ses", f"The SPF record does not include amazonses.com: {spf[0]}")
    return Match("ok")


def _dmarc(answer: Answer) -> Match:
    found = [v for v in answer.values if v.replace(" ", "").lower().startswith("v=dmarc1")]
    if not found:
        return _bad("no_dmarc", "TXT records exist here, but none starts with v=DMARC1.", "missing")
    if len(found) > 1:
        return _bad("multiple_dmarc", f"{len(found)} DMARC records: receivers ignore them all.")
    return Match("ok")


def _unquoted(value: str) -> str:
    text = value.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else value


def match(record: ExpectedRecord, answer: Answer) -> Match:
    """`answer` holds data of the record's own type; is it what SES expects? A TXT value
    pasted with its quotes (the record holds literal `"` characters) is diagnosed as
    exactly that: the value is right, the quotes are the whole problem."""
    result = _match(record, answer)
    if result.state == "ok" or record.rtype != "TXT":
        return result
    stripped = tuple(_unquoted(v) for v in answer.values)
    if stripped == answer.values or _match(record, replace(answer, values=stripped)).state != "ok":
        return result
    return _bad(
        "txt_quoted",
        'The value is right but was pasted with its quotes: the record holds literal " '
        "characters around it. Remove them (enter the bare text; the DNS provider adds the "
        "quoting itself).",
    )


def _match(record: ExpectedRecord, answer: Answer) -> Match:
    if record.purpose == DKIM:
        return _dkim_cname(record, answer)
    if record.purpose == BYODKIM:
        return check_dkim_key(answer)
    if record.purpose == MAIL_FROM_MX:
        return _mx(record, answer)
    if record.purpose == MAIL_FROM_SPF:
        return _spf(answer)
    if record.purpose == DMARC:
        return _dmarc(answer)
    if record.value in answer.values:
        return Match("ok")
    if record.purpose == VERIFICATION:
        return _bad(
            "verification_token_absent",
            f"_amazonses holds {len(answer.values)} other token(s) but not this region's: add "
            "it as one more value of the same record set (one per region/account).",
        )
    return _bad("wrong_value", f"Found {', '.join(answer.values) or 'nothing'}.")
