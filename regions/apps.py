from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "AWS accounts and SES regions"

    def ready(self) -> None:
        from django.contrib.auth.models import User

        from regions.roles import grant_admin_permissions, on_groups_changed

        # The admin role's staff status and model permissions come from the role itself.
        m2m_changed.connect(on_groups_changed, sender=User.groups.through)
        # No sender: the permissions of apps migrated after this one exist only at the end.
        post_migrate.connect(grant_admin_permissions, dispatch_uid="sesops-admin-permissions")
