"""The words the index stores: one folding for indexed and searched text."""

import pytest

from tierdesk.search.text import MAX_QUERY_WORDS, indexed_text, query_words, words


@pytest.mark.parametrize(("text", "expected"), [
    ("Iniciar SESIÓN", ["iniciar", "sesion"]),
    ("réinitialisé, ça marche", ["reinitialise", "ca", "marche"]),
    ("Straße ﬁle", ["strasse", "file"]),
    ("أَهْلاً", ["اهلا"]),
    ("الـــدعم", ["الدعم"]),
    ("إلى أين آخر ٱلكتاب", ["الي", "اين", "اخر", "الكتاب"]),
    ("مدرسة", ["مدرسه"]),
    ("رقم ١٢٣", ["رقم", "123"]),
])
def test_words_are_folded_the_same_for_every_language(text, expected):
    assert words(text) == expected


def test_a_code_is_one_word_and_a_hyphenated_word_is_two():
    assert words("Error DB-2002 / sso_9001 in the e-mail") == [
        "error", "db2002", "sso9001", "in", "the", "e", "mail"]


def test_a_search_keeps_distinct_words_in_order_and_at_most_sixteen():
    assert query_words("Login login LOGIN failure") == ["login", "failure"]
    assert len(query_words(" ".join(f"w{i}" for i in range(40)))) == MAX_QUERY_WORDS


def test_indexed_text_is_cut_at_a_word_boundary():
    assert indexed_text("alpha beta gamma", 12) == "alpha beta"
