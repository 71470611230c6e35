"""What a full-text index holds: documents (one per object, keyed by its id) with up to four
fields, each ranked by its own weight and each either public or internal (staff only).

An app declares its index here and registers where its documents come from, so
``tierdesk search rebuild`` can rebuild every index without knowing any app::

    TICKETS = SearchIndex("tickets", (Field("subject", 10.0), ..., Field("internal", 1.0,
                                      internal=True)))
    register(TICKETS, documents=ticket_documents)

Four fields because PostgreSQL marks each word with one of four weights (A-D), which
is how one ``tsvector`` keeps fields apart for ranking and for hiding internal fields.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

WEIGHT_LETTERS = "ABCD"


@dataclass(frozen=True)
class Field:
    name: str
    boost: float = 1.0  # relative weight in the ranking
    internal: bool = False  # matched only when the searcher may see internal content
    # A key field holds one value (the document's language) that a search names to keep
    # to one part of the index (``partition=``): never matched by a search's words, never
    # ranked, but inside the full-text match itself, so the engine skips the other parts.
    key: bool = False


@dataclass(frozen=True)
class SearchIndex:
    name: str
    fields: tuple[Field, ...]
    max_field_chars: int = 100_000  # keeps a document under PostgreSQL's 1 MB tsvector cap

    def __post_init__(self) -> None:
        if not 1 <= len(self.fields) <= len(WEIGHT_LETTERS):
            raise ValueError(f"index {self.name!r} needs 1-4 fields")
        if not self.name.isidentifier():
            raise ValueError(f"index name {self.name!r} must be an identifier")
        if sum(f.key for f in self.fields) > 1:
            raise ValueError(f"index {self.name!r} has more than one key field")

    @property
    def key_field(self) -> Field | None:
        return next((f for f in self.fields if f.key), None)

    def words_fields(self, *, internal: bool) -> list[Field]:
        """The fields a search's words are matched in."""
        return [f for f in self.fields if not f.key and (internal or not f.internal)]

    @property
    def table(self) -> str:
        return f"search_{self.name}"

    def letter(self, field: Field) -> str:
        """The PostgreSQL weight of ``field``: fields in declaration order get A, B, C, D."""
        return WEIGHT_LETTERS[self.fields.index(field)]


# A document: the object's id and its fields' raw text (missing fields are empty).
Document = tuple[int, dict[str, str]]
# ``documents(after_id, limit)``: the next ``limit`` documents with ids above ``after_id``,
# in ascending id order (a rebuild pages through them, one transaction per page).
DocumentSource = Callable[[int, int], list[Document]]


@dataclass(frozen=True)
class Registered:
    index: SearchIndex
    documents: DocumentSource


_registry: dict[str, Registered] = {}


def register(index: SearchIndex, *, documents: DocumentSource) -> None:
    _registry[index.name] = Registered(index, documents)


def registered() -> Iterable[Registered]:
    return list(_registry.values())
