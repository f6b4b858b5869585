"""The shape of the package: one folder per job, data flowing one way, small modules.

These rules are what keeps the code easy to change (see README, "How the folders
fit together"); a failure names the module and the import or function at fault.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import ROOT

PACKAGE = ROOT / "generator"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# What each job may import from the package (besides the shared top-level modules).
SHARED = {"generator.errors", "generator.i18n", "generator.crypto_policy", "generator.fingerprint", "generator.inline", "generator.templates",
          "generator.characters", "generator.files", "generator.library_messages", "generator.caches", "generator"}
ALLOWED = {
    "content": {"content"},
    "site": {"content", "site"},
    "contracts": {"content", "contracts"},
    "desk": {"content", "contracts", "desk"},  # the sales desk; only cli/ imports it
    "acceptance": {"content", "acceptance"},
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _job(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def _package_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("generator")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_jobs_import_only_downstream(path):
    job = _job(path)
    if job not in ALLOWED:
        return  # cli.py, build.py, schemas.py sit on top and may import every job
    wrong = []
    for line, name in _package_imports(path):
        parts = name.split(".")
        target = parts[1] if len(parts) > 2 else None
        if any(name == s or name.startswith(s + ".") for s in SHARED - {"generator"}) or name == "generator.__version__":
            continue
        if target not in ALLOWED[job]:
            wrong.append(f"line {line}: {name}")
    assert not wrong, f"generator/{job}/ may import only {sorted(ALLOWED[job])} and the shared modules: {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name}: split it by concern"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"
