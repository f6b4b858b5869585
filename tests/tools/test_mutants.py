"""The focused mutation runner makes the mutants it promises, each a real change of the function."""

from __future__ import annotations

import ast

from tools import mutants

SOURCE = '''
def check(first17):
    """Docstring: never removed."""
    total = sum(first17)
    if total > 3 and not first17:
        return False
    return (31 - total % 31) % 31
'''


def test_every_mutant_changes_the_function_and_all_kinds_are_made():
    function = mutants.find_function(ast.parse(SOURCE), "check")
    made = list(mutants.mutants(function))
    baseline = ast.unparse(function)
    assert all(ast.unparse(m) != baseline for _, m in made)
    descriptions = [d for d, _ in made]
    for expected in ("Sub → Add in `31 - total % 31`", "Mod dropped in `(31 - total % 31) % 31`",
                     "Gt → GtE in `total > 3`", "And → Or in `total > 3 and (not first17)`",
                     "not removed in `not first17`", "31 → 32 in `31`", "False → True in `False`",
                     "statement removed: `total = sum(first17)`", "statement removed: `return False`"):
        assert expected in descriptions, (expected, descriptions)
    assert not any("Docstring" in d for d in descriptions)


def test_a_mutant_compiles_and_computes_something_else():
    function = mutants.find_function(ast.parse(SOURCE), "check")
    [(_, mutant)] = [(d, m) for d, m in mutants.mutants(function) if d == "Mod dropped in `(31 - total % 31) % 31`"]
    namespace: dict = {}
    exec(compile(ast.fix_missing_locations(ast.Module([mutant], [])), "<mutant>", "exec"), namespace)
    assert namespace["check"]([0]) == 31  # the original gives 0
