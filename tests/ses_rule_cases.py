"""Who may send, as SES decides it: one table of cases for both implementations.

The emulator (emulator/senders.py) and sesops' engine each implement the rule (the apps
never import the emulator); both are tested against these cases, so they cannot drift.
Source: SES guide, "Creating and verifying identities" (see docs/ses-rules.md):
- a verified domain covers addresses at it and at every subdomain, any depth;
- the most specific identity that exists decides (its status and settings);
- domains are case-insensitive, address identities case-sensitive;
- a plus-label is covered by the address without it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoverCase:
    id: str
    identities: dict[str, str]  # identity name -> VerificationStatus in the region
    address: str
    governing: str | None  # the identity whose status decides, None when none covers it

    @property
    def allowed(self) -> bool:
        return self.governing is not None and self.identities[self.governing] == "SUCCESS"


OK, PENDING = "SUCCESS", "PENDING"

COVER_CASES: list[CoverCase] = [
    CoverCase("domain-covers-its-address", {"example.test": OK}, "a@example.test", "example.test"),
    CoverCase(
        "domain-covers-a-subdomain", {"example.test": OK}, "a@mail.example.test", "example.test"
    ),
    CoverCase(
        "domain-covers-any-depth", {"example.test": OK}, "a@b.c.example.test", "example.test"
    ),
    CoverCase(
        "domain-is-case-insensitive", {"example.test": OK}, "a@Mail.EXAMPLE.test", "example.test"
    ),
    CoverCase("suffix-is-not-a-subdomain", {"example.test": OK}, "a@myexample.test", None),
    CoverCase("nothing-covers", {"other.test": OK}, "a@example.test", None),
    CoverCase(
        "address-identity-is-case-sensitive",
        {"Sender@example.test": OK},
        "sender@example.test",
        None,
    ),
    CoverCase(
        "address-domain-part-is-case-insensitive",
        {"Sender@example.test": OK},
        "Sender@EXAMPLE.test",
        "Sender@example.test",
    ),
    CoverCase(
        "plus-label-covered-by-address",
        {"sender@example.test": OK},
        "sender+news@example.test",
        "sender@example.test",
    ),
    CoverCase(
        "plus-label-case-sensitive-base",
        {"sender@example.test": OK},
        "Sender+news@example.test",
        None,
    ),
    CoverCase(
        "pending-address-identity-overrides-verified-domain",
        {"example.test": OK, "bob@example.test": PENDING},
        "bob@example.test",
        "bob@example.test",
    ),
    CoverCase(
        "pending-address-decides-for-its-plus-labels",
        {"example.test": OK, "bob@example.test": PENDING},
        "bob+x@example.test",
        "bob@example.test",
    ),
    CoverCase(
        "other-addresses-still-covered-by-domain",
        {"example.test": OK, "bob@example.test": PENDING},
        "alice@example.test",
        "example.test",
    ),
    CoverCase(
        "pending-subdomain-identity-overrides-verified-domain",
        {"example.test": OK, "mail.example.test": PENDING},
        "a@x.mail.example.test",
        "mail.example.test",
    ),
    CoverCase(
        "sibling-subdomain-still-covered",
        {"example.test": OK, "mail.example.test": PENDING},
        "a@news.example.test",
        "example.test",
    ),
    CoverCase(
        "verified-subdomain-under-pending-domain",
        {"example.test": PENDING, "mail.example.test": OK},
        "a@mail.example.test",
        "mail.example.test",
    ),
    CoverCase(
        "pending-domain-does-not-cover",
        {"example.test": PENDING, "mail.example.test": OK},
        "a@example.test",
        "example.test",
    ),
    CoverCase(
        "verified-address-under-pending-domain",
        {"example.test": PENDING, "ops@example.test": OK},
        "ops@example.test",
        "ops@example.test",
    ),
]
