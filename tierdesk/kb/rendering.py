"""Article bodies: Markdown rendered with markdown-it-py (CommonMark, raw HTML off), then
sanitised with nh3, so an author's text can never carry a script into the portal."""

import difflib
from functools import cache

import nh3

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


@cache
def _markdown():
    """The parser, built on the first article rendered rather than at start (markdown-it
    compiles some 60 regular expressions on import: time a restart spent before answering)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> str:
    """Return the article body as safe HTML."""
    return nh3.clean(_markdown().render(source), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


def revision_diff(old_title: str, old_body: str, new_title: str, new_body: str,
                  old_label: str, new_label: str) -> list[str]:
    """Return a unified diff (difflib) of two revisions, title first."""
    before = [f"# {old_title}", "", *old_body.splitlines()]
    after = [f"# {new_title}", "", *new_body.splitlines()]
    return list(difflib.unified_diff(before, after, fromfile=old_label, tofile=new_label,
                                     lineterm=""))
