from django.contrib import admin
from django.urls import path

from regions.admin_discovery import discover_view
from regions.models import (
    AwsAccount,
    Event,
    ProductionAccessRequest,
    Region,
    ReviewDecision,
    SyncRun,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: nobody (superusers included) adds, edits or deletes one here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = ["label", "account_id", "profile_name", "role_arn", "is_active", "org_status"]
    list_filter = ["is_active", "org_status"]
    fieldsets = [
        (None, {"fields": ["label", "account_id", "is_active"]}),
        (
            "AWS Organizations (set by account discovery)",
            {"fields": ["org_status", "org_closed_at", "discovered_from"]},
        ),
        ("Credentials", {"fields": ["profile_name", "role_arn", "external_id"]}),
        (
            "Route 53 (optional: when DNS lives under other credentials)",
            {"fields": ["dns_profile_name", "dns_role_arn"]},
        ),
    ]
    search_fields = ["label", "account_id"]
    readonly_fields = ["org_status", "org_closed_at", "discovered_from"]

    def get_urls(self):
        discover = self.admin_site.admin_view(lambda request: discover_view(self, request))
        return [
            path("discover/", discover, name="regions_awsaccount_discover"),
            *super().get_urls(),
        ]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "code",
        "production_access_enabled",
        "sending_enabled",
        "enforcement_status",
        "review_status",
        "last_success_at",
        "hidden",
    ]
    list_filter = ["account", "production_access_enabled", "hidden"]
    readonly_fields = ["sync_lock_until", "sync_lease", "changed_at"]


@admin.register(ProductionAccessRequest)
class ProductionAccessRequestAdmin(admin.ModelAdmin):
    list_display = ["region", "submitted_by", "submitted_at", "outcome", "review_status"]
    list_filter = ["outcome"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The audit log is append-only; on PostgreSQL a trigger refuses edits below the ORM too
    (migration 0004)."""

    list_display = ["created_at", "kind", "actor_name", "region", "identity_name", "subject"]
    list_filter = ["kind", "result"]
    search_fields = ["identity_name", "message"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    """Each production-access review decision as SES reported it (regions/reviews.py)."""

    list_display = ["observed_at", "region", "status", "case_id", "source", "request"]
    list_filter = ["status", "source", "region__account"]
    search_fields = ["case_id", "region__code"]
    list_select_related = ["region__account", "request__region__account"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """Never from its own pages; deleting its region (CASCADE) takes it along, which the
        admin asks here too (a refusal would keep every region with decisions forever)."""
        match = request.resolver_match
        own = match is not None and (match.url_name or "").startswith("regions_reviewdecision_")
        return not own and admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["region", "kind", "status", "started_at", "calls", "changes", "identities"]
    list_filter = ["kind", "status"]
