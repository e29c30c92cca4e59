"""Verdicts and diagnoses for expected records, from what each nameserver answered. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from identities.dns.expected import (
    BYODKIM,
    DKIM,
    MAIL_FROM_MX,
    VERIFICATION,
    ExpectedRecord,
)
from identities.dns.probe import NOT_DELEGATED, UNRESOLVED, RecordProbe, ServerProbe
from identities.dns.query import OK, Answer
from identities.dns.values import Diagnosis, Match, match

OK_V, MISSING, WRONG_VALUE, WRONG_TYPE, PARTIAL, UNKNOWN = (
    "ok",
    "missing",
    "wrong_value",
    "wrong_type",
    "partial",
    "unknown",
)
_BAD_ORDER = (WRONG_VALUE, WRONG_TYPE, MISSING)  # the most telling bad state wins
_VERIFIED = "SUCCESS"
_WRONG_TYPE_CODES = frozenset({"flattened", "cname_in_txt", "txt_instead", "other_type"})


@dataclass(frozen=True)
class SesState:
    """What SES says about the identity in this region (statuses as SES spells them)."""

    verification_status: str = ""
    dkim_status: str = ""
    mail_from_status: str = ""


@dataclass
class RecordVerdict:
    record: ExpectedRecord
    verdict: str
    diagnoses: list[Diagnosis] = field(default_factory=list)
    answers: dict[str, dict] = field(default_factory=dict)  # per nameserver host, for storage

    @property
    def diagnosis(self) -> str:
        return "\n".join(dict.fromkeys(d.text for d in self.diagnoses))

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(d.code for d in self.diagnoses))


def _answer_json(sp: ServerProbe) -> dict:
    a = sp.answer
    out: dict = {
        "address": sp.nameserver.address,
        "status": a.status,
        "rtype": a.rtype,
        "values": list(a.values),
        "ttl": a.ttl,
    }
    if a.strings and any(len(s) > 1 for s in a.strings):
        out["strings"] = [list(s) for s in a.strings]
    if a.tcp:
        out["tcp"] = True
    if a.detail:
        out["detail"] = a.detail
    found = [{"rtype": x.rtype, "values": list(x.values), "ttl": x.ttl} for _, x in sp.others]
    if any(f["values"] for f in found):
        out["also"] = [f for f in found if f["values"]]
    if sp.doubled is not None and sp.doubled.status == OK:
        out["doubled"] = {"name": sp.doubled_name, "values": list(sp.doubled.values)}
    if sp.followed is not None and sp.followed.status == OK:
        out["followed"] = {"rtype": sp.followed.rtype, "values": list(sp.followed.values)}
    if not sp.nameserver.delegated:
        out["delegated"] = False
    return out


def _flattened(record: ExpectedRecord, other: Answer) -> Diagnosis:
    return Diagnosis(
        "flattened",
        f"The name answers with {other.rtype} records ({', '.join(other.values)}) instead of "
        f"a {record.rtype}: the record is proxied or CNAME-flattened (e.g. Cloudflare's orange "
        "cloud). Set it to 'DNS only'.",
    )


def _txt_for_cname(record: ExpectedRecord, other: Answer) -> Diagnosis:
    if any(record.value in v.lower() for v in other.values):
        return Diagnosis(
            "cname_in_txt",
            "The CNAME target was pasted into a TXT record: delete the TXT, create a CNAME.",
        )
    return Diagnosis("txt_instead", f"A TXT record is here instead: {', '.join(other.values)}.")


def _zone_doubled(record: ExpectedRecord, sp: ServerProbe) -> Diagnosis:
    zone = sp.doubled_name[len(record.name) + 1 :]
    short = record.name[: -len(zone) - 1] if record.name.endswith("." + zone) else record.name
    return Diagnosis(
        "zone_doubled",
        f"Published as {sp.doubled_name}: the zone name was appended twice. In the {zone} zone "
        f"enter only {short}.",
    )


def _server_state(record: ExpectedRecord, sp: ServerProbe) -> Match:
    """One nameserver's answer: ok / wrong_value / wrong_type / missing / unknown, and why."""
    a: Answer = sp.answer
    if a.unknown:
        return Match(UNKNOWN)
    if a.status == OK and a.rtype == record.rtype:
        return match(record, a)
    followed = sp.followed
    if (
        a.status == OK
        and followed is not None
        and followed.status == OK
        and followed.rtype == "TXT"
    ):
        via = Diagnosis("via_cname", f"Served through a CNAME to {a.values[0]}.")
        result = match(record, followed)
        return Match(result.state, (*result.diagnoses, via))
    if a.status == OK:  # a CNAME where a TXT or MX belongs
        text = f"A CNAME to {a.values[0]} is here instead of a {record.rtype} record."
        return Match(WRONG_TYPE, (Diagnosis("cname_instead", text),))
    diags: list[Diagnosis] = []
    for _, other in sp.others:
        if other.status != OK:
            continue
        if other.rtype in ("A", "AAAA"):
            diags.append(_flattened(record, other))
        elif other.rtype == "TXT" and record.rtype == "CNAME":
            diags.append(_txt_for_cname(record, other))
        elif other.rtype != record.rtype:
            diags.append(Diagnosis("other_type", f"Found {other.rtype} instead."))
    if sp.doubled is not None and sp.doubled.status == OK:
        diags.append(_zone_doubled(record, sp))
    wrong_type = any(d.code in _WRONG_TYPE_CODES for d in diags)
    return Match(WRONG_TYPE if wrong_type else MISSING, tuple(diags))


def _elsewhere(record: ExpectedRecord, probe: RecordProbe) -> Diagnosis | None:
    """The record exists on an also-asked server the parent does not delegate to."""
    found = [sp for sp in probe.extra if _server_state(record, sp).state == OK_V]
    if not found:
        return None
    hosts = ", ".join(f"{sp.nameserver.host} ({sp.nameserver.address})" for sp in found)
    live = ", ".join(ns.host for ns in probe.zone.nameservers) or "none"
    return Diagnosis(
        "not_delegated",
        f"The record exists on {hosts}, which is not among the nameservers the parent delegates "
        f"to ({live}): it was edited in a zone that is not the live one.",
    )


def _not_delegated(record: ExpectedRecord) -> Diagnosis:
    return Diagnosis(
        "not_delegated",
        f"No nameserver is delegated for {record.zone_hint or record.name}: its parent has no NS "
        "records for it, so SES cannot see any record there.",
    )


def _partial(probe: RecordProbe, good: list[str], bad: list[str]) -> Diagnosis:
    others = ", ".join(f"{h} answers {_describe(probe, h)}" for h in bad)
    return Diagnosis(
        "partial",
        f"Served by {', '.join(good)} only; {others}. The nameservers disagree (a change still "
        "propagating, or edited on one of them only).",
    )


def judge(record: ExpectedRecord, probe: RecordProbe) -> RecordVerdict:
    """The verdict for one record from every nameserver's answer."""
    result = RecordVerdict(record, UNKNOWN)
    result.answers = {sp.nameserver.host: _answer_json(sp) for sp in probe.servers + probe.extra}
    elsewhere = _elsewhere(record, probe)
    if probe.zone.status == UNRESOLVED:
        text = f"Could not find the zone's nameservers: {probe.zone.detail}."
        result.diagnoses.append(Diagnosis("no_nameservers", text))
        return result
    if probe.zone.status == NOT_DELEGATED:
        result.verdict = MISSING
        result.diagnoses += [elsewhere] if elsewhere else [_not_delegated(record)]
        return result
    states = {sp.nameserver.host: _server_state(record, sp) for sp in probe.servers}
    for state in states.values():
        result.diagnoses.extend(state.diagnoses)
    good = [h for h, s in states.items() if s.state == OK_V]
    unknown = [h for h, s in states.items() if s.state == UNKNOWN]
    bad = {h: s.state for h, s in states.items() if s.state not in (OK_V, UNKNOWN)}
    if unknown:
        why = ", ".join(f"{h} ({_describe(probe, h)})" for h in unknown)
        result.diagnoses.append(Diagnosis("no_answer", f"No usable answer from {why}."))
        refusing = [h for h in unknown if _describe(probe, h) == "refused"]
        if refusing:
            result.diagnoses.append(
                Diagnosis(
                    "lame_delegation",
                    f"{', '.join(refusing)} refuses to answer for {probe.zone.origin}: the parent "
                    "lists a nameserver that does not serve the zone (a lame delegation).",
                )
            )
    if not states or len(unknown) == len(states):
        result.verdict = UNKNOWN
    elif good and bad:
        result.verdict = PARTIAL
        result.diagnoses.insert(0, _partial(probe, good, list(bad)))
    elif good:
        result.verdict = OK_V
    else:
        result.verdict = next(v for v in _BAD_ORDER if v in bad.values())
    if elsewhere and result.verdict != OK_V:
        result.diagnoses.insert(0, elsewhere)
    return result


def _describe(probe: RecordProbe, host: str) -> str:
    sp = next(s for s in probe.servers if s.nameserver.host == host)
    a = sp.answer
    if a.status == OK:
        return f"{a.rtype} {', '.join(a.values)}"
    return a.status.upper() if a.status in ("nxdomain", "nodata") else a.status


def judge_domain(
    records: Sequence[ExpectedRecord],
    probes: dict[tuple[str, str], RecordProbe],
    ses: SesState | None = None,
    note: str = "",
) -> list[RecordVerdict]:
    """Verdicts for one domain's records, with the diagnoses that need them all."""
    verdicts = [judge(r, probes[(r.name, r.rtype)]) for r in records]
    dkim = [v for v in verdicts if v.record.purpose == DKIM]
    published = [v for v in dkim if v.verdict not in (MISSING, UNKNOWN)]
    if dkim and published and len(published) < len(dkim):
        for v in dkim:
            if v.verdict == MISSING:
                text = (
                    f"Only {len(published)} of the {len(dkim)} DKIM CNAMEs are published; SES "
                    "needs all of them."
                )
                v.diagnoses.append(Diagnosis("dkim_incomplete", text))
    ses = ses or SesState()
    verified_by = {
        DKIM: ses.dkim_status,
        BYODKIM: ses.dkim_status,
        VERIFICATION: ses.verification_status,
        MAIL_FROM_MX: ses.mail_from_status,  # SES verifies MAIL FROM by its MX alone
    }
    for v in verdicts:
        if verified_by.get(v.record.purpose) == _VERIFIED and v.verdict == MISSING:
            v.diagnoses.append(
                Diagnosis(
                    "verified_but_gone",
                    "SES still says verified, but the record is gone: SES will notice, mark it "
                    "TEMPORARY_FAILURE and revoke it within about 72 hours. Republish it now.",
                )
            )
    if note:
        for v in verdicts:
            v.diagnoses.append(Diagnosis("idn", note))
    return verdicts


def add_cross_region_diagnoses(
    by_region: Mapping[str, Sequence[RecordVerdict]],
    deed_parents: Mapping[str, bool] | None = None,
) -> None:
    """One identity in several regions: when a region's DKIM CNAMEs are all missing while
    another region's are all published, say that each region has its own tokens. A DEED
    replica is suggested only of a region that SES would accept as a parent
    (`deed_parents`: region -> verified with Easy DKIM, not BYODKIM nor itself a replica)
    and whose DKIM records are ALL published."""
    parents = deed_parents or {}
    published = sorted(
        region
        for region, verdicts in by_region.items()
        if (dkim := [v for v in verdicts if v.record.purpose == DKIM])
        and all(v.verdict == OK_V for v in dkim)
    )
    for region, verdicts in by_region.items():
        dkim = [v for v in verdicts if v.record.purpose == DKIM]
        others = [r for r in published if r != region]
        if not (dkim and others and all(v.verdict == MISSING for v in dkim)):
            continue
        text = (
            f"The DKIM CNAMEs of {', '.join(others)} are published, but each region has its "
            f"own tokens: publish these {len(dkim)} as well"
        )
        eligible = [r for r in others if parents.get(r)]
        if eligible:
            text += (
                f", or recreate the identity here as a DEED replica of {eligible[0]} to reuse "
                "its records"
            )
        for v in dkim:
            v.diagnoses.append(Diagnosis("other_region_tokens", text + "."))
