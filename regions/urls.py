from django.urls import path

from regions import views

urlpatterns = [
    path("regions/", views.regions_page, name="regions"),
    path("regions/<int:pk>/visibility/", views.region_visibility, name="region_visibility"),
    path(
        "regions/<int:pk>/production-access/",
        views.production_access,
        name="production_access",
    ),
    # One POST submits the same request to every sandbox region ticked in the form.
    path(
        "regions/<int:pk>/production-access/submit/",
        views.production_access_submit_view,
        name="production_access_submit",
    ),
    path(
        "regions/<int:pk>/production-access/result/",
        views.production_access_result,
        name="production_access_result",
    ),
]
