from django.urls import path

from alerts import views

urlpatterns = [
    path("alerts/", views.alerts_home, name="alerts"),
    path("alerts/deliveries/", views.deliveries, name="alert_deliveries"),
    path("alerts/channels/new/", views.channel_edit, name="alert_channel_new"),
    path("alerts/channels/<int:pk>/", views.channel_edit, name="alert_channel"),
    path("alerts/channels/<int:pk>/delete/", views.channel_delete, name="alert_channel_delete"),
    path("alerts/channels/<int:pk>/test/", views.channel_test, name="alert_channel_test"),
    path("alerts/channels/<int:pk>/secret/", views.channel_rotate, name="alert_channel_rotate"),
    path("alerts/channels/<int:channel_pk>/rules/new/", views.rule_edit, name="alert_rule_new"),
    path("alerts/channels/<int:channel_pk>/rules/<int:pk>/", views.rule_edit, name="alert_rule"),
    path(
        "alerts/channels/<int:channel_pk>/rules/<int:pk>/delete/",
        views.rule_delete,
        name="alert_rule_delete",
    ),
]
