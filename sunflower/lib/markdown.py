"""Markdown written by staff (notices, knowledge articles), rendered and then sanitised.

markdown-it renders CommonMark with raw HTML switched off; nh3 then keeps only a small set of
tags and attributes, so that neither a slip nor a hostile author can put script, styles or
event handlers on a page (web hardening; the pages' CSP forbids inline code as well).
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "blockquote", "code", "pre",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    return mark_safe(sanitise_html(_renderer.render(text or "")))  # noqa: S308 (sanitised)
