"""Choosing the hosted zone to write to: only the delegated one, else say where to go."""

from __future__ import annotations

from identities.dns.publish_zone import DELEGATED, NO_ZONE, NOT_DELEGATED, UNRESOLVED, choose_zone
from regions.dns_types import HostedZone

DELEGATED_NS = ("ns-1.awsdns-01.org", "ns-2.awsdns-02.com")
LIVE = HostedZone("ZLIVE", "example.com", nameservers=DELEGATED_NS, account="prod")
COPY = HostedZone("ZCOPY", "example.com", nameservers=("ns-9.awsdns-09.net",), account="staging")
PRIVATE = HostedZone("ZPRIV", "example.com", private=True, nameservers=DELEGATED_NS, account="prod")


def test_it_picks_the_zone_with_the_delegated_nameservers_among_copies() -> None:
    choice = choose_zone(
        found={"staging": [COPY], "prod": [LIVE]},
        probed_origin="Example.COM.",
        probed_nameservers=["NS-2.awsdns-02.com.", "ns-1.awsdns-01.org"],
    )
    assert (choice.status, choice.zone) == (DELEGATED, LIVE)
    assert choice.searched == ("prod", "staging")
    assert "ZLIVE" in choice.message and "prod" in choice.message


def test_a_copy_with_other_nameservers_is_not_chosen_and_the_message_says_where_to_go() -> None:
    choice = choose_zone(
        found={"staging": [COPY], "prod": []},
        probed_origin="example.com",
        probed_nameservers=DELEGATED_NS,
        errors={"legacy": "AccessDenied"},
    )
    assert (choice.status, choice.zone, choice.candidates) == (NOT_DELEGATED, None, (COPY,))
    assert choice.searched == ("legacy", "prod", "staging")
    assert "example.com in staging is served by ns-9.awsdns-09.net" in choice.message
    assert "served by ns-1.awsdns-01.org, ns-2.awsdns-02.com" in choice.message


def test_a_private_zone_never_serves_the_public_dns() -> None:
    choice = choose_zone(
        found={"prod": [PRIVATE]}, probed_origin="example.com", probed_nameservers=DELEGATED_NS
    )
    assert choice.status == NO_ZONE
    assert "No public Route 53 zone for this domain in prod" in choice.message


def test_a_parent_zone_is_not_the_delegated_child_zone() -> None:
    parent = HostedZone("ZPAR", "example.com", nameservers=DELEGATED_NS, account="prod")
    choice = choose_zone(
        found={"prod": [parent]}, probed_origin="mail.example.com", probed_nameservers=DELEGATED_NS
    )
    assert choice.status == NOT_DELEGATED  # the child zone is delegated elsewhere


def test_no_delegation_found_in_dns_is_unresolved() -> None:
    choice = choose_zone(found={"prod": [LIVE]}, probed_origin="", probed_nameservers=[])
    assert (choice.status, choice.zone) == (UNRESOLVED, None)
