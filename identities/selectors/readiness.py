"""Readiness checklist for a production-access request in one account-region, from our data.

SES's reviewers look for a sender that authenticates its mail and handles its recipients well.
We check what our own synced data and DNS probes can tell: a verified domain signing with DKIM
in the region, a custom MAIL FROM domain SES has confirmed, DMARC published (from the DNS
probe; "not checked yet" until it ran), no identity blocked for its own reasons, and an account
in good standing. What the request text must describe (use case, volume, bounce and complaint
handling, opt-in) cannot be checked: it is returned as guidance.

The checklist never stops a submission; it tells the admin what a reviewer will likely ask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from identities.blockers.engine import blockers_for, without_account_blocks
from identities.blockers.states import dns_states, identity_state, region_state
from identities.blockers.types import is_verified_row
from identities.models import DnsCheck, Identity, RegionalIdentity
from regions.models import Region

OK = "ok"
TODO = "todo"  # something to fix before asking
UNKNOWN = "unknown"  # our data cannot tell yet
NAMES_SHOWN = 10


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    status: str  # ok | todo | unknown
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class Guidance:
    key: str
    label: str
    prompt: str


@dataclass(frozen=True)
class Readiness:
    region: Region
    items: tuple[CheckItem, ...]

    @property
    def passed(self) -> int:
        return sum(1 for i in self.items if i.ok)

    @property
    def ready(self) -> bool:
        return all(i.ok for i in self.items)


# What the use-case description must tell SES's reviewers (they deny vague requests).
GUIDANCE: tuple[Guidance, ...] = (
    Guidance(
        "use_case",
        "Sending use case",
        "What you send (receipts, password resets, alerts, newsletters), to whom, and why they "
        "expect it. Name the product and link to it.",
    ),
    Guidance(
        "volume",
        "Volume",
        "How many messages per day and per month now, the expected peak, and the sending rate "
        "you need.",
    ),
    Guidance(
        "bounces",
        "Bounces and complaints",
        "How bounce and complaint notifications reach you (SNS topics, event destinations) and "
        "what you do with them: suppress the address, stop sending, keep rates low.",
    ),
    Guidance(
        "opt_in",
        "Opt-in",
        "How recipients asked for the mail (sign-up, double opt-in, an account they created), "
        "how they unsubscribe, and that you never use bought or rented lists.",
    ),
)


def readiness_for_regions(regions: Sequence[Region]) -> dict[int, Readiness]:
    """Checklists for several regions in a constant number of queries (two)."""
    ids = [r.pk for r in regions]
    ris_by_region: dict[int, list[RegionalIdentity]] = defaultdict(list)
    for ri in (
        RegionalIdentity.objects.filter(region_id__in=ids, present=True)
        .select_related("identity")
        .order_by("identity__name")
    ):
        ris_by_region[ri.region_id].append(ri)
    checks_by_ri: dict[int, list[DnsCheck]] = defaultdict(list)
    for check in DnsCheck.objects.filter(
        regional_identity__region_id__in=ids, regional_identity__present=True
    ):
        checks_by_ri[check.regional_identity_id].append(check)
    return {r.pk: _readiness(r, ris_by_region[r.pk], checks_by_ri) for r in regions}


def _verified(ri: RegionalIdentity) -> bool:
    return is_verified_row(ri.verified_for_sending, ri.verification_status)


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _readiness(
    region: Region, ris: list[RegionalIdentity], checks_by_ri: dict[int, list[DnsCheck]]
) -> Readiness:
    domains = [ri for ri in ris if ri.identity.kind == Identity.Kind.DOMAIN]
    signed = [ri for ri in domains if _verified(ri) and ri.dkim_status == "SUCCESS"]
    items = (
        _dkim_item(region, domains, signed),
        _mail_from_item(domains, signed),
        _dmarc_item(domains, checks_by_ri),
        _blocked_item(region, ris, domains, checks_by_ri),
        _standing_item(region),
    )
    return Readiness(region=region, items=items)


def _dkim_item(
    region: Region, domains: list[RegionalIdentity], signed: list[RegionalIdentity]
) -> CheckItem:
    label = f"A verified domain signing with DKIM in {region.code}"
    if signed:
        return CheckItem("dkim", label, OK, _names([ri.identity.name for ri in signed]))
    if not domains:
        return CheckItem(
            "dkim", label, TODO, "No domain identity here: reviewers expect mail from your domain."
        )
    states = [
        f"{ri.identity.name}: verification {ri.verification_status or 'unknown'}, "
        f"DKIM {ri.dkim_status or 'not set up'}"
        for ri in domains
    ]
    return CheckItem("dkim", label, TODO, _names(states))


def _mail_from_item(domains: list[RegionalIdentity], signed: list[RegionalIdentity]) -> CheckItem:
    label = "Custom MAIL FROM domain published"
    pool = signed or domains
    good = [ri for ri in pool if ri.mail_from_domain and ri.mail_from_status == "SUCCESS"]
    if good:
        return CheckItem("mail_from", label, OK, _names([ri.mail_from_domain for ri in good]))
    configured = [
        f"{ri.mail_from_domain}: {ri.mail_from_status or 'unknown'}"
        for ri in pool
        if ri.mail_from_domain
    ]
    if configured:
        return CheckItem("mail_from", label, TODO, _names(configured))
    return CheckItem("mail_from", label, TODO, "No custom MAIL FROM domain is set up here.")


def _dmarc_item(
    domains: list[RegionalIdentity], checks_by_ri: dict[int, list[DnsCheck]]
) -> CheckItem:
    label = "DMARC published"
    found = [(ri, c) for ri in domains for c in checks_by_ri.get(ri.pk, []) if c.purpose == "dmarc"]
    good = sorted({ri.identity.name for ri, c in found if c.verdict == DnsCheck.Verdict.OK})
    if good:
        return CheckItem("dmarc", label, OK, _names(good))
    if not found:
        return CheckItem("dmarc", label, UNKNOWN, "Not checked yet.")
    bad = [f"{c.name}: {c.get_verdict_display().lower()}" for _ri, c in found]
    return CheckItem("dmarc", label, TODO, _names(bad))


def _blocked_item(
    region: Region,
    ris: list[RegionalIdentity],
    domains: list[RegionalIdentity],
    checks_by_ri: dict[int, list[DnsCheck]],
) -> CheckItem:
    label = "No blocked identities"
    # Blockers that come from the account-region, not from the identity: the region's own row
    # in the checklist covers them, and the sandbox is the very thing the request is about.
    neutral = without_account_blocks(region_state(region))
    verified_domains = {ri.identity.name.lower() for ri in domains if _verified(ri)}
    blocked: list[str] = []
    for ri in ris:
        state = identity_state(
            ri,
            domain_verified=ri.identity.domain.lower() in verified_domains,
            other_regions=(),
        )
        found = blockers_for(state, neutral, dns_states(checks_by_ri.get(ri.pk, [])))
        first = next((b for b in found if b.blocking), None)
        if first is not None:
            blocked.append(f"{ri.identity.name} ({first.title.lower()})")
    if not ris:
        return CheckItem("blocked", label, TODO, "No identities in this region yet.")
    if blocked:
        return CheckItem("blocked", label, TODO, _names(blocked))
    return CheckItem("blocked", label, OK, f"All {len(ris)} identities can send.")


def _standing_item(region: Region) -> CheckItem:
    label = "Account in good standing"
    if region.production_access_enabled is None:
        return CheckItem("standing", label, UNKNOWN, "Account state never read: sync first.")
    problems = []
    if region.sending_enabled is False:
        problems.append("sending is paused")
    status = (region.enforcement_status or "").upper()
    if status and status != "HEALTHY":
        problems.append(f"enforcement status {status}")
    if problems:
        text = "; ".join(problems)
        return CheckItem("standing", label, TODO, text[0].upper() + text[1:] + ".")
    return CheckItem("standing", label, OK, "Sending enabled, enforcement HEALTHY.")
