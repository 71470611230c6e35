"""HTML mail made safe and readable: sanitised with nh3, and turned into plain text.

Remote images never load, at ingest or on display: an ``<img>`` keeps its ``src`` only
when it names an inline part of the same mail (``cid:``), rewritten to a local
placeholder the intake points at the stored attachment. Tracking pixels are gone.
"""

import html as html_lib
import re
from html.parser import HTMLParser

import nh3

CID_PREFIX = "/inline-cid/"
_CID_SRC = re.compile(r"""(\bsrc\s*=\s*["']?)cid:([^"'\s>]+)""", re.IGNORECASE)
_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
          "blockquote", "pre", "hr", "ul", "ol", "section", "article", "header", "footer"}
_SKIP = {"script", "style", "head", "title", "noscript", "template"}


def _keep_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if value.startswith(CID_PREFIX) else None
    return value


def sanitise_html(markup: str) -> str:
    """No script, no event handlers, no ``javascript:`` URLs, no remote images."""
    markup = _CID_SRC.sub(lambda m: m.group(1) + CID_PREFIX + m.group(2), markup)
    return nh3.clean(markup, attribute_filter=_keep_attribute,
                     clean_content_tags={"script", "style", "head", "title"},
                     link_rel="noopener noreferrer nofollow")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: blocks on their own lines, no markup or scripts."""
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it still chokes on becomes text
        return html_lib.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.out)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def point_inline_images(markup: str, urls: dict[str, str]) -> str:
    """Replace ``/inline-cid/<id>`` placeholders with the stored attachments' URLs."""
    if CID_PREFIX not in markup:
        return markup
    return re.sub(re.escape(CID_PREFIX) + r"([^\"'\s>]+)",
                  lambda m: urls.get(html_lib.unescape(m.group(1)), ""), markup)
