"""Messages a person reads, through gettext (placeholder until the catalogs land).

Every user-facing string goes through ``_()`` (or ``ngettext``) with an English
msgid; the Chinese catalog translates it. ``N_()`` marks a string for extraction
where it is translated later (module-level constants).
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def N_(message: str) -> str:
    return message
