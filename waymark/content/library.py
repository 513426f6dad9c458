"""The Learn library: shipped Markdown articles (YAML front matter) plus each
organization's own rows; Markdown rendered, then sanitised with nh3.

`articles/` holds what patients and supporters read; `evidence/` the clinicians'
evidence notes (audience `clinician`). Every reader asks for the audiences they may
read (`views.py` decides them from capabilities), so a note never reaches a patient by
a list, a search or its own URL.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import markdown
import nh3
import yaml

from waymark.content.models import Audience, OrganizationArticle
from waymark.organizations.models import Organization

ARTICLES = Path(__file__).parent / "articles"
EVIDENCE = Path(__file__).parent / "evidence"


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    audience: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: dt.date | None
    body: str  # Markdown

    @property
    def html(self) -> str:
        return render_markdown(self.body)

    def matches(self, query: str) -> bool:
        text = " ".join((self.title, self.body, " ".join(self.tags))).casefold()
        return all(word in text for word in query.casefold().split())


def render_markdown(text: str) -> str:
    return nh3.clean(markdown.markdown(text, extensions=["extra"]))


def parse(slug: str, text: str) -> Article:
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    reviewed = meta.get("reviewed")
    return Article(
        slug=slug,
        title=str(meta["title"]),
        audience=str(meta.get("audience", "patient")),
        tags=tuple(str(tag) for tag in meta.get("tags", [])),
        sources=tuple(str(source) for source in meta.get("sources", [])),
        reviewed=reviewed if isinstance(reviewed, dt.date) else None,
        body=body.strip(),
    )


@functools.cache
def shipped() -> dict[str, Article]:
    paths = [*sorted(ARTICLES.glob("*.md")), *sorted(EVIDENCE.glob("*.md"))]
    return {path.stem: parse(path.stem, path.read_text()) for path in paths}


def _from_row(row: OrganizationArticle, base: Article | None) -> Article:
    tags = tuple(tag.strip() for tag in row.tags.split(",") if tag.strip())
    return Article(
        slug=row.slug,
        title=row.title or (base.title if base else row.slug),
        audience=row.audience or (base.audience if base else Audience.PATIENT),
        tags=tags or (base.tags if base else ()),
        sources=tuple(line.strip() for line in row.sources.splitlines() if line.strip())
        or (base.sources if base else ()),
        reviewed=row.reviewed_on or (base.reviewed if base else None),
        body=row.body or (base.body if base else ""),
    )


def articles_for(organization: Organization | None) -> dict[str, Article]:
    """The shipped articles with the organization's additions, replacements and hidings."""
    articles = dict(shipped())
    if organization is None:
        return articles
    for row in OrganizationArticle.objects.filter(organization=organization):
        if row.hidden:
            articles.pop(row.slug, None)
        else:
            articles[row.slug] = _from_row(row, articles.get(row.slug))
    return dict(sorted(articles.items(), key=lambda item: item[1].title))


def readable(organization: Organization | None, audiences: Collection[str]) -> dict[str, Article]:
    """The organization's articles written for one of `audiences`."""
    articles = articles_for(organization).items()
    return {slug: article for slug, article in articles if article.audience in audiences}


def search(
    organization: Organization | None, query: str, audiences: Collection[str]
) -> list[Article]:
    """The readable articles that match `query` (all of them without one), by title."""
    articles = readable(organization, audiences).values()
    return [article for article in articles if article.matches(query)] if query else list(articles)
