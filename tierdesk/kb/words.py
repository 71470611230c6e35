"""How a question becomes search words: the language's stop words dropped (a plain
question matches on what it is about, not on "how do I"), long words matched by their
stem as a prefix (``connexion`` finds ``connexions``), error codes matched whole.

Short hand-written lists: small enough to read, enough for support questions.
"""

import re

from tierdesk.search import text

STOP_WORDS = {
    "en": """a an and are as at be but by can could do does did for from has have how i i'm
        if in into is it its me my no not of on or our please so that the their then there
        these this to was we what when where which who why will with would you your im get
        got keeps keep any some help hi hello still again""",
    "es": """a al algo como con cual cuando de del el ella en es esta este esto ha hay la las
        le lo los me mi mis muy no nos o para pero por porque que se si sin su sus te tengo
        un una uno y ya yo puedo hago hacer ayuda hola estoy sigue otra vez""",
    "fr": """a au aux avec ce ces comment dans de des du elle en est et il je j la le les
        leur ma mais me mes mon ne nous on ou par pas pour qu que qui sa se ses son sur ta
        te toujours tu un une vous votre vos y suis fait faire aide bonjour encore ai l d
        n s c""",
    "ar": """في من على الى إلى عن مع هذا هذه ذلك التي الذي كيف ماذا لماذا هل لا لم لن ما
        انا أنا نحن هو هي و او أو ثم قد كان يكون عند لدي لدينا يوجد مرحبا ساعدني اريد أريد
        ب ل""",
}
_STOPS = {lang: {text.fold(w) for w in words.split()} for lang, words in STOP_WORDS.items()}
_HAS_DIGIT = re.compile(r"\d")
PREFIX_FROM = 6  # words at least this long are matched by a prefix
KEEP = 2  # ... of their length less this many characters (plural and verb endings)


def question_words(question: str, language: str) -> tuple[list[str], set[str]]:
    """Return ``(words, prefixes)`` to search for ``question``: its words less the
    language's stop words (all of them if nothing else is left), with long words cut to a
    stem matched as a prefix. A code (letters and digits) is always matched whole."""
    words = text.query_words(question)
    stops = _STOPS.get(language, set()) | _STOPS["en"]
    kept = [w for w in words if w not in stops] or words
    out: list[str] = []
    prefixes: set[str] = set()
    for word in kept:
        if language == "ar":
            word = strip_article(word)
        if len(word) >= PREFIX_FROM and not _HAS_DIGIT.search(word):
            word = word[: max(PREFIX_FROM - 1, len(word) - KEEP)]
            prefixes.add(word)
        if word not in out:
            out.append(word)
    return out, prefixes


def strip_article(word: str) -> str:
    """``المرور`` -> ``مرور``: Arabic writes "the" (and "and the") joined to the word."""
    for article in ("وال", "بال", "لل", "ال"):
        if word.startswith(article) and len(word) - len(article) >= 3:
            return word[len(article):]
    return word


def arabic_variants(body: str) -> str:
    """Return the words of an Arabic text that carry the article, without it: indexed
    beside the text so that "كلمة مرور" and "كلمة المرور" find each other."""
    return " ".join(v for w in text.words(body) if (v := strip_article(w)) != w)
