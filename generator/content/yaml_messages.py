"""PyYAML's problem texts, in the reader's language.

PyYAML words its problems in English (``mapping values are not allowed here``);
the messages we print are Chinese by default, so each problem PyYAML can report
for plain YAML is matched here and said again through the catalog. A problem not
listed keeps PyYAML's words inside a translated sentence, so it still reads as one.
"""

from __future__ import annotations

import re

from generator.i18n import N_, _

_CONTEXT = N_("in the {found} that starts above")  # {found}: one of _THINGS
# (PyYAML's wording as a pattern, our msgid with the pattern's groups as {found}).
_PROBLEMS = [
    (r"mapping values are not allowed here", N_("a `key: value` is not allowed here")),
    (r"could not find expected ':'", N_("a `:` is missing after the key")),
    (r"found character (.+) that cannot start any token",
     N_("the character {found} cannot start a value; put the value in quotes")),
    (r"expected <block end>, but found (.+)",
     N_("the indentation ends a block here but {found} follows")),
    (r"expected <document start>, but found (.+)", N_("{found} cannot stand at the top level")),
    (r"expected '<document start>', but found (.+)", N_("{found} cannot stand at the top level")),
    (r"found unexpected end of stream", N_("the file ends before the value is closed")),
    (r"found unexpected document separator", N_("an unexpected `---` document separator")),
    (r"expected ',' or '[\]}]', but got (.+)", N_("a `,` or closing bracket is expected, not {found}")),
    (r"expected the node content, but found (.+)", N_("a value is expected, not {found}")),
    (r"sequence entries are not allowed here", N_("a list item `- ` is not allowed here")),
    (r"mapping keys are not allowed here", N_("a key is not allowed here")),
    (r"found undefined alias (.+)", N_("the alias {found} is not defined")),
    (r"found unknown escape character (.+)", N_("unknown escape character {found} in double quotes")),
    (r"expected a comment or a line break, but found (.+)",
     N_("only a comment or a line break may follow here, not {found}")),
    (r"found a tab character (?:that violates|where an) .*",
     N_("a tab character; indent with spaces only")),
    (r"while (?:scanning|parsing|composing|constructing) (?:a|an) (.+)",
     _CONTEXT),
    (r"invalid indentation or unclosed '\[' or '\{'",
     N_("wrong indentation, or a `[` or `{{` that is not closed")),
    (r"expected a single document in the stream", N_("the file holds more than one YAML document")),
]
# PyYAML's names of what it found instead (``'<stream end>'``).
_TOKENS = {
    "'<stream end>'": N_("the end of the file"),
    "'<block end>'": N_("the end of the indented block"),
    "'<block mapping start>'": N_("a new indented block"),
    "'<block sequence start>'": N_("a new indented list"),
    "'<document start>'": N_("`---`"),
    "'<scalar>'": N_("a value"),
    "'<flow mapping end>'": N_("`}`"),
    "'<flow sequence end>'": N_("`]`"),
    "'<block entry>'": N_("a list item `- `"),
}
_COMPILED = [(re.compile(pattern), message) for pattern, message in _PROBLEMS]
# What PyYAML's context (``while parsing a block mapping``) names, in words a reader knows.
_THINGS = {
    "block mapping": N_("block of `key: value` lines"),
    "flow mapping": N_("`{…}` mapping"),
    "block collection": N_("indented block"),
    "flow sequence": N_("`[…]` list"),
    "quoted scalar": N_("quoted text"),
    "double-quoted scalar": N_("quoted text"),
    "simple key": N_("key"),
    "block scalar": N_("`|` or `>` text block"),
    "mapping": N_("mapping"),
    "node": N_("value"),
}


def yaml_problem(problem: object) -> str:
    """PyYAML's ``problem`` (or ``context``) text in the reader's language."""
    text = str(problem)
    for pattern, message in _COMPILED:
        match = pattern.fullmatch(text)
        if match:
            found = match.group(1) if match.groups() else ""
            if message is _CONTEXT:  # {found} is a kind of YAML structure
                found = _(_THINGS.get(found, N_("YAML structure")))
            found = _(_TOKENS[found]) if found in _TOKENS else found
            return _(message).format(found=found)
    return _("PyYAML reports: {problem}").format(problem=text)
