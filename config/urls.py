from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

# The Django admin carries the product's name, not "Django administration".
admin.site.site_header = "sesops administration"
admin.site.site_title = "sesops admin"
admin.site.index_title = "Accounts, users and roles"

# config imports no app code: apps are reached through their URL modules, by name.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's login view; the demo button's flag comes from regions' context processor.
    path("login/", auth_views.LoginView.as_view(), name="login"),
    # Public like the login page: every user, with or without a role, may log out.
    path("logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("", include("identities.urls")),  # grid, identity pages, actions, DNS, regions pages
    path("", include("regions.urls")),  # demo login
    path("", include("alerts.urls")),  # /alerts/: problems, channels, rules, delivery log
    path("", include("api.urls")),  # /api/v1/, /account/tokens/, /metrics
]
