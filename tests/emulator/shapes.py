"""Check a response against botocore's own output shape: member names, types, enums and
required members. botocore's parsers drop what the model does not know, so the raw JSON
(SES v2) is checked before parsing; v1's XML is checked after parsing."""

from __future__ import annotations

import datetime
from typing import Any

from botocore.model import Shape

_NUMBERS = {"integer", "long", "double", "float"}


def shape_errors(shape: Shape, value: Any, path: str = "$", *, raw: bool = True) -> list[str]:
    """Every way `value` departs from `shape`; an empty list when it conforms."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = [f"{path}.{k}: not in {shape.name}" for k in value if k not in shape.members]
        errors += [
            f"{path}.{k}: required by {shape.name}, missing"
            for k in shape.required_members
            if k not in value
        ]
        for key, member in shape.members.items():
            if key in value:
                errors += shape_errors(member, value[key], f"{path}.{key}", raw=raw)
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [
            e
            for i, item in enumerate(value)
            for e in shape_errors(shape.member, item, f"{path}[{i}]", raw=raw)
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        return [
            e
            for k, v in value.items()
            for e in shape_errors(shape.key, k, f"{path}<key>", raw=raw)
            + shape_errors(shape.value, v, f"{path}[{k}]", raw=raw)
        ]
    return _scalar_errors(shape, value, path, raw)


def _scalar_errors(shape: Shape, value: Any, path: str, raw: bool) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        enum = shape.enum
        if enum and value not in enum:
            return [f"{path}: {value!r} is not one of {shape.name}'s values {enum}"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r}"]
    if kind in _NUMBERS:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number, got {value!r}"]
    if kind == "timestamp":
        # raw JSON: epoch seconds; parsed by botocore: datetime; printed by the AWS CLI: text
        ok = isinstance(value, int | float | str) if raw else isinstance(value, datetime.datetime)
        return [] if ok else [f"{path}: expected a timestamp, got {value!r}"]
    if kind == "blob":
        return [] if isinstance(value, str | bytes) else [f"{path}: expected a blob"]
    return [f"{path}: unchecked shape type {kind}"]
