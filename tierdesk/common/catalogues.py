"""Compile Tierdesk's translation catalogues (``tierdesk/locale/*/LC_MESSAGES/*.po``) into
the ``.mo`` files Django reads, with Babel (pure Python: no GNU gettext needed on the
machine). The ``.mo`` files are build output, not committed; this runs at install
(``make install``), before every command (``django_setup``) and before the tests, and
only rewrites a ``.mo`` older than its ``.po``.

    python -m tierdesk.common.catalogues
"""

from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Return the ``.mo`` files written (none when all are up to date)."""
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as out:
            write_mo(out, catalogue)
        tmp.replace(mo)  # atomic: a concurrent reader never sees half a file
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path}")
