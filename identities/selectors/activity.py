"""The activity feed's filters: read from a query string, applied to the event log. Shared by
the /activity/ page and the API's events endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict

from regions.models import Event
from regions.params import query_text


@dataclass(frozen=True)
class ActivityFilters:
    kind: str = ""
    account: str = ""
    region: str = ""
    identity: str = ""
    actor: str = ""
    result: str = ""

    @classmethod
    def from_params(cls, params: QueryDict) -> ActivityFilters:
        kind = params.get("kind", "").strip()
        return cls(
            kind=kind if kind in Event.Kind.values else "",
            account=query_text(params, "account", 64),
            region=query_text(params, "region", 32),
            identity=query_text(params, "identity", 320),
            actor=query_text(params, "actor", 150),
            result=params.get("result", "") if params.get("result") in Event.Result.values else "",
        )

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.account:
            # Some events carry only the region; its account counts too.
            events = events.filter(
                Q(account__label=self.account) | Q(region__account__label=self.account)
            )
        if self.region:
            events = events.filter(region__code=self.region)
        if self.identity:
            events = events.filter(identity_name__icontains=self.identity)
        if self.actor:
            events = events.filter(
                Q(actor_name__icontains=self.actor) | Q(actor__username__icontains=self.actor)
            )
        if self.result:
            events = events.filter(result=self.result)
        return events

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @property
    def query(self) -> str:
        """The filters as a query string, for pagination links."""
        return urlencode(self.as_params())

    @property
    def active(self) -> bool:
        return bool(self.as_params())
