from django.contrib import admin

from alerts.models import Alert, Channel, Delivery, Problem, Rule


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "enabled", "created_at"]
    inlines = [RuleInline]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["kind", "severity", "text", "opened_at", "resolved_at"]
    list_filter = ["kind", "severity"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "state", "severity", "kind", "text"]
    list_filter = ["state", "kind", "severity"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
