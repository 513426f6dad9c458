from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "waymark.organizations"
    label = "organizations"
    verbose_name = "Organizations"
