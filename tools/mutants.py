"""Mutation testing of named functions only: `make mutants` (or `python -m tools.mutants`).

A whole-suite mutation run takes days on two cores; the functions whose mutants once survived
are few, so this runs every mutant of just those functions against just the tests that guard
them, in a throw-away copy of the checkout, and prints killed/survived per function.

Hand-written rather than mutmut because mutmut mutates whole files and runs its own copy of
the project through trampolines, which the suite's subprocess- and PDF-heavy tests do not
survive; here each mutant is one AST edit of one function, written into a temporary copy.

The operators: arithmetic and comparison swaps, a dropped `%`/`//` operand, and/or swaps,
`not` removed, integer constants ±1, True/False, and each statement of the body replaced by
`pass` (a no-op). Every mutant changes the function's source, or it is not counted.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    module: str  # path below ROOT
    function: str  # "name" or "Class.name"
    tests: tuple[str, ...]  # pytest arguments: the tests that guard it
    equivalent: tuple[str, ...] = ()  # mutants that compute the same function, by description


# The functions whose mutants survived the last whole-package run (issue 16, item 8).
TARGETS = (
    Target("generator/contracts/customers.py", "credit_code_check_digit",
           ("tests/contracts/test_customers.py", "-k", "check_digit"),
           equivalent=("Mod dropped in `total % 31`",)),  # (31 - t) % 31 == (31 - t % 31) % 31
    Target("generator/contracts/verify/structure.py", "_read_section",  # the startxref check
           ("tests/contracts/test_verify_structure.py",),
           equivalent=("0 → 1 in `0`",  # Revision's placeholder numbers, which _place() sets
                       "4 → 5 in `4`",  # past "xref": pyHanko's table parser skips the line end
                       "Add → Sub in `offset + 12`", "12 → 13 in `12`")),  # the message's sample only
    Target("generator/contracts/register.py", "check_registered",  # the prefix-hash branch
           ("tests/contracts/test_register.py", "-k", "verify_reports_the_register or verify_still or "
            "tells_the_file"),
           equivalent=("Gt → GtE in `len(data) > entry.size`",)),  # equal length: the full hash decided
    Target("generator/contracts/word/redline.py", "RedlineWriter._add",  # w:delText
           ("tests/contracts/word/test_word_redline_fixture.py", "tests/contracts/word/test_word_redline.py")),
    Target("generator/contracts/engine/assemble.py", "_layout_key",  # the engine's cache key
           ("tests/contracts/engine",)),
)

SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
         ast.Mod: ast.FloorDiv, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
         ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
         ast.IsNot: ast.Is, ast.And: ast.Or, ast.Or: ast.And}


def find_function(tree: ast.Module, dotted: str) -> ast.FunctionDef:
    scope: list[ast.stmt] = tree.body
    *owners, name = dotted.split(".")
    for owner in owners:
        scope = next(n for n in scope if isinstance(n, ast.ClassDef) and n.name == owner).body
    return next(n for n in scope if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)


def mutants(function: ast.FunctionDef):
    """Every single-edit variant of ``function``, as (description, mutated copy)."""
    nodes = [n for n in ast.walk(function) if n is not function]
    for index, node in enumerate(nodes):
        for description, edit in _edits(node):
            clone = copy.deepcopy(function)
            target = [n for n in ast.walk(clone) if n is not clone][index]
            yield f"{description} in `{ast.unparse(node)}`", _Replace(target, edit).visit(clone)
    for path in _statement_paths(function):
        clone = copy.deepcopy(function)
        body, position = _resolve(clone, path)
        body[position] = ast.Pass()
        removed = ast.unparse(_resolve(function, path)[0][position]).splitlines()[0]
        yield f"statement removed: `{removed}`", clone


class _Replace(ast.NodeTransformer):
    """Replaces one node (by identity) with what ``edit`` makes of it."""

    def __init__(self, target: ast.AST, edit) -> None:
        self.target, self.edit = target, edit

    def generic_visit(self, node):
        if node is self.target:
            return self.edit(node)
        return super().generic_visit(node)


def _set(node: ast.AST, field: str, value) -> ast.AST:
    setattr(node, field, value)
    return node


def _edits(node: ast.AST):
    """(description, edit) pairs; an edit takes the node and returns its replacement."""
    if isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
        new = SWAPS[type(node.op)]
        yield f"{type(node.op).__name__} → {new.__name__}", lambda n, new=new: _set(n, "op", new())
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.FloorDiv)):
        yield f"{type(node.op).__name__} dropped", lambda n: n.left
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in SWAPS:
                new = SWAPS[type(op)]
                yield (f"{type(op).__name__} → {new.__name__}",
                       lambda n, i=i, new=new: _set(n, "ops", [*n.ops[:i], new(), *n.ops[i + 1:]]))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not removed", lambda n: n.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        yield f"{node.value} → {node.value + 1}", lambda n: _set(n, "value", n.value + 1)
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        yield f"{node.value} → {not node.value}", lambda n: _set(n, "value", not n.value)


def _statement_paths(function: ast.FunctionDef):
    """Paths (field, index, …) to every statement in the function's body, nested ones too."""
    def walk(body, prefix):
        for position, statement in enumerate(body):
            if not (position == 0 and isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)):  # the docstring is no code
                yield prefix + (position,)
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(statement, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    yield from walk(inner, prefix + (position, field))
    yield from walk(function.body, ())


def _resolve(function: ast.FunctionDef, path: tuple):
    body = function.body
    for step in range(0, len(path) - 1, 2):
        body = getattr(body[path[step]], path[step + 1])
    return body, path[-1]


def run_target(target: Target, copy_root: Path) -> tuple[int, list[str]]:
    """(mutants killed, descriptions of survivors) for one function."""
    source_path = copy_root / target.module
    original = source_path.read_text(encoding="utf-8")
    tree = ast.parse(original)
    function = find_function(tree, target.function)
    baseline = ast.unparse(function)
    killed, survivors = 0, []
    for description, mutant in mutants(function):
        if ast.unparse(mutant) == baseline or description in target.equivalent:
            continue
        mutated = original.splitlines(keepends=True)
        start, end = function.lineno - 1 - len(function.decorator_list), function.end_lineno
        indent = " " * function.col_offset
        text = "\n".join(indent + line for line in ast.unparse(mutant).splitlines()) + "\n"
        source_path.write_text("".join(mutated[:start]) + text + "".join(mutated[end:]), encoding="utf-8")
        outcome = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                  *target.tests], cwd=copy_root, capture_output=True, timeout=900,
                                 env={**os.environ, "PYTHONPATH": str(copy_root)})
        if outcome.returncode == 0:
            survivors.append(description)
        else:
            killed += 1
    source_path.write_text(original, encoding="utf-8")
    return killed, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the targets whose function name contains this")
    args = parser.parse_args(argv)
    survived = 0
    with tempfile.TemporaryDirectory(prefix="mutants-") as temp:
        copy_root = Path(temp) / "checkout"
        shutil.copytree(ROOT, copy_root, ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "site", "out", ".cache", "__pycache__"))
        for target in TARGETS:
            if args.only and args.only not in target.function:
                continue
            killed, survivors = run_target(target, copy_root)
            survived += len(survivors)
            print(f"{target.module}::{target.function}: {killed} killed, {len(survivors)} survived")
            for description in survivors:
                print(f"    survived: {description}")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
