"""A BIND zone-file snippet of the records still to publish. Absolute names end with a dot,
so pasting it cannot produce the "zone name appended twice" mistake."""

from __future__ import annotations

from collections.abc import Iterable

ZONE_TTL = 1800


def _txt(value: str) -> str:
    # One record, strings of at most 255 characters (a 2048-bit DKIM key needs two).
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    chunks = [escaped[i : i + 255] for i in range(0, len(escaped), 255)] or [""]
    return " ".join(f'"{c}"' for c in chunks)


def _rdata(rtype: str, value: str) -> str:
    if rtype == "TXT":
        return _txt(value)
    if rtype == "CNAME":
        return value.rstrip(".") + "."
    if rtype == "MX":
        preference, _, host = value.partition(" ")
        return f"{preference} {host.rstrip('.')}."
    return value


def zone_file(records: Iterable[tuple[str, str, str]], header: str = "") -> str:
    """Lines for (name, type, value) records; an empty string when there is nothing to add."""
    lines = [f"; {line}" for line in header.splitlines() if line]
    body = [
        f"{name.rstrip('.')}.\t{ZONE_TTL}\tIN\t{rtype}\t{_rdata(rtype, value)}"
        for name, rtype, value in records
    ]
    if not body:
        return ""
    return "\n".join(lines + body) + "\n"
