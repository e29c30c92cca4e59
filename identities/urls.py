from django.urls import path

from identities.views import actions, activity, dns, grid, identity, publish, regions, sendcheck

urlpatterns = [
    path("", grid.grid, name="grid"),
    path("grid/refresh/", grid.grid_refresh, name="grid_refresh"),
    path("identities/<int:pk>/", identity.identity_page, name="identity_detail"),
    path(
        "identities/<int:pk>/cell/<int:region_pk>/",
        grid.grid_cell,
        name="grid_cell",
    ),
    path(
        "identities/<int:pk>/resend-verification/",
        actions.resend_verification,
        name="resend_verification",
    ),
    path(
        "identities/<int:pk>/add-to-regions/",
        actions.add_to_regions,
        name="add_to_regions",
    ),
    path("identities/<int:pk>/sync/", actions.sync_now, name="sync_now"),
    path("identities/<int:pk>/sync/follow/", actions.sync_follow, name="sync_follow"),
    # DNS records: check now, zone file
    path("identities/<int:pk>/dns/check/", dns.dns_check_now, name="dns_check_now"),
    path("identities/<int:pk>/dns/zone-file/", dns.dns_zone_file, name="dns_zone_file"),
    # Publish to Route 53: preview + apply, then the change's progress
    path("identities/<int:pk>/dns/publish/", publish.dns_publish, name="dns_publish"),
    path(
        "identities/<int:pk>/dns/publish/<int:publish_pk>/",
        publish.dns_publish_result,
        name="dns_publish_result",
    ),
    path("send-check/", sendcheck.send_check_view, name="send_check"),
    path("activity/", activity.activity, name="activity"),
    # Regions page and production access: they show identities' coverage and readiness.
    path("regions/", regions.regions_page, name="regions"),
    path("regions/<int:pk>/visibility/", regions.region_visibility, name="region_visibility"),
    path(
        "regions/<int:pk>/production-access/",
        regions.production_access,
        name="production_access",
    ),
    # One POST submits the same request to every sandbox region ticked in the form.
    path(
        "regions/<int:pk>/production-access/submit/",
        regions.production_access_submit_view,
        name="production_access_submit",
    ),
    path(
        "regions/<int:pk>/production-access/result/",
        regions.production_access_result,
        name="production_access_result",
    ),
]
