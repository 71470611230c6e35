"""Detection reads the opening of a text: a 2 MB mail body (which lingua took minutes over
when given whole) is told from its first characters."""

from tierdesk.languages.detection import SAMPLE_CHARS, detect


def test_a_huge_spanish_text_is_told_from_its_opening():
    text = "Hola, no puedo acceder a mi cuenta desde ayer por la tarde. " * 40_000
    assert len(text) > 100 * SAMPLE_CHARS
    assert detect(text, ["en", "es", "fr"]) == "es"


def test_the_opening_decides_even_when_the_rest_is_another_language():
    text = "Bonjour, je ne peux plus me connecter à mon compte depuis hier. " * 100
    assert detect(text + "This part is English and comes later. " * 5000,
                  ["en", "es", "fr"]) == "fr"
