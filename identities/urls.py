from django.urls import path

from identities import views, views_actions, views_auth

urlpatterns = [
    path("", views.grid, name="grid"),
    path("grid/refresh/", views.grid_refresh, name="grid_refresh"),
    path("identities/<int:pk>/", views.identity_page, name="identity_detail"),
    path(
        "identities/<int:pk>/cell/<int:region_pk>/",
        views.grid_cell,
        name="grid_cell",
    ),
    path(
        "identities/<int:pk>/resend-verification/",
        views_actions.resend_verification,
        name="resend_verification",
    ),
    path(
        "identities/<int:pk>/add-to-regions/",
        views_actions.add_to_regions,
        name="add_to_regions",
    ),
    path("identities/<int:pk>/sync/", views_actions.sync_now, name="sync_now"),
    path("login/demo/", views_auth.demo_login, name="demo_login"),
]
