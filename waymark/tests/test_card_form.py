"""The card form include shows a form's own (non-field) errors once, not twice."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory


class _Form(forms.Form):
    name = forms.CharField()

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("These two cannot go together.")


def test_it_shows_a_non_field_error_once_and_the_field_errors() -> None:
    form = _Form(data={"name": ""})
    assert not form.is_valid()
    html = render_to_string(
        "includes/card_form.html", {"form": form}, request=RequestFactory().post("/")
    )
    assert html.count("These two cannot go together.") == 1
    assert "This field is required." in html
