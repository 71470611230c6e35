"""The article index: one document per language version (title, error codes and
category, body), in the same full-text module as tickets (``tierdesk.search``).

Who may see what is not in the index: the search joins each document to its version and
article and keeps published, public ones for customers and the bot, everything for agents.
The KB services keep the index in step in their own transaction; ``tierdesk search
rebuild`` re-reads it from ``translation_documents``.
"""

from tierdesk.kb.models import Article, Translation
from tierdesk.kb.words import arabic_variants
from tierdesk.search.indexes import Document, Field, SearchIndex, register
from tierdesk.search.services import index_documents

ARTICLES = SearchIndex("kb_articles", (
    Field("title", 10.0),
    Field("codes", 8.0),  # linked error codes and the category
    Field("body", 2.0),
    # The version's language: a search keeps to the searcher's language inside the
    # full-text match (``partition=``), not by a join after it.
    Field("language", key=True),
))


def document(translation: Translation, article: Article) -> Document:
    title, body = translation.title, translation.body_md
    if translation.language == "ar":
        title = f"{title} {arabic_variants(title)}"
        body = f"{body}\n{arabic_variants(body)}"
    return translation.pk, {
        "title": title,
        "codes": " ".join([*article.error_codes, article.category or ""]),
        "body": body,
        "language": translation.language,
    }


def index_article(article: Article) -> None:
    """Re-index every language version of ``article`` (inside the caller's transaction)."""
    index_documents(index=ARTICLES, documents=[
        document(t, article) for t in article.translations.all()])


def translation_documents(after_id: int, limit: int) -> list[Document]:
    rows = (Translation.objects.filter(pk__gt=after_id).select_related("article")
            .order_by("pk")[:limit])
    return [document(t, t.article) for t in rows]


register(ARTICLES, documents=translation_documents)
