"""Admin site titles; users and groups keep Django's own admin."""

from django.contrib import admin
from django.http import HttpRequest

from console.models import ApiToken

admin.site.site_header = "Sweep Console administration"
admin.site.site_title = "Sweep Console admin"
admin.site.index_title = "Users, algorithms and engines"
admin.site.site_url = "/"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API (the key is shown once); here they are revoked."""

    list_display = ("prefix", "name", "user", "created_at", "expires_at", "last_used_at")
    list_filter = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
