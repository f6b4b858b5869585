"""Which characters the contract fonts can draw.

A customer's value is printed verbatim, so a character no installed font has
would print as an empty box (tofu). Such values are refused when the customer
file is read, naming the file, line and field, before anything is rendered.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

# Noto Sans and Serif CJK SC cover the same characters, so one cmap serves either.
PRIMARY_FAMILY = "Noto Sans CJK SC"


@functools.cache
def _primary_cmap() -> frozenset[int]:
    """The code points of the contract's main font (read once per process)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return frozenset()
    result = subprocess.run([fc_match, "-f", "%{file}\n%{index}", PRIMARY_FAMILY],
                            capture_output=True, text=True, check=False)
    lines = result.stdout.splitlines()
    if len(lines) < 2 or "NotoSansCJK" not in lines[0]:
        return frozenset()  # fc-match answered with a fallback; every character asks fc-list
    from fontTools.ttLib import TTFont

    font = TTFont(lines[0], fontNumber=int(lines[1] or 0), lazy=True)
    return frozenset(font.getBestCmap())


@functools.cache
def _fallback_has(code_point: int) -> bool:
    """Whether any installed font has the character (Pango falls back to it)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run([fc_list, f":charset={code_point:x}", "family"],
                            capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that no installed font can draw, in order, once each."""
    primary = _primary_cmap()
    missing: list[str] = []
    for char in dict.fromkeys(text):
        code = ord(char)
        if char.isspace() or code in primary or _fallback_has(code):
            continue
        missing.append(char)
    return missing
