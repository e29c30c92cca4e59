"""What the blockers engine needs from DNS checks, as plain data (no ORM import)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_MISMATCH = {"wrong_value", "wrong_type"}


def _get(check: Any, field: str) -> Any:
    return check.get(field, "") if isinstance(check, dict) else getattr(check, field, "")


def dns_blocker_inputs(checks: Iterable[Any]) -> dict[str, list[dict[str, str]]]:
    """Sort checks (DnsCheck rows or dicts) by what they block.

    `missing`, `mismatch` (wrong value or type) and `partial` hold blocking records only —
    they feed `dns_missing`, `dns_mismatch`, `dns_partial`. Failing warning-only records
    (DMARC) go to `warnings`; `unknown` (no answer) is never counted as missing.
    """
    out: dict[str, list[dict[str, str]]] = {
        "missing": [],
        "mismatch": [],
        "partial": [],
        "unknown": [],
        "warnings": [],
    }
    for check in checks:
        verdict = _get(check, "verdict")
        if verdict == "ok" or not verdict:
            continue
        item = {
            key: str(_get(check, key) or "")
            for key in ("purpose", "name", "rtype", "expected", "verdict", "diagnosis")
        }
        if _get(check, "severity") == "warning":
            out["warnings"].append(item)
        elif verdict == "missing":
            out["missing"].append(item)
        elif verdict in _MISMATCH:
            out["mismatch"].append(item)
        elif verdict == "partial":
            out["partial"].append(item)
        else:
            out["unknown"].append(item)
    return out
