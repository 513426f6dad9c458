"""The pager's template tag (loaded as `{% load pager %}`; registered in settings.TEMPLATES).

`{% page_url n %}` is a link to page `n` of the current page: the current query string
with only `page` changed, so every filter (`?status=resolved`, the caseload's program,
level, clinician and show) survives paging. `templates/includes/pager.html` is the one
pager every paginated page includes.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("page", None)
    query["page"] = str(number)
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def cursor_url(context: dict[str, Any], cursor: str | None) -> str:
    """Issue 13, point 3: a link to the keyset page after `cursor` (the first page when
    None; `{% cursor_url None %}`), keeping the rest of the query string like `page_url`."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("after", None)
    if cursor:
        query["after"] = cursor
    return f"?{query.urlencode()}"
