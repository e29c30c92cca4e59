from typing import Any

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_migrate


class IdentitiesConfig(AppConfig):
    name = "identities"
    verbose_name = "SES identities"

    def ready(self) -> None:
        check_dns_resolver_setting()
        post_migrate.connect(fill_blocking_flags, sender=self)


def check_dns_resolver_setting() -> None:
    """An unparsable resolver or extra nameserver (`host[:port]`) would fail every probe:
    stop at start instead, naming the variable.

    Checked here rather than in settings so that config imports no app code."""
    from django.conf import settings

    from identities.dns.names import parse_host_port, parse_resolver

    try:
        parse_resolver(settings.SESOPS_DNS_RESOLVER, settings.SESOPS_DNS_PORT)
        extra = settings.SESOPS_DNS_EXTRA_NAMESERVERS or ()
        for item in extra.split(",") if isinstance(extra, str) else extra:
            parse_host_port(item, settings.SESOPS_DNS_PORT, variable="SESOPS_DNS_EXTRA_NAMESERVERS")
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def fill_blocking_flags(
    sender: AppConfig, *, apps: Any = None, verbosity: int = 1, **_: Any
) -> None:
    """After `migrate`: compute the blocking flags still unknown (rows from before the flag
    existed), at deploy time rather than in the first grid request (slow on a large table:
    benchmarks/README.md, "Figures behind design choices").

    `flush` (and so every test that empties the database) sends the signal too, without the
    migration state `apps`: the installed models are the current ones then."""
    model = (apps or sender.apps).get_model("identities", "RegionalIdentity")
    if "blocking" not in {f.name for f in model._meta.get_fields()}:
        return  # migrated back to before the flag
    from identities.blockers.flags import refresh_unknown

    written = refresh_unknown()
    if written and verbosity:
        print(f"  Computed the blocking flag of {written} regional identities.")
