"""The Django admin, for organization admins, limited to their own organization.

Superusers (operators) see every organization. An organization admin signs in
through Waymark's own sign-in page and sees only their tenant's rows; every
change is saved with their organization, whatever the form says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes import views as contenttype_views
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.http import urlencode

from waymark.access import Capability, actor_for, audit_shown, can
from waymark.audit.models import AuditAction, AuditObject
from waymark.audit.services import record
from waymark.organizations.models import Organization
from waymark.patients.models import Patient


class WaymarkAdminSite(admin.AdminSite):
    site_header = "Waymark administration"
    site_title = "Waymark admin"
    index_title = "Your organization"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return is_org_admin(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One sign-in page for everyone: Waymark's own."""
        target = request.GET.get("next", reverse("admin:index"))
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def get_urls(self) -> list[URLResolver | URLPattern]:
        """Django's own, with the "view on site" shortcut answering 404 for an id that is
        not one (`/admin/r/<ct>/<not-a-uuid>/` was a 500; issue 12, point 5)."""
        shortcut = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(view_on_site),
            name="view_on_site",
        )
        urls = super().get_urls()
        return [shortcut if getattr(u, "name", None) == "view_on_site" else u for u in urls]

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return cast(HttpResponse, AuditedAutocompleteView.as_view(admin_site=self)(request))


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    try:
        return contenttype_views.shortcut(request, content_type_id, object_id)
    except ValidationError:  # a UUID primary key given something that is not a UUID
        raise Http404("No such object.") from None


# --- Issue 12, point 4: every admin read that shows a patient is audited ---------------


class AuditedReads:
    """A model admin whose pages show patients: each list, each object's pages (change,
    history, delete confirmation) and each search suggestion writes its audit rows
    before the page is returned. `patients_shown` says which patients some rows show."""

    audit_object: AuditObject  # one object's page
    audit_list: AuditObject  # the list of them

    def patients_shown(self, objects: Sequence[Any]) -> Iterable[Patient]:
        raise NotImplementedError

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The admin pages its own list: the audit part of access.page_and_audit.
            shown = self.patients_shown(list(changelist.result_list))
            audit_shown(actor_for(request), shown, object_type=self.audit_list)
        return response

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "GET":
            actor = actor_for(request)
            for patient in {p.pk: p for p in self.patients_shown([obj])}.values():
                record(
                    actor,
                    AuditAction.VIEW,
                    patient=patient,
                    object_type=self.audit_object,
                    object_id=str(obj.pk),
                )
        return obj


class AuditedAutocompleteView(AutocompleteJsonView):
    """The admin's search suggestions (every match's name and id), audited like a list."""

    def serialize_result(self, obj: Model, to_field_name: str) -> dict[str, Any]:
        self.shown.append(obj)
        return super().serialize_result(obj, to_field_name)  # type: ignore[misc]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.shown: list[Model] = []
        response = super().get(request, *args, **kwargs)
        if isinstance(self.model_admin, AuditedReads) and self.shown:
            patients = self.model_admin.patients_shown(self.shown)
            audit_shown(actor_for(request), patients, object_type=AuditObject.ADMIN_SEARCH)
        return response


def is_org_admin(request: HttpRequest) -> bool:
    """An operator (superuser), or someone who may administer their organization."""
    return bool(
        request.user.is_superuser or can(actor_for(request), Capability.ADMINISTER_ORGANIZATION)
    )


def admin_organization(request: HttpRequest) -> Organization | None:
    """The organization an org admin manages; None for a superuser (all of them)."""
    if request.user.is_superuser:
        return None
    return actor_for(request).organization


class _OrganizationScoped:
    """What the admin's pages and inlines share: org admins only, choices of their org."""

    def _is_org_admin(self, request: HttpRequest) -> bool:
        return is_org_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_org_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_org_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_org_admin(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        organization = admin_organization(request)
        if organization is not None and field is not None and field.queryset is not None:
            field.queryset = scope_choices(field.queryset, organization)
        return field


class OrganizationScopedAdmin(_OrganizationScoped, admin.ModelAdmin):
    """Rows of the admin's own organization only; the organization field is set, not chosen."""

    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        organization = admin_organization(request)
        if organization is None and not request.user.is_superuser:
            return queryset.none()
        if organization is not None:
            queryset = queryset.filter(**{self.organization_path: organization})
        return queryset

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.organization_path == "organization":
            excluded.append("organization")
        return excluded

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        """Another organization's object is a 404, like everywhere else in Waymark."""
        raise Http404("No such object.")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_org_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_org_admin(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        organization = admin_organization(request)
        if organization is not None and hasattr(obj, "organization_id"):
            obj.organization = organization
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows take the parent's organization."""
        parent_organization_id = getattr(form.instance, "organization_id", None)
        instances = formset.save(commit=False)
        for instance in instances:
            if parent_organization_id and hasattr(instance, "organization_id"):
                instance.organization_id = parent_organization_id
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


class OrganizationScopedInline(_OrganizationScoped, admin.TabularInline):
    """An inline whose choice lists are limited to the admin's organization."""

    extra = 0

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [*list(super().get_exclude(request, obj) or []), "organization"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_org_admin(request)


def scope_choices(queryset: QuerySet[Any], organization: Organization) -> QuerySet[Any]:
    """Limit a choice list to one organization's rows (users: its members)."""
    model = queryset.model
    if model is Organization:
        return queryset.filter(pk=organization.pk)
    if any(f.name == "organization" for f in model._meta.get_fields()):
        return queryset.filter(organization=organization)
    if any(f.name == "memberships" for f in model._meta.get_fields()):
        return queryset.filter(memberships__organization=organization).distinct()
    return queryset
