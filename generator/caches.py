"""Every process-wide cache of the generator, why it may live as long as the process, the one
way to empty them all (:func:`clear_caches`; the tests' ``fresh_caches`` fixture), and the one
way to let them go with their temporary files when a process ends (:func:`release`).

A cache here holds what cannot change while a process runs (the installed fonts, the generator's
own code) or is keyed by everything it depends on (a template folder, a stylesheet's text).
Whatever depends on one build's inputs belongs to that build instead (the site cache of
generator/site/build.py is an object under the project's root). tests/test_caches.py fails on a
``functools.cache`` or ``lru_cache`` that is not listed here.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from collections.abc import Callable

# "module:function" → why it may live for the whole process
CACHED_FUNCTIONS = {
    "generator.fingerprint:code_digest": "the generator's code and library versions: fixed per process",
    "generator.fingerprint:system_digest": "the text libraries and installed fonts: fixed per process",
    "generator.content.diff:_jieba": "the loaded jieba segmenter: no state of its own",
    "generator.contracts.glyphs:_primary_cmap": "the installed main font's characters: fixed per process",
    "generator.contracts.glyphs:_fallback_has": "whether an installed font has a character: fixed per process",
    "generator.templates:environment": "a Jinja environment per template folder; Jinja reloads edited templates",
    "generator.contracts.engine.pdf:_installed_cjk_families": "the installed fonts: fixed per process",
    "generator.contracts.engine.pdf:_font_config": "WeasyPrint's font configuration: fixed per process",
    "generator.contracts.engine.assemble:_page_number_boxes": "keyed by the stylesheet's whole text",
    "generator.contracts.verify.compare:_rebuild_texts": "keyed by the rebuilt PDF's bytes",
    "generator.acceptance.verify:_text_hash": "keyed by the version folder and its files' digests",
    "generator.contracts.verify.content:read": "keyed by the PDF's bytes (at most 8)",
    "generator.contracts.engine.faces:working_face": "a cut of an installed font, keyed by family and weight: fixed per process",
    "generator.site.page_css:load_stylesheet": "a parsed stylesheet, keyed by its path, mtime and size",
}
# Caches that are not functions, each with its own clear: "module:clear function".
CLEARS = ("generator.contracts.engine.assemble:clear_cache",
          "generator.contracts.engine.split:clear_cache",
          # parsed with _font_config(), which holds their @font-face faces: cleared together
          "generator.contracts.engine.pdf:clear_stylesheets",
          "generator.site.template_cache:clear_cache")
# Temporary files behind the caches, removed once they are emptied: "module:function".
REMOVALS = ("generator.contracts.engine.faces:remove_working_files",)


def _resolve(spec: str) -> Callable:
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def _imported(specs) -> list[Callable]:
    """The functions of ``specs`` whose module this process has imported: a module never
    imported has nothing cached, and importing it only to empty it would cost ~0.6 s."""
    return [getattr(sys.modules[module], name)
            for module, name in (spec.split(":") for spec in specs) if module in sys.modules]


def cached_functions() -> list[Callable]:
    return [_resolve(spec) for spec in CACHED_FUNCTIONS]


def clear_caches() -> None:
    """Empty every cache, as if the process had just started (tests that change what one read)."""
    for function in _imported(CACHED_FUNCTIONS):
        function.cache_clear()
    for clear in _imported(CLEARS):
        clear()


def release() -> None:
    """Empty every cache and remove the temporary files behind them: the working faces
    (contracts/engine/faces.py) and WeasyPrint's copies of them, which its font configuration
    deletes only when it is collected. A batch froze its long-lived objects (export.py), and the
    collector never looks at frozen ones: unfrozen first."""
    clear_caches()
    gc.unfreeze()
    gc.collect()
    for remove in _imported(REMOVALS):
        remove()


def release_at_exit() -> None:
    """Have :func:`release` run when this process exits (registered once; a forked child, which
    shares its parent's files, never runs it). A process that ends with ``os._exit`` skips exit
    handlers and calls :func:`release` itself (generator/desk/issue.py)."""
    atexit.unregister(_release_in)
    atexit.register(_release_in, os.getpid())


def _release_in(maker: int) -> None:
    if os.getpid() == maker:
        release()
