"""The detector of English sentences in what a Chinese-locale user reads (issue 18): shared by
tests/test_i18n.py (the command line's error paths) and tests/test_messages_chinese.py (verify,
register, desk pages, customer sheets, libraries' exceptions)."""

from __future__ import annotations

import html
import re

# An English sentence: three words or more in a row. Paths, `keys`, 'quoted values',
# option names, U+XXXX (CHARACTER NAME)s and URLs are the user's or the tool's names, not prose.
_ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")
_NAMES = re.compile(r"(?m)^(?:用法|Usage): .*$|`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”|\S*[/\\.]\S*|--?[\w-]+|U\+[0-9A-F]{4,6} \([A-Z -]+\)"
                    r"|\[[^\]]*\]|https?://\S+|\w+(?:\.\w+)+")

# Names that are not prose wherever they appear, each with why (regular expressions).
ALLOWED = re.compile("|".join([
    # verify's check names: identifiers of its report (the keys of `verify --format json`),
    # listed in the verdict as "（revisions, signature PartyB）"
    r"\bsignature Party[AB]\b", r"\bdocument timestamp \w+",
    # a command line shown as an example in --help ("示例：" block): the user types it as it is
    r"^[ \t]*agreements [^\n]*$",
]), re.MULTILINE)


def english_sentences(text: str) -> list[str]:
    """Runs of English words left once the names in ``text`` are taken out."""
    return _ENGLISH.findall(_NAMES.sub(" ", ALLOWED.sub(" ", text)))


_HIDDEN = re.compile(r"(?is)<(script|style)\b.*?</\1>|<!--.*?-->")
_READ_ATTRIBUTES = re.compile(r'(?i)\b(?:title|placeholder|aria-label|alt)="([^"]*)"')


def page_text(page: str) -> str:
    """What a person reads on an HTML page: its text and the attributes a browser shows or
    speaks (title, placeholder, aria-label, alt), one line each."""
    visible = _HIDDEN.sub(" ", page)
    attributes = _READ_ATTRIBUTES.findall(visible)
    text = re.sub(r"<[^>]+>", "\n", visible)
    return "\n".join(html.unescape(part).strip() for part in [text, *attributes] if part.strip())
