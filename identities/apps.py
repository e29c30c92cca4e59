from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdentitiesConfig(AppConfig):
    name = "identities"
    verbose_name = "SES identities"

    def ready(self) -> None:
        post_migrate.connect(fill_blocking_flags, sender=self)


def fill_blocking_flags(
    sender: AppConfig, *, apps: Any = None, verbosity: int = 1, **_: Any
) -> None:
    """After `migrate`: compute the blocking flags still unknown (rows from before the flag
    existed), at deploy time rather than in the first grid request (~20 s at 200,000 rows).

    `flush` (and so every test that empties the database) sends the signal too, without the
    migration state `apps`: the installed models are the current ones then."""
    model = (apps or sender.apps).get_model("identities", "RegionalIdentity")
    if "blocking" not in {f.name for f in model._meta.get_fields()}:
        return  # migrated back to before the flag
    from identities.blocking import refresh_unknown

    written = refresh_unknown()
    if written and verbosity:
        print(f"  Computed the blocking flag of {written} regional identities.")
