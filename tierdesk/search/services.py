"""Writes to the search indexes: documents kept in step by their owners' services, and
the rebuild that re-reads every document from its source."""

from collections.abc import Callable, Sequence

from django.db import transaction

from tierdesk.search import backends
from tierdesk.search.indexes import Document, SearchIndex, registered

REBUILD_BATCH = 2_000


def index_documents(*, index: SearchIndex, documents: Sequence[Document]) -> None:
    """Add or replace ``documents``; call it inside the transaction that changed them, so
    the index commits (or rolls back) with the change."""
    backends.put(index, documents)


def rebuild(*, name: str | None = None, batch: int = REBUILD_BATCH,
            progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Re-read every document of every registered index (or only ``name``); return the
    documents written per index.

    One transaction per page of ``batch`` documents, so writers are never held up for
    the whole rebuild and searches keep answering from the index as it was; documents
    whose object is gone are deleted as their id range is passed.
    """
    done: dict[str, int] = {}
    for entry in registered():
        if name is not None and entry.index.name != name:
            continue
        after, total = 0, 0
        # Filling an empty index (first migration, restore): no search can be using it.
        if backends.is_empty(entry.index):
            backends.without_secondary_index(entry.index)
        while True:
            with transaction.atomic():
                page = entry.documents(after, batch)
                ids = [pk for pk, _ in page]
                upto = ids[-1] if len(page) == batch else None
                backends.delete_range(entry.index, above=after, upto=upto, keep=ids)
                backends.put(entry.index, page)
            total += len(page)
            if progress is not None:
                progress(entry.index.name, total)
            if upto is None:
                break
            after = upto
        with transaction.atomic():
            backends.restore_secondary_index(entry.index)
        backends.optimise(entry.index)
        done[entry.index.name] = total
    return done
