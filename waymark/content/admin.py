from django.contrib import admin

from waymark.admin_site import OrganizationScopedAdmin
from waymark.content.models import OrganizationArticle


@admin.register(OrganizationArticle)
class OrganizationArticleAdmin(OrganizationScopedAdmin):
    list_display = ["slug", "title", "audience", "hidden", "updated_at"]
    list_filter = ["hidden", "audience"]
    search_fields = ["slug", "title"]
