"""The environment is exactly the lock, every import is declared, and the private
behaviour the code relies on is still there.

When `make lock` moves one of the libraries pinned with `==` in pyproject.toml,
these tests say which assumption broke; recheck the code named in each test.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from helpers import ROOT

LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", LOCK.read_text(encoding="utf-8"), re.M)
    return {_normal(name): version for name, version in pins}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}


def _declared() -> tuple[set[str], set[str]]:
    """(runtime, runtime + test) distribution names from pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    runtime = _requirement_names(project["dependencies"])
    return runtime, runtime | _requirement_names(project["optional-dependencies"]["test"])


def test_installed_packages_are_exactly_the_lock():
    installed = {_normal(d.metadata["Name"]): d.version for d in metadata.distributions()}
    installed.pop("agreements", None)  # the project itself, installed editable from the checkout
    locked = _locked()
    differ = {name: (installed.get(name), locked.get(name)) for name in installed.keys() | locked.keys()
              if installed.get(name) != locked.get(name)}
    assert not differ, ("installed (left) and requirements.lock (right) differ; run `make setup` "
                        f"to install the lock, or `make lock` to change it: {differ}")


def test_every_locked_package_carries_hashes():
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8").split("\n", 2)[2])
    unhashed = [entry.split()[0] for entry in entries if entry.strip() and "--hash=sha256:" not in entry]
    assert not unhashed


def test_the_lock_satisfies_pyproject():
    """Every declared requirement is in the lock (the lock was made from this pyproject.toml)."""
    from packaging.requirements import Requirement

    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    locked = _locked()
    wanted = [*project["dependencies"], *(r for group in project["optional-dependencies"].values() for r in group)]
    unmet = [r for r in map(Requirement, wanted)
             if _normal(r.name) not in locked or not r.specifier.contains(locked[_normal(r.name)], prereleases=True)]
    assert not unmet, f"pyproject.toml asks for what requirements.lock lacks; run `make lock`: {unmet}"


def _imported_modules(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _third_party(modules: set[str]) -> dict[str, set[str]]:
    """Module → the distributions that provide it, for modules outside the standard library."""
    providers = metadata.packages_distributions()
    local = {p.stem for p in (ROOT / "tests").rglob("*.py")} | {"generator", "tests", "benchmarks"}
    return {m: {_normal(d) for d in providers.get(m, ["?"])} for m in modules
            if m not in sys.stdlib_module_names and m not in local and not m.startswith("_")}


@pytest.mark.parametrize("folder, test_code", [("generator", False), ("tests", True), ("benchmarks", True)])
def test_every_imported_package_is_declared(folder, test_code):
    runtime, everything = _declared()
    declared = everything if test_code else runtime
    undeclared = {m: d for m, d in _third_party(_imported_modules(ROOT / folder)).items() if not d & declared}
    assert not undeclared, f"imported by {folder}/ but not declared in pyproject.toml: {undeclared}"


# --------------------------------------------------------------------------
# Private behaviour the code relies on. Each test names the code to recheck on upgrade.


def test_private_behaviour_weasyprint_font_subsetting():
    """generator/contracts/engine/fonts.py replaces Font._harfbuzz_subset(to_unicode, hinting)
    and weasyprint.pdf.build_fonts_dictionary, which weasyprint.pdf looks up by name; wraps
    Font.__init__, whose one call of get_hb_object_data (looked up in weasyprint.pdf.fonts)
    copies the whole font file; and adds the HarfBuzz face-builder functions to WeasyPrint's
    cffi binding."""
    import inspect

    import weasyprint.pdf
    from weasyprint.pdf import fonts

    import generator.contracts.engine.fonts as ours

    assert list(inspect.signature(ours._original_subset).parameters) == ["self", "to_unicode", "hinting"]
    assert list(inspect.signature(ours._original_build).parameters) == [
        "pdf", "fonts", "compress", "subset", "options"]
    source = inspect.getsource(weasyprint.pdf)
    assert "build_fonts_dictionary(" in source and "from .fonts import build_fonts_dictionary" in source
    assert fonts.Font._harfbuzz_subset is ours._compact_subset
    assert weasyprint.pdf.build_fonts_dictionary is ours._build_fonts_dictionary
    init = inspect.getsource(ours._original_init)
    assert init.count("get_hb_object_data(") == 1
    assert "self.file_content = get_hb_object_data(self.hb_face)" in init
    assert "from ..text.fonts import get_hb_object_data" in inspect.getsource(fonts)
    assert fonts.get_hb_object_data is ours._face_data and fonts.Font.__init__ is ours._font_init
    from weasyprint.text.ffi import harfbuzz

    assert callable(harfbuzz.hb_face_builder_create) and callable(harfbuzz.hb_face_builder_add_table)


def test_private_behaviour_weasyprint_font_objects():
    """generator/contracts/engine/fonts.py reads Font.hash, .tables, .hb_face, .to_unicode
    (glyph id → text) and .widths; generator/contracts/engine/shared_forms.py relies on a font's
    resource name in the written PDF being its Font.hash, the same for a face in every document."""
    import io

    import pikepdf

    from generator.contracts.engine import pdf

    html = '<html lang="zh-CN"><body><p>协议</p><p><b>协议</b></p></body></html>'
    names = []
    for _ in range(2):
        record = {}
        data = pdf.write_pdf(pdf.render(html), {}, record_glyphs=record)
        with pikepdf.open(io.BytesIO(data)) as document:
            fonts = document.pages[0].Resources.Font
            assert {str(name)[1:] for name in fonts.keys()} == set(record)
            for name, font in fonts.items():
                assert str(font.BaseFont).startswith(f"{name}+")
        for glyphs in record.values():
            assert sorted(glyphs.to_unicode.values()) == ["协", "议"]
            assert set(glyphs.widths) == set(glyphs.to_unicode)
        names.append(sorted(record))
    assert names[0] == names[1] and len(names[0]) == 2


def test_private_behaviour_weasyprint_page_anchors_are_border_boxes():
    """generator/contracts/engine/pdf.py reads Page.anchors[id] as (x1, y1, x2, y2) in CSS px."""
    from generator.contracts.engine import pdf

    document = pdf.render('<html lang="zh-CN"><body style="margin:0"><div id="box" '
                          'style="margin:10px;width:100px;height:50px"></div></body></html>')
    left, top, right, bottom = document.pages[0].anchors["box"]
    assert (right - left, bottom - top) == (100, 50)


def test_private_behaviour_material_header():
    """templates/site/overrides/partials/header.html is Material's header with its search
    replaced by the site's own; outside that part it must equal the installed release's."""
    import re
    from pathlib import Path

    import material as mkdocs_material

    ours = (Path(__file__).parents[1] / "templates/site/overrides/partials/header.html").read_text(encoding="utf-8")
    theirs = (Path(mkdocs_material.__file__).parent / "templates/partials/header.html").read_text(encoding="utf-8")
    theirs = re.sub(r"\{#-.*?-#\}", "", theirs, flags=re.S)
    theirs = re.sub(r'    \{% if "material/search" in config.plugins %\}.*?\n    \{% endif %\}\n', "", theirs, flags=re.S)
    ours = re.sub(r" *\{#-.*?-#\}\n?", "", ours, flags=re.S)
    ours = re.sub(r'    <button type="button" class="md-header__button md-icon agreements-search__toggle".*?</button>\n', "",
                  ours, flags=re.S)
    ours = re.sub(r'  <div id="agreements-search".*?\n  </div>\n', "", ours, flags=re.S)
    assert ours.strip() == theirs.strip()