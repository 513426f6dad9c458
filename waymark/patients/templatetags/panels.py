"""`{% render_panel panel %}`: one registered panel (patients/panels.py) in the page."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from waymark.patients.panels import ShownPanel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: Context, panel: ShownPanel) -> SafeString:
    """The panel's template with its own context on top of the page's (as an include)."""
    assert context.template is not None
    found = context.template.engine.get_template(panel.template)
    with context.push(panel.context):
        return SafeString(found.render(context))
