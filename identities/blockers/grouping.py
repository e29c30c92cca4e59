"""One root cause, one line: the engine's blockers grouped under their cause, for the pages.

The engine lists every code that applies (its rules and codes stay as they are: reports, the
API and alerts read them one by one). A reader wants the cause: three DKIM CNAMEs missing make
SES's verification and DKIM "pending" too, and those are consequences, not three problems.
Pure functions over the engine's Blocker; nothing here changes a verdict or the stored flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identities.blockers.types import Blocker

# A DNS record missing, wrong or not on every nameserver is why SES still says "pending".
DNS_CAUSES = ("dns_missing", "dns_mismatch", "dns_partial")
DNS_CONSEQUENCES = ("verification_pending", "dkim_pending", "mail_from_pending")


@dataclass(frozen=True)
class BlockerGroup:
    cause: Blocker
    consequences: tuple[Blocker, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.cause.blocking or any(c.blocking for c in self.consequences)

    @property
    def code(self) -> str:
        return self.cause.code


def group_blockers(blockers: Iterable[Blocker]) -> list[BlockerGroup]:
    """Causes in the engine's order, each with the blockers that follow from it; blocking
    groups first (a warning never hides in front of what stops sending)."""
    blockers = list(blockers)
    cause = next((b for b in blockers if b.code in DNS_CAUSES), None)
    follow = [b for b in blockers if cause is not None and b.code in DNS_CONSEQUENCES]
    groups = []
    for b in blockers:
        if b in follow:
            continue
        groups.append(BlockerGroup(b, tuple(follow) if b is cause else ()))
    return sorted(groups, key=lambda g: not g.blocking)


def count_causes(blockers: Iterable[Blocker]) -> tuple[int, int]:
    """(causes that block sending, causes that only warn): what a badge's count says."""
    groups = group_blockers(blockers)
    blocking = sum(g.blocking for g in groups)
    return blocking, len(groups) - blocking
