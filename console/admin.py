"""Admin site titles; users and groups keep Django's own admin."""

from django.contrib import admin

admin.site.site_header = "Sweep Console administration"
admin.site.site_title = "Sweep Console admin"
admin.site.index_title = "Users, algorithms and engines"
admin.site.site_url = "/"
