"""Which language inbound text is in, among the pack's languages only.

lingua-language-detector (its models ship in the wheel) is restricted to the languages
the pack serves (DataFlow: en, es, fr; NexaCore: en, ar): a message is never labelled
with a language nobody on the team answers in. Text too short to tell, or that lingua
cannot tell apart with confidence, is ``und`` (undetermined), never a guess.
"""

import re
from functools import lru_cache
from typing import Any

UNDETERMINED = "und"
# Fewer letters than this tell nothing ("ok", "merci", "hi!"): 'und'.
MIN_LETTERS = 8
# lingua reads every character it is given: a 2 MB mail body took minutes. The opening of
# a message tells its language as well as the whole of it.
SAMPLE_CHARS = 4000
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=16)
def _detector(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    return (LanguageDetectorBuilder.from_languages(*languages)
            .with_minimum_relative_distance(0.1).build())


def supported(code: str) -> bool:
    """Return whether lingua knows the ISO 639-1 ``code``."""
    from lingua import IsoCode639_1

    return hasattr(IsoCode639_1, code.upper())


def detect(text: str, languages: list[str] | tuple[str, ...]) -> str:
    """Return the ISO 639-1 code of ``text`` among ``languages``, or ``und``.

    With a single language there is nothing to choose between: text long enough to read
    is that language.
    """
    text = (text or "")[:SAMPLE_CHARS]
    codes = tuple(sorted({c.lower() for c in languages if c and supported(c)}))
    if not codes or len(_LETTER.findall(text or "")) < MIN_LETTERS:
        return UNDETERMINED
    if len(codes) == 1:
        return codes[0]
    found = _detector(codes).detect_language_of(text)
    if found is None:
        return UNDETERMINED
    return found.iso_code_639_1.name.lower()


# One line per script the packs' languages are written in: a detection loads the models of
# every language its script leaves in the running (lingua loads them on first use).
_WARM_TEXTS = (
    "The dashboards have been failing since this morning, please help us.",
    "\u0644\u0627 \u062a\u0639\u0645\u0644 \u0644\u0648\u062d\u0627\u062a "
    "\u0627\u0644\u0645\u0639\u0644\u0648\u0645\u0627\u062a \u0645\u0646\u0630 "
    "\u0627\u0644\u0635\u0628\u0627\u062d",
)


def warm(pack: Any) -> None:
    """Load the pack's language models now (each web worker, as it starts, in a thread:
    ``tierdesk.web_server``): lingua loads them on a detector's first use."""
    for text in _WARM_TEXTS:
        detect_for_pack(text, pack)


def detect_for_pack(text: str, pack: Any) -> str:
    """Return the language of ``text`` among the pack's languages (English without a
    pack), or ``und``."""
    languages = list(getattr(pack, "languages", None) or ["en"])
    return detect(text, languages)
