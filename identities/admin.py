from django.contrib import admin

from identities.models import DnsCheck, Identity, RegionalIdentity


class RegionalIdentityInline(admin.TabularInline):
    model = RegionalIdentity
    extra = 0
    fields = ["region", "present", "verification_status", "dkim_status", "mail_from_status"]
    readonly_fields = fields


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "account", "created_at"]
    list_filter = ["kind", "account"]
    search_fields = ["name"]
    inlines = [RegionalIdentityInline]


@admin.register(RegionalIdentity)
class RegionalIdentityAdmin(admin.ModelAdmin):
    list_display = [
        "identity",
        "region",
        "present",
        "verification_status",
        "dkim_status",
        "mail_from_status",
        "synced_at",
    ]
    list_filter = ["region__code", "verification_status", "dkim_status", "present"]
    search_fields = ["identity__name"]


@admin.register(DnsCheck)
class DnsCheckAdmin(admin.ModelAdmin):
    list_display = ["name", "rtype", "purpose", "verdict", "checked_at"]
    list_filter = ["verdict", "purpose"]
    search_fields = ["name"]
