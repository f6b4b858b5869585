"""pydantic's validation errors, said in the reader's language with the fix.

pydantic words its messages in English (``Input should be a valid string``); we
show the error by its ``type`` instead, one msgid per type a schema of ours can
raise, with pydantic's context (lengths, allowed values) filled in. Our own
validators' messages (``value_error``) are already translated where raised.
"""

from __future__ import annotations

from generator.i18n import N_, _

_BY_TYPE = {
    "extra_forbidden": N_("unknown key; remove it or check its spelling against the schema"),
    "missing": N_("required key is missing; add it"),
    "string_too_short": N_("must not be empty; write the text or remove the key"),
    "too_short": N_("must not be empty; write the text or remove the key"),
    "string_too_long": N_("longer than the {max_length} characters allowed; shorten it"),
    "string_pattern_mismatch": N_("does not have the expected form (pattern {pattern}); correct the value"),
    "string_type": N_("must be text; fix the value"),
    "string_unicode": N_("must be text; fix the value"),
    "int_type": N_("must be a whole number; fix the value"),
    "int_parsing": N_("must be a whole number; fix the value"),
    "int_from_float": N_("must be a whole number; fix the value"),
    "float_type": N_("must be a number; fix the value"),
    "float_parsing": N_("must be a number; fix the value"),
    "bool_type": N_("must be true or false; fix the value"),
    "bool_parsing": N_("must be true or false; fix the value"),
    "dict_type": N_("must be a mapping of keys to values; fix the value"),
    "model_type": N_("must be a mapping of keys to values; fix the value"),
    "model_attributes_type": N_("must be a mapping of keys to values; fix the value"),
    "list_type": N_("must be a list; fix the value"),
    "tuple_type": N_("must be a list; fix the value"),
    "set_type": N_("must be a list; fix the value"),
    "literal_error": N_("must be one of {expected}; fix the value"),
    "enum": N_("must be one of {expected}; fix the value"),
    "date_type": N_("must be a date written YYYY-MM-DD, e.g. 2026-12-01"),
    "date_parsing": N_("must be a date written YYYY-MM-DD, e.g. 2026-12-01"),
    "greater_than": N_("must be greater than {gt}; fix the value"),
    "greater_than_equal": N_("must be at least {ge}; fix the value"),
    "less_than": N_("must be less than {lt}; fix the value"),
    "less_than_equal": N_("must be at most {le}; fix the value"),
    "union_tag_invalid": N_("is not one of the allowed kinds ({expected_tags}); fix the value"),
    "union_tag_not_found": N_("does not say which kind it is (`{discriminator}`); add it"),
}


def explain_pydantic(problem: dict) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as our message."""
    kind = problem["type"]
    ctx = {key: _shown(value) for key, value in (problem.get("ctx") or {}).items()}
    if kind == "value_error":  # our own validators' messages already end with the fix
        return str((problem.get("ctx") or {}).get("error", problem["msg"]))
    if kind == "too_long":
        unit = _("entries") if ctx.get("field_type") == "Dictionary" else _("items")
        return _("has {actual_length} {unit}, more than the {max_length} allowed; shorten it").format(
            actual_length=ctx.get("actual_length"), unit=unit, max_length=ctx.get("max_length"))
    message = _BY_TYPE.get(kind)
    if message is None:
        return _("the value is not valid here ({kind}); fix the value").format(kind=kind)
    try:
        return _(message).format(**ctx)
    except (KeyError, IndexError):  # a context pydantic did not give: say it without the detail
        return _("the value is not valid here ({kind}); fix the value").format(kind=kind)


def _shown(value: object) -> str:
    # pydantic lists allowed values as ``'a', 'b' or 'c'``: its separators in the reader's language.
    return str(value).replace("' or '", _("' or '")).replace("', '", _("', '"))
