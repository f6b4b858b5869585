"""Which characters a value may hold, and how a message shows a piece of the user's text.

Values are printed verbatim in contracts and on the site, so a character nobody can
see is refused wherever a string is read: a bidi override (U+202E) makes the rest of
an e-mail address read backwards, a zero-width space (U+200B) hides inside a name.
The rule is one function so that every schema (content, configuration, customer
files and the rows of a spreadsheet) applies the same one.

Messages quote the user's text through :func:`shown`, so a message is bounded in
length and cannot smuggle an invisible character onto the user's terminal.
"""

from __future__ import annotations

import unicodedata

from generator.i18n import _

# Control, format (bidi controls, zero-width characters), surrogate, private-use and
# unassigned characters, and the line/paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"


def refuse_invisible(text: str, *, line_breaks: bool = False) -> str:
    """``text`` itself, or ValueError naming the first character that cannot be shown.

    ``line_breaks`` allows ``\\n`` (the legal team's multi-paragraph texts); a value
    printed on one line (a name, an address) must not hold one.
    """
    for index, char in enumerate(text):
        if unicodedata.category(char) in INVISIBLE_CATEGORIES and not (line_breaks and char == "\n"):
            where = _(" at character {number}").format(number=index + 1) if len(text) > 1 else ""
            hint = "" if line_breaks else _(" (line breaks and tabs are not allowed in a value)")
            raise ValueError(_("contains the invisible or control character {character}{where}; "
                               "remove it{hint}").format(character=describe(char), where=where,
                                                         hint=hint))
    return text


def shown(text: object, limit: int = 60) -> str:
    """The user's text as a message quotes it: invisible characters escaped, at most ``limit``."""
    text = str(text)
    out = []
    for char in text[:limit]:
        if unicodedata.category(char) in INVISIBLE_CATEGORIES:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out) + ("…" if len(text) > limit else "")
