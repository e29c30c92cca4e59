from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from identities.views_auth import SesopsLoginView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", SesopsLoginView.as_view(), name="login"),  # + demo button
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("identities.urls")),  # grid, identity pages, actions
    path("", include("identities.urls_sendcheck")),  # /send-check/
    path("", include("identities.urls_dns")),  # DNS records, check now, zone file
    path("", include("regions.urls")),  # /regions/, production access
    path("", include("regions.urls_activity")),  # /activity/
    path("", include("alerts.urls")),  # /alerts/: problems, channels, rules, delivery log
]
