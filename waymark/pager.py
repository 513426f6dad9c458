"""The one pager: its template tag for pages, and the API's bounded pagination.

The tag is loaded as `{% load pager %}` (registered in settings.TEMPLATES).

`{% page_url n %}` is a link to page `n` of the current page: the current query string
with only `page` changed, so every filter (`?status=resolved`, the caseload's program,
level, clinician and show) survives paging. `templates/includes/pager.html` is the one
pager every paginated page includes. Pages read `?page=` with Django's `get_page`, which
turns anything that is not a page (a word, a negative, a number past the end) into the
nearest real page.

`Pagination` is what every paginated API list uses (also the NINJA_PAGINATION_CLASS):
`page` and `page_size` are validated with bounds, so `?page=99999999999999999999` is a
422 naming `page` instead of an offset no database can take (issue 12, point 5).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

register = template.Library()

MAX_PAGE = 10_000  # 500,000 rows at the default size: past any list Waymark keeps
MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    """ninja's page-number pagination, with `page` and `page_size` bounded."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page (from 1).")
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description="Items per page (default 50)."
        )

    def __init__(self, page_size: int = 50, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)


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
