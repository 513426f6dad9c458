from django.contrib.admin.apps import AdminConfig


class WaymarkAdminConfig(AdminConfig):
    """Django's admin, with Waymark's organization-scoped site as the default."""

    default_site = "waymark.admin_site.WaymarkAdminSite"
