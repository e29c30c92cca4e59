from django.urls import path

from identities import views_dns

urlpatterns = [
    path("identities/<int:pk>/dns/check/", views_dns.dns_check_now, name="dns_check_now"),
    path("identities/<int:pk>/dns/zone-file/", views_dns.dns_zone_file, name="dns_zone_file"),
]
