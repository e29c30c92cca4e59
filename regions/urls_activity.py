from django.urls import path

from regions.views_activity import activity

urlpatterns = [
    path("activity/", activity, name="activity"),
]
