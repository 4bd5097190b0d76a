"""Mutants of a reference: one plausible mistake each, named stably, always valid Python."""

import ast

from pygrade_graders.mutate import mutants

SOURCE = '''
def clamp(value: int, low: int = 0, *, high: int = 10) -> int:
    """Keeps `value` within [low, high]."""
    if value < low and not value == high:
        return low
    total = value + 1
    check(total)
    return min(total - 1, high)
'''


def test_each_kind_of_mistake_is_made_once_where_it_applies() -> None:
    found = {m.id: m.description for m in mutants(SOURCE, "clamp.py")}
    assert found == {
        "clamp.py:4:7:compare": "`<` became `<=`",
        "clamp.py:4:7:boolean": "`and` became `or`",
        "clamp.py:4:23:boolean": "a `not` was dropped",
        "clamp.py:4:27:compare": "`==` became `!=`",
        "clamp.py:5:8:return": "a returned value became `None`",
        "clamp.py:6:4:statement": "line 6 became `pass`",
        "clamp.py:6:12:arithmetic": "`+` became `-`",
        "clamp.py:6:20:constant": "`1` became `2`",
        "clamp.py:7:4:statement": "line 7 became `pass`",
        "clamp.py:8:4:return": "a returned value became `None`",
        "clamp.py:8:15:arithmetic": "`-` became `+`",
        "clamp.py:8:23:constant": "`1` became `2`",
        "clamp.py:2:33:constant": "`0` became `1`",
        "clamp.py:2:51:constant": "`10` became `11`",
        "clamp.py:2:0:default": "the last positional default was dropped",
        "clamp.py:2:0:default-0": "the default of `high` was dropped",
    }


def test_every_mutant_is_valid_python_that_differs_from_the_reference() -> None:
    reference = ast.dump(ast.parse(SOURCE))
    for mutant in mutants(SOURCE, "clamp.py"):
        assert ast.dump(ast.parse(mutant.source)) != reference, mutant.id


def test_the_docstring_and_the_annotations_are_left_alone() -> None:
    for mutant in mutants(SOURCE, "clamp.py"):
        tree = ast.parse(mutant.source)
        function = tree.body[0]
        assert isinstance(function, ast.FunctionDef)
        assert ast.get_docstring(function) == "Keeps `value` within [low, high]."
        assert ast.unparse(function.returns or ast.Constant(None)) == "int"


def test_a_mutant_keeps_its_name_when_the_file_is_mutated_elsewhere() -> None:
    before = {m.id for m in mutants(SOURCE, "clamp.py")}
    after = {m.id for m in mutants(SOURCE + "\nLIMIT = 3\n", "clamp.py")}
    assert before < after
    assert after - before == {"clamp.py:10:8:constant"}
