"""Reads for the identity page: its state in each region, blockers, records, history."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from identities.blockers.advice_rows import map_of
from identities.blockers.deed import parent_region_of
from identities.blockers.states import Cell, cells_for
from identities.blockers.types import is_verified_row
from identities.dns.expected import ExpectedRecord, expected_records, spec_for
from identities.dns.names import InvalidDnsName
from identities.models import Identity, RegionalIdentity
from regions.models import Event, Region, SesRecommendation

TIMELINE_LENGTH = 50


def deed_origin(region_code: str) -> str:
    """SES's DkimSigningAttributesOrigin for a DEED replica of `region_code` (us-east-1 ->
    AWS_SES_US_EAST_1)."""
    return "AWS_SES_" + region_code.upper().replace("-", "_")


def deed_parent_of(dkim_origin: str) -> str:
    """The parent region of a DEED replica from its DKIM origin ("" when not a replica)."""
    return parent_region_of(dkim_origin)


VERIFICATION_CODES = {"verification_pending", "verification_failed"}


@dataclass
class RegionDetail:
    cell: Cell
    # When this region is a DEED parent: the regions whose identity is its replica.
    replicas: tuple[str, ...] = ()
    # SES's open recommendations about the identity here (VDM Advisor), high impact first.
    advice: list[SesRecommendation] = field(default_factory=list)

    @property
    def region(self) -> Region:
        return self.cell.region

    @property
    def ri(self) -> RegionalIdentity | None:
        return self.cell.regional

    @property
    def present(self) -> bool:
        return self.ri is not None and self.ri.present

    @property
    def verified(self) -> bool:
        return self.present and is_verified_row(
            self.ri.verified_for_sending, self.ri.verification_status
        )

    @property
    def deed_parent(self) -> str:
        """The parent region when this region is a DEED replica ("" otherwise)."""
        return deed_parent_of(self.ri.dkim_origin if self.ri else "")


# Mailbox providers whose domains no SES user can verify (the common ones; a miss only means
# the page shows its generic tip).
FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "mail.com",
        "tutanota.com",
    ]
)


@dataclass
class IdentityDetail:
    identity: Identity
    regions: list[RegionDetail]
    events: list[Event]
    # For an address: its domain, when that is an identity of the same account.
    domain_identity: Identity | None = None

    @property
    def present(self) -> list[RegionDetail]:
        return [r for r in self.regions if r.present]

    @property
    def absent(self) -> list[RegionDetail]:
        return [r for r in self.regions if not r.present]

    @property
    def unverified(self) -> list[RegionDetail]:
        return [r for r in self.present if not r.verified]

    @property
    def free_mail(self) -> bool:
        """An address at a mailbox provider (gmail.com, outlook.com...): its domain is not
        ours to verify, so the page never suggests it."""
        return self.identity.is_email and self.identity.domain.lower() in FREE_MAIL_DOMAINS

    @property
    def expired(self) -> list[RegionDetail]:
        """Regions where the verification link was not clicked in time (SES: FAILED)."""
        return [r for r in self.present if r.ri and r.ri.verification_status == "FAILED"]

    @property
    def pending(self) -> list[RegionDetail]:
        """Unverified regions still waiting for a click (not the expired ones)."""
        return [r for r in self.unverified if r not in self.expired]

    @property
    def needs_email_steps(self) -> bool:
        """An address whose verification is pending or failed somewhere."""
        return self.identity.is_email and any(
            b.code in VERIFICATION_CODES for r in self.present for b in r.cell.blockers
        )

    @property
    def deed_parents(self) -> list[RegionDetail]:
        """Regions that can be a DEED parent: Easy DKIM (not a replica), DKIM verified."""
        return [
            r
            for r in self.present
            if r.ri.dkim_origin in ("", "AWS_SES")
            and r.ri.dkim_tokens
            and r.ri.dkim_status == "SUCCESS"
        ]

    @property
    def vdm_regions(self) -> list[RegionDetail]:
        """Present regions where VDM is enabled: SES's advice is read there."""
        return [r for r in self.present if r.region.vdm_enabled]

    @property
    def vdm_off_regions(self) -> list[RegionDetail]:
        return [r for r in self.present if not r.region.vdm_enabled]

    @property
    def blocked_count(self) -> int:
        return sum(1 for r in self.regions if r.cell.status == "blocked")

    @property
    def sending_count(self) -> int:
        return sum(1 for r in self.regions if r.cell.status in ("sending", "warning"))


def records_for(
    identity: Identity, ri: RegionalIdentity | None
) -> tuple[list[ExpectedRecord], str]:
    """The DNS records a domain needs in one region ([] for addresses), or a readable error."""
    if ri is None or not ri.present or identity.is_email:
        return [], ""
    try:
        return expected_records(spec_for(ri)), ""
    except InvalidDnsName as err:
        return [], str(err)


def identity_detail(identity: Identity) -> IdentityDetail:
    """Everything the identity page shows, in a fixed number of queries (about seven)."""
    present_region_ids = RegionalIdentity.objects.filter(identity=identity).values("region_id")
    regions = list(
        Region.objects.select_related("account")
        .filter(account_id=identity.account_id)
        .filter(Q(hidden=False) | Q(pk__in=present_region_ids))
        .order_by("code")
    )
    advice = _advice(identity, regions)
    cells = cells_for([identity], regions, advice=map_of(advice))
    details = [RegionDetail(cell=cells[(identity.pk, region.pk)]) for region in regions]
    for parent in details:
        parent.replicas = tuple(
            r.region.code for r in details if r.present and r.deed_parent == parent.region.code
        )
    _attach_advice(advice, details)
    events = list(
        Event.objects.filter(identity_name=identity.name)
        .filter(Q(account_id=identity.account_id) | Q(account__isnull=True))
        .select_related("region", "actor")[:TIMELINE_LENGTH]
    )
    detail = IdentityDetail(identity=identity, regions=details, events=events)
    if identity.is_email:
        detail.domain_identity = Identity.objects.filter(
            account_id=identity.account_id,
            kind=Identity.Kind.DOMAIN,
            name=identity.domain,
        ).first()
    return detail


def _advice(identity: Identity, regions: list[Region]) -> list[SesRecommendation]:
    """SES's open recommendations about the identity where VDM is enabled, high impact first
    (one query, none when no region has VDM enabled): the cells' warnings and the card."""
    vdm = [r.pk for r in regions if r.vdm_enabled]
    if not vdm:
        return []
    return list(
        SesRecommendation.objects.filter(region_id__in=vdm, identity_name=identity.name).order_by(
            "impact", "type", "id"
        )  # HIGH sorts before LOW
    )


def _attach_advice(advice: list[SesRecommendation], details: list[RegionDetail]) -> None:
    """The card lists them per region where the identity is present."""
    by_region = {d.region.pk: d for d in details if d.present and d.region.vdm_enabled}
    for row in advice:
        if row.region_id in by_region:
            by_region[row.region_id].advice.append(row)
