"""The Jinja environment shared by the site and the PDF.

Autoescape is on and undefined names fail loudly, so a value can never print as
a blank. Only the project's own templates are code; the legal team's text and
the customers' values reach them as data and are escaped.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator.inline import escape_markdown

TEMPLATES_DIR = "templates"


@functools.cache
def environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Plain text inside Markdown page templates (headings): shown literally, never as markup.
    env.filters["md"] = lambda text: Markup(escape_markdown(str(text)))
    return env


def render_template(root: Path, name: str, **context) -> str:
    return environment(root).get_template(name).render(**context)


def css_string(text: str) -> Markup:
    """A CSS string literal, safe inside <style> (where HTML escaping does not apply)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", "\\A ")
    return Markup(f'"{escaped}"')
