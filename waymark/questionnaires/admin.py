"""Admin: questionnaire schedules per program, and an organization's own definition files.

Waymark's own definitions are listed read-only (they come from `definitions/*.json`);
an organization admin uploads their own file here, checked exactly as the command
checks it, and only their organization sees it.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from waymark.admin_site import OrganizationScopedAdmin, admin_organization
from waymark.organizations.models import Organization
from waymark.questionnaires.definition import DefinitionError
from waymark.questionnaires.loader import check_installable, install_definition
from waymark.questionnaires.models import Questionnaire, Schedule

MAX_UPLOAD_BYTES = 512 * 1024


class DefinitionUploadForm(forms.ModelForm):
    organization: Organization | None = None  # set by the admin from the signed-in admin
    upload_name = ""
    definition_file = forms.FileField(
        help_text="A FHIR R4 Questionnaire JSON file with a `waymark` scoring block "
        "(see the files Waymark ships for examples)."
    )

    class Meta:
        model = Questionnaire
        fields: list[str] = []

    def clean_definition_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["definition_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 512 KB.")
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise forms.ValidationError(f"The file is not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The file must hold one JSON object.")
        self.upload_name = upload.name
        if self.organization is None:
            raise forms.ValidationError(
                "Operators load definitions with "
                "`manage.py load_questionnaires FILE --organization SLUG`."
            )
        try:
            check_installable(data, organization=self.organization, source=upload.name)
        except DefinitionError as error:
            raise forms.ValidationError(list(error.problems)) from None
        return data


@admin.register(Questionnaire)
class QuestionnaireAdmin(OrganizationScopedAdmin):
    list_display = ["short_title", "title", "version", "owner", "is_current", "loaded_at"]
    list_filter = ["is_current"]
    search_fields = ["key", "title", "short_title"]
    shown = (
        "key",
        "version",
        "title",
        "short_title",
        "owner",
        "source",
        "checksum",
        "loaded_at",
        "is_current",
        "copyright",
    )
    readonly_fields = shown
    fields = shown

    def get_queryset(self, request: HttpRequest) -> QuerySet[Questionnaire]:
        queryset = Questionnaire.objects.select_related("organization")
        if request.user.is_superuser:
            return queryset
        organization = admin_organization(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(Q(organization__isnull=True) | Q(organization=organization))

    @admin.display(description="From")
    def owner(self, obj: Questionnaire) -> str:
        return obj.organization.name if obj.organization else "Waymark"

    @admin.display(description="Copyright")
    def copyright(self, obj: Questionnaire) -> str:
        return format_html("{}", obj.definition.get("copyright", ""))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = DefinitionUploadForm
            kwargs["fields"] = ["definition_file"]
        form = super().get_form(request, obj, change, **kwargs)
        form.organization = admin_organization(request)  # type: ignore[attr-defined]
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["definition_file"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a definition is replaced by loading a new version, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        install_definition(
            form.cleaned_data["definition_file"],
            organization=form.organization,
            source=f"upload: {form.upload_name}",
            into=obj,
        )


class ScheduleForm(forms.ModelForm):
    organization: Organization | None = None  # set by the admin from the signed-in admin

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The model's own check (services.check_schedule) needs the organization first.
        if self.organization is not None:
            self.instance.organization = self.organization
        elif cleaned.get("program") is not None:
            self.instance.organization = cleaned["program"].organization
        return cleaned

    class Meta:
        model = Schedule
        fields = [
            "program",
            "questionnaire_key",
            "anchor",
            "offset_days",
            "repeat_every_days",
            "grace_days",
            "window_days",
            "scoring_form",
            "active_from",
            "is_active",
        ]


@admin.register(Schedule)
class ScheduleAdmin(OrganizationScopedAdmin):
    form = ScheduleForm
    list_display = ["program", "questionnaire_key", "timing", "scoring_form", "is_active"]
    list_filter = ["program", "questionnaire_key", "is_active"]

    @admin.display(description="When")
    def timing(self, obj: Schedule) -> str:
        return obj.describe()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        organization = admin_organization(request) or (obj.organization if obj else None)
        if organization is not None:
            keys = Questionnaire.objects.available_to(organization.pk).order_by("short_title")
            form.base_fields["questionnaire_key"] = forms.ChoiceField(
                label="Questionnaire",
                choices=[(q.key, f"{q.short_title} — {q.title}") for q in keys],
            )
            form.organization = organization  # type: ignore[attr-defined]
        return form
