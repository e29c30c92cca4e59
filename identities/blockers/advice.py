"""SES's own advice as warnings: the open recommendations of Virtual Deliverability
Manager's Advisor (ListRecommendations) about one identity in one region.

A recommendation never blocks: SES still sends (it says what would help deliverability, or
what will hurt it). Pure code over plain data, like the rest of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

# What each type is about, in plain words (the model's RecommendationType enum); SES's own
# Description follows it in the message.
TOPICS: dict[str, str] = {
    "DKIM": "DKIM signing",
    "DMARC": "the DMARC record",
    "SPF": "SPF",
    "BIMI": "the BIMI record",
    "COMPLAINT": "the complaint rate",
    "BOUNCE": "the bounce rate",
    "FEEDBACK_3P": "feedback from mailbox providers",
    "IP_LISTING": "an IP address on a blocklist",
}
DNS_TYPES = ("DKIM", "DMARC", "SPF", "BIMI")
MESSAGE_LIMIT = 300  # the whole text is on the identity page


@dataclass(frozen=True)
class Advice:
    """One open recommendation about the identity (regions.SesRecommendation, plain)."""

    type: str
    impact: str  # HIGH | LOW
    description: str

    @property
    def topic(self) -> str:
        return TOPICS.get(self.type, self.type.replace("_", " ").lower())


def advice_message(item: Advice) -> str:
    impact = (item.impact or "unknown").lower()
    text = " ".join((item.description or "").split())
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1].rstrip() + "…"
    return f"About {item.topic} ({impact} impact): {text or 'no description from SES'}"


def advice_remedy(item: Advice, *, is_email: bool) -> str:
    if item.type in DNS_TYPES and not is_email:
        return (
            "Fix the domain's DNS as SES describes; SES's Advisor marks it fixed once it sees "
            "the change."
        )
    if item.type in ("COMPLAINT", "BOUNCE", "FEEDBACK_3P"):
        return "Review who receives this identity's mail (lists, consent, bounces) as SES advises."
    return "Follow SES's advice (Virtual Deliverability Manager, Advisor) for this identity."
