"""Plan a DNS change: the records SES expects vs the record sets a zone holds -> a change set.

Pure functions, no I/O. The plan is a list of items the user ticks; `changes_for` turns the
ticked items into one batch of record-set changes (CREATE / UPSERT / DELETE).

Rules (SES.md, "DNS records SES expects"):
- A record set is *merged*, never overwritten: the `_amazonses` TXT of one region gains its
  token beside the other regions' and accounts' tokens; an SPF shared with other senders
  gains `include:amazonses.com`; every other value stays.
- Nothing is removed unless its item is ticked, and items that remove anything (a wrong
  CNAME target, a TXT pasted with its quotes, a record under the zone name appended twice)
  start unticked.
- A MAIL FROM MX naming any SES region's feedback endpoint is right (SES forwards bounces):
  it is never "fixed" to the region at hand.
- Nothing is planned for what is already right, so re-applying changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from identities.dns import expected as exp
from regions.dns_types import CREATE, DELETE, UPSERT, RecordChange, RecordSet, dns_name

CREATE_ITEM, MERGE_ITEM, REPLACE_ITEM, REMOVE_ITEM = "create", "merge", "replace", "remove"
DEFAULT_TTL = {"CNAME": 1800, "MX": 300, "TXT": 300}
_TXT_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FEEDBACK_MX = re.compile(r"^\d+\s+feedback-smtp\.[a-z0-9-]+\.amazonses\.com\.?$", re.I)
_PUBLISHED = (exp.DKIM, exp.VERIFICATION, exp.MAIL_FROM_MX, exp.MAIL_FROM_SPF, exp.DMARC)


@dataclass(frozen=True)
class Wanted:
    """One record SES expects, for every region that expects it."""

    purpose: str
    name: str
    rtype: str
    value: str  # CNAME/MX as SES lists them; TXT as text, without quotes
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Edit:
    """Values to add to / remove from one record set (removals are the values as served)."""

    name: str
    rtype: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    remove_all: bool = False


@dataclass(frozen=True)
class PlanItem:
    key: str  # stable across re-plans of the same state: what a tick box posts
    kind: str  # create | merge | replace | remove
    purpose: str
    name: str
    rtype: str
    edits: tuple[Edit, ...]
    reason: str
    regions: tuple[str, ...] = ()
    ticked: bool = True

    @property
    def removes(self) -> bool:
        return any(e.remove or e.remove_all for e in self.edits)


# --- values ------------------------------------------------------------------------------
def txt_text(value: str) -> str:
    """A TXT value as served in presentation format (`"a" "b"`) -> its text (`ab`)."""
    strings = _TXT_STRING.findall(value)
    if not strings:
        return value
    return "".join(re.sub(r"\\(.)", r"\1", s) for s in strings)


def txt_value(text: str) -> str:
    """Text -> presentation format, quoted and split into 255-character strings."""
    escaped = [text[i : i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in escaped)


def _same(rtype: str, a: str, b: str) -> bool:
    if rtype == "TXT":
        return " ".join(txt_text(a).split()) == " ".join(txt_text(b).split())
    if rtype == "MX":
        pa, pb = a.split(), b.split()
        return len(pa) == len(pb) == 2 and pa[0] == pb[0] and dns_name(pa[1]) == dns_name(pb[1])
    return dns_name(a) == dns_name(b)


def _wire(rtype: str, value: str) -> str:
    return txt_value(value) if rtype == "TXT" else value


# --- what SES expects --------------------------------------------------------------------
def wanted_records(by_region: Iterable[tuple[str, Sequence[exp.ExpectedRecord]]]) -> list[Wanted]:
    """Merge the expected records of every region into one list, one entry per record
    (a DEED replica's CNAMEs are the parent's; one MX serves every region's MAIL FROM)."""
    merged: dict[tuple[str, str, str], tuple[str, str, list[str]]] = {}
    for region, records in sorted(by_region, key=lambda pair: pair[0]):
        for r in records:
            if r.purpose not in _PUBLISHED:
                continue  # BYODKIM: sesops never holds the public key
            value = r.value if r.purpose != exp.MAIL_FROM_MX else ""
            key = (r.name, r.rtype, value)
            if key not in merged:
                merged[key] = (r.purpose, r.value, [])
            merged[key][2].append(region)
    return [
        Wanted(purpose, name, rtype, value, tuple(regions))
        for (name, rtype, _), (purpose, value, regions) in merged.items()
    ]


def names_to_read(wanted: Iterable[Wanted], zone: str) -> set[str]:
    """Every name the plan looks at: the wanted names and the same with the zone doubled."""
    names = {w.name for w in wanted if in_zone(w.name, zone)}
    return names | {f"{n}.{zone}" for n in names}


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


# --- the plan ----------------------------------------------------------------------------
def _item(
    kind: str, w: Wanted, edits: Sequence[Edit], reason: str, ticked: bool | None = None
) -> PlanItem:
    edits = tuple(edits)
    raw = repr((kind, w.purpose, [(e.name, e.rtype, e.add, e.remove, e.remove_all) for e in edits]))
    key = hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()
    if ticked is None:  # nothing is removed unless the user ticks it
        ticked = not any(e.remove or e.remove_all for e in edits)
    return PlanItem(key, kind, w.purpose, w.name, w.rtype, edits, reason, w.regions, ticked)


def plan(wanted: Sequence[Wanted], present: Sequence[RecordSet], zone: str) -> list[PlanItem]:
    """The items that would make `present` hold every `wanted` record (in zone `zone`)."""
    sets = {(s.name, s.rtype): s for s in present}
    items: list[PlanItem] = []
    for w in wanted:
        if not in_zone(w.name, zone):
            continue
        conflicts = _conflicts(w, sets)
        handler = {"CNAME": _plan_cname, "MX": _plan_mx}.get(w.rtype, _plan_txt)
        items += conflicts or handler(w, sets.get((w.name, w.rtype)))
        doubled = sets.get((f"{w.name}.{zone}", w.rtype))
        if doubled is not None:
            edit = Edit(doubled.name, w.rtype, remove_all=True)
            why = f"{doubled.name}: the zone name appended twice; the record belongs at {w.name}"
            items.append(_item(REMOVE_ITEM, w, [edit], why))
    return _unique(items)


def _unique(items: list[PlanItem]) -> list[PlanItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            out.append(item)
    return out


def _conflicts(w: Wanted, sets: dict[tuple[str, str], RecordSet]) -> list[PlanItem]:
    """A CNAME cannot share its name: a TXT or A where SES needs a CNAME (or the reverse)
    must go first. These items also add the wanted record (one tick does both)."""
    others = [s for (n, t), s in sets.items() if n == w.name and t != w.rtype]
    blocking = [s for s in others if w.rtype == "CNAME" or s.rtype == "CNAME"]
    if not blocking:
        return []
    edits = [Edit(s.name, s.rtype, remove_all=True) for s in blocking]
    edits.append(Edit(w.name, w.rtype, add=(_wire(w.rtype, w.value),)))
    held = ", ".join(f"{s.rtype} {' '.join(s.values)}" for s in blocking)
    why = f"{w.name} holds {held} where SES needs {w.rtype} {w.value}"
    return [_item(REPLACE_ITEM, w, edits, why)]


def _plan_cname(w: Wanted, current: RecordSet | None) -> list[PlanItem]:
    if current is None:
        return [_item(CREATE_ITEM, w, [Edit(w.name, "CNAME", add=(w.value,))], "missing")]
    if any(_same("CNAME", v, w.value) for v in current.values):
        return []
    edit = Edit(w.name, "CNAME", add=(w.value,), remove=current.values)
    why = f"points to {', '.join(current.values)}; SES needs {w.value}"
    return [_item(REPLACE_ITEM, w, [edit], why)]


def _plan_mx(w: Wanted, current: RecordSet | None) -> list[PlanItem]:
    if current is None:
        return [_item(CREATE_ITEM, w, [Edit(w.name, "MX", add=(w.value,))], "missing")]
    if len(current.values) == 1 and _FEEDBACK_MX.match(current.values[0].strip()):
        return []  # any region's feedback endpoint serves every region
    edit = Edit(w.name, "MX", add=(w.value,), remove=current.values)
    why = f"MX {', '.join(current.values)}: a MAIL FROM domain needs exactly one MX, {w.value}"
    return [_item(REPLACE_ITEM, w, [edit], why)]


def _plan_txt(w: Wanted, current: RecordSet | None) -> list[PlanItem]:
    values = current.values if current else ()
    texts = [txt_text(v) for v in values]
    items: list[PlanItem] = []
    if w.purpose == exp.MAIL_FROM_SPF:
        return _plan_spf(w, values, texts)
    if w.purpose == exp.DMARC:
        if any(t.startswith("v=DMARC1") for t in texts):
            return []
        why = "no DMARC policy (a warning: p=none only asks for reports; choose your policy)"
        edit = Edit(w.name, "TXT", add=(txt_value(w.value),))
        return [_item(MERGE_ITEM if values else CREATE_ITEM, w, [edit], why, ticked=False)]
    if w.value in texts:
        return []
    for value, text in zip(values, texts, strict=True):
        if text != w.value and text.strip('"').strip() == w.value:
            edit = Edit(w.name, "TXT", remove=(value,))
            items.append(_item(REMOVE_ITEM, w, [edit], f"{value}: pasted with its quotes"))
    kind, why = (
        (MERGE_ITEM, "added beside the values already there")
        if values
        else (
            CREATE_ITEM,
            "missing",
        )
    )
    edit = Edit(w.name, "TXT", add=(txt_value(w.value),))
    return [_item(kind, w, [edit], why), *items]


def _plan_spf(w: Wanted, values: Sequence[str], texts: Sequence[str]) -> list[PlanItem]:
    spf = [(v, t) for v, t in zip(values, texts, strict=True) if t.startswith("v=spf1")]
    if any("include:amazonses.com" in t.split() for _, t in spf):
        return []
    if not spf:
        edit = Edit(w.name, "TXT", add=(txt_value(w.value),))
        kind = MERGE_ITEM if values else CREATE_ITEM
        return [_item(kind, w, [edit], "missing" if not values else "SPF added beside")]
    old_text = spf[0][1]
    merged = old_text.replace("v=spf1", "v=spf1 include:amazonses.com", 1)
    edit = Edit(w.name, "TXT", add=(txt_value(merged),), remove=tuple(v for v, _ in spf))
    why = f"the SPF record gains include:amazonses.com and keeps its other senders: {merged}"
    ticked = len(spf) == 1  # one SPF merged in place; several SPF records is already an error
    return [_item(MERGE_ITEM, w, [edit], why, ticked=ticked)]


# --- the batch -------------------------------------------------------------------------
def changes_for(items: Iterable[PlanItem], present: Sequence[RecordSet]) -> list[RecordChange]:
    """The ticked items as one batch: per record set, present values minus removals plus
    additions; deletions first (a CNAME may need its name cleared in the same batch)."""
    sets = {(s.name, s.rtype): s for s in present}
    result: dict[tuple[str, str], list[str]] = {}
    for item in items:
        for e in item.edits:
            key = (e.name, e.rtype)
            values = result.setdefault(key, list(sets[key].values) if key in sets else [])
            if e.remove_all:
                values.clear()
            values[:] = [v for v in values if v not in e.remove]
            values += [a for a in e.add if not any(_same(e.rtype, a, v) for v in values)]
    deletes, writes = [], []
    for (name, rtype), values in result.items():
        old = sets.get((name, rtype))
        if old is None:
            if values:
                new = RecordSet(name, rtype, DEFAULT_TTL.get(rtype, 300), tuple(values))
                writes.append(RecordChange(CREATE, new))
        elif not values:
            deletes.append(RecordChange(DELETE, old))
        elif sorted(values) != sorted(old.values):
            writes.append(RecordChange(UPSERT, RecordSet(name, rtype, old.ttl, tuple(values))))
    return deletes + writes
