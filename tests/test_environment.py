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
        source = path.read_text(encoding="utf-8")
        if source.startswith("#!/usr/bin/python3"):
            continue  # runs under Debian's python3 with its packages (tests/office_uno.py), not .venv
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _third_party(modules: set[str]) -> dict[str, set[str]]:
    """Module → the distributions that provide it, for modules outside the standard library."""
    providers = metadata.packages_distributions()
    local = {p.stem for p in (ROOT / "tests").rglob("*.py")} | {"generator", "tests", "benchmarks", "tools"}
    return {m: {_normal(d) for d in providers.get(m, ["?"])} for m in modules
            if m not in sys.stdlib_module_names and m not in local and not m.startswith("_")}


@pytest.mark.parametrize("folder, test_code", [("generator", False), ("tests", True), ("benchmarks", True), ("tools", True)])
def test_every_imported_package_is_declared(folder, test_code):
    runtime, everything = _declared()
    declared = everything if test_code else runtime
    undeclared = {m: d for m, d in _third_party(_imported_modules(ROOT / folder)).items() if not d & declared}
    assert not undeclared, f"imported by {folder}/ but not declared in pyproject.toml: {undeclared}"


# --------------------------------------------------------------------------
# Private behaviour the code relies on. Each test names the code to recheck on upgrade.


def test_private_behaviour_weasyprint_font_resource_names():
    """generator/contracts/engine/page_forms.py and compact.py rely on a face's font resource
    name in a PDF WeasyPrint writes being the same in every document of the process (an MD5 of
    its Pango description), its /BaseFont that name + "+" + the face's name, and its /W and
    /ToUnicode listing exactly the glyphs drawn."""
    import io

    import pikepdf

    from generator.contracts.engine import pdf
    from generator.contracts.engine.compact import font_glyphs

    html = '<html lang="zh-CN"><body><p>协议</p><p><b>协议</b></p></body></html>'
    names = []
    for _ in range(2):
        data = pdf.weasyprint_pdf(pdf.render(html), {})
        with pikepdf.open(io.BytesIO(data)) as document:
            fonts = document.pages[0].Resources.Font
            for name, font in fonts.items():
                assert str(font.BaseFont).startswith(f"{name}+")
                glyphs = font_glyphs(font)
                assert sorted(glyphs.to_unicode.values()) == ["协", "议"]
                assert set(glyphs.widths) == set(glyphs.to_unicode)
            names.append(sorted(fonts.keys()))
    assert names[0] == names[1] and len(names[0]) == 2


def test_private_behaviour_weasyprint_page_anchors_are_border_boxes():
    """generator/contracts/engine/signature_fields.py reads Page.anchors[id] as (x1, y1, x2, y2)
    in CSS px (its docstring still says a point): why WeasyPrint is pinned to one major version."""
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


def test_private_behaviour_click_gettext():
    """generator/i18n.py translates click's own messages by pointing the module globals ``_`` and
    ``ngettext`` of click's modules (bound at import by ``from gettext import gettext as _``) at
    our catalog, so each of those modules must be in i18n.CLICK_MODULES and look the names up
    when a message is made; retranslate_click_help() drops the cached ``Command._help_option``
    and renews the help of ``version_option``, which click words when it is declared."""
    import inspect

    import click
    import click.core
    import click.decorators
    import click.formatting
    import click.types

    from generator import i18n

    folder = Path(click.__file__).parent
    calling = {f"click.{p.stem}" for p in folder.glob("*.py")
               if re.search(r"^from gettext import", p.read_text(encoding="utf-8"), re.M)}
    assert calling - {"click._winconsole"} == set(i18n.CLICK_MODULES)  # _winconsole: Windows only
    for name in i18n.CLICK_MODULES:
        module = sys.modules[name]
        assert module._ is i18n._click_gettext
        assert getattr(module, "ngettext", i18n.ngettext) is i18n.ngettext
    assert '_("Usage:")' in inspect.getsource(click.formatting.HelpFormatter.write_usage)
    assert "self._help_option" in inspect.getsource(click.core.Command.get_help_option)
    assert 'kwargs.setdefault("help", _("Show the version and exit."))' in inspect.getsource(
        click.decorators.version_option)
    path_init = inspect.getsource(click.types.Path.__init__)  # i18n._path_kind repeats it
    assert re.search(r'if self.file_okay and not self.dir_okay:\s+self.name = _\("file"\)\s+'
                     r'elif self.dir_okay and not self.file_okay:\s+self.name = _\("directory"\)\s+'
                     r'else:\s+self.name = _\("path"\)', path_init), path_init
