"""The theme's compiled templates, kept for the process (generator/site/template_cache.py)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from generator.site.template_cache import MemoryBytecodeCache


def _render(folder: Path, cache: MemoryBytecodeCache) -> str:
    env = Environment(loader=FileSystemLoader(str(folder)), bytecode_cache=cache)  # as MkDocs: one per build
    return env.get_template("page.html").render(name="甲方")


def test_a_new_environment_reuses_the_compiled_template_and_an_edit_is_compiled_afresh(tmp_path: Path, monkeypatch):
    (tmp_path / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    cache = MemoryBytecodeCache()
    assert _render(tmp_path, cache) == "<p>甲方</p>" and len(cache.compiled) == 1

    calls = []
    original = Environment.compile

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    assert _render(tmp_path, cache) == "<p>甲方</p>" and calls == []  # from the cache
    (tmp_path / "page.html").write_text("<p>乙方：{{ name }}</p>", encoding="utf-8")
    assert _render(tmp_path, cache) == "<p>乙方：甲方</p>" and len(calls) == 1  # the edit, compiled
    cache.clear()
    assert cache.compiled == {}
