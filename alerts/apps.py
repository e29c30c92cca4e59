from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Follow the event log from above: regions calls back, it never imports alerts.
        from alerts.evaluate import on_events
        from regions.events import add_listener

        add_listener(on_events)
