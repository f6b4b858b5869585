"""Every process-wide cache is listed in generator/caches.py, and clear_caches() empties them all."""

from __future__ import annotations

import ast

from helpers import ROOT

CACHE_DECORATORS = {"cache", "lru_cache"}


def _decorated_caches() -> set[str]:
    found = set()
    for path in (ROOT / "generator").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                    if name in CACHE_DECORATORS:
                        found.add(f"{module}:{node.name}")
    return found


def test_every_cache_is_listed_with_why_it_may_live_for_the_process():
    from generator.caches import CACHED_FUNCTIONS

    found = _decorated_caches()
    assert found, "the scan found no cache at all: it no longer reads the decorators"
    assert found - set(CACHED_FUNCTIONS) == set(), "add these to generator/caches.py, saying why"
    assert set(CACHED_FUNCTIONS) - found == set(), "generator/caches.py lists caches that are gone"


def test_clear_caches_empties_every_cache(fresh_caches):
    from generator.caches import cached_functions, clear_caches
    from generator.fingerprint import code_digest
    from generator.templates import environment

    first = code_digest()
    environment(ROOT)
    assert code_digest.cache_info().currsize == 1 and environment.cache_info().currsize == 1
    clear_caches()
    assert all(function.cache_info().currsize == 0 for function in cached_functions())
    assert code_digest() == first  # what was cached comes back the same


def test_stylesheets_go_with_the_font_configuration_they_were_parsed_with(fresh_caches):
    """A parsed stylesheet's @font-face faces live in the font configuration it was parsed with:
    when clear_caches() dropped that configuration but kept the parsed sheets, the next contract
    drew its bold from the system face and could not take the fast path."""
    from generator.caches import clear_caches
    from generator.contracts.engine import pdf

    css = "p { font-weight: bold }"
    before = pdf.stylesheet(css)
    assert pdf.stylesheet(css) is before  # parsed once
    clear_caches()
    assert pdf.stylesheet(css) is not before
