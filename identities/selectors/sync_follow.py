"""Follow the syncs a "Sync now" click started, until each region's run has ended.

At the click the page notes, per region, the newest SES sync run that had already ended (its
id, the "mark"). The work the click started is over in a region once a run newer than the
mark has ended and none is queued or running there. That holds whether the run row appears
when a worker starts it or when the task is queued, and when the click joined a sync that
was already on its way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from regions.models import Region, SyncRun

ACTIVE = ("queued", "running")
# A queued sync no worker has started after this long: stop waiting and say why.
GIVE_UP_AFTER = timedelta(minutes=3)


class BadMarks(ValueError):
    """The `runs` parameter is not `region:run,...` with whole numbers."""


@dataclass(frozen=True)
class RegionProgress:
    code: str
    state: str  # queued | running | succeeded | partial | failed | skipped
    run: SyncRun | None

    @property
    def ended(self) -> bool:
        return self.state not in ACTIVE

    @property
    def text(self) -> str:
        run = self.run
        if self.state == "queued":
            return "waiting for a worker"
        if self.state == "running" and run is not None:
            seconds = int((timezone.now() - run.started_at).total_seconds())
            return f"reading SES ({seconds} s)"
        if run is None:
            return self.state
        if self.state == "failed":
            return f"failed: {run.error or 'see the Regions page'}"
        changes = f"{run.changes} change{'' if run.changes == 1 else 's'}"
        if self.state == "partial":
            return f"done with errors, {changes}: {run.error}"
        return f"done, {changes}"


@dataclass(frozen=True)
class SyncProgress:
    regions: list[RegionProgress]
    started: datetime
    gave_up: bool = False

    @property
    def ended(self) -> bool:
        return self.gave_up or all(r.ended for r in self.regions)

    @property
    def failed(self) -> bool:
        return any(r.state in ("failed", "partial") for r in self.regions)


def marks_for(regions: Iterable[Region]) -> dict[int, int]:
    """region id -> id of its newest SES run that has ended (0: none yet)."""
    ids = [r.pk for r in regions]
    rows = (
        SyncRun.objects.filter(region_id__in=ids, kind=SyncRun.Kind.SES)
        .exclude(status__in=ACTIVE)
        .values("region_id")
        .annotate(last=Max("id"))
    )
    last = {row["region_id"]: row["last"] for row in rows}
    return {pk: last.get(pk, 0) for pk in ids}


def format_marks(marks: dict[int, int]) -> str:
    return ",".join(f"{region}:{run}" for region, run in marks.items())


def parse_marks(text: str) -> dict[int, int]:
    marks: dict[int, int] = {}
    for part in filter(None, text.split(",")):
        region, _, run = part.partition(":")
        if not (region.isdigit() and run.isdigit()):
            raise BadMarks(f"not region:run: {part!r}")
        marks[int(region)] = int(run)
    if not marks or len(marks) > 100:
        raise BadMarks("no regions to follow")
    return marks


def _state(runs: list[SyncRun]) -> tuple[str, SyncRun | None]:
    """`runs`: this region's SES runs newer than the mark, newest first."""
    active = next((r for r in runs if r.status in ACTIVE), None)
    if active is not None:
        return active.status, active
    if runs:
        return runs[0].status, runs[0]
    return "queued", None  # the task has not reached a worker yet


def sync_progress(*, marks: dict[int, int], started: datetime) -> SyncProgress:
    regions = {r.pk: r for r in Region.objects.filter(pk__in=marks)}
    low = min(marks.values())
    runs: dict[int, list[SyncRun]] = {}
    newer = SyncRun.objects.filter(region_id__in=regions, kind=SyncRun.Kind.SES, id__gt=low)
    for run in newer.order_by("-id"):
        if run.id > marks[run.region_id]:
            runs.setdefault(run.region_id, []).append(run)
    progress = []
    for pk, region in sorted(regions.items(), key=lambda item: item[1].code):
        state, run = _state(runs.get(pk, []))
        progress.append(RegionProgress(region.code, state, run))
    waiting = any(p.state == "queued" for p in progress)
    gave_up = waiting and timezone.now() - started > GIVE_UP_AFTER
    return SyncProgress(progress, started, gave_up)
