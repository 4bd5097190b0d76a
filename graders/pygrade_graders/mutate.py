"""Mutants of a reference solution: one small, plausible mistake each.

`pygrade verify --mutants` grades every mutant of an exercise's reference with the exercise's
checks. A mutant that still earns full marks "survived": the tests would pass a learner who
made that mistake. Each mutant changes one thing:

    compare     a comparison flipped (`<` and `<=`, `>` and `>=`, `==` and `!=`, `in` and
                `not in`, `is` and `is not`)
    constant    an integer constant one more than it was
    boolean     `and` and `or` swapped, or a `not` dropped
    arithmetic  an operator swapped (`+` and `-`, `*` and `/`, `//` and `/`, `%` and `//`)
    statement   a statement in a function replaced by `pass` (a call, an assignment, a raise)
    return      a returned value replaced by `None`
    default     a parameter's default value dropped (the last positional one, or a
                keyword-only one), so that callers must pass it

Annotations and docstrings are left alone. A mutant is named `FILE:LINE:COLUMN:WHAT` (for
instance `word_count.py:21:15:compare`), which stays the same as long as the reference does:
an author marks a mutant that cannot be told apart from the reference by that name.

Run as `python -m pygrade_graders.mutate FILE NAME`: reads the source in FILE and prints its
mutants as JSON, `[{"id", "line", "description", "source"}]`, named after NAME.
"""

from __future__ import annotations

import ast
import copy
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass

COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}

ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
}

SYMBOLS: dict[type[ast.AST], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.And: "and", ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    id: str
    line: int
    description: str
    source: str


@dataclass(frozen=True)
class Site:
    """A place in the tree where one mutation applies: the node, which of its parts, and what
    the mutation is called and says."""

    node: ast.AST
    part: int
    what: str
    description: str


def sites(tree: ast.Module) -> Iterator[Site]:
    """Every mutation the tree allows, in source order."""
    for node in walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                new = COMPARISONS.get(type(op))
                if new is not None:
                    yield Site(node, i, "compare", f"`{SYMBOLS[type(op)]}` became `{SYMBOLS[new]}`")
        elif isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
            new_op = ARITHMETIC[type(node.op)]
            yield Site(node, 0, "arithmetic", f"`{SYMBOLS[type(node.op)]}` became `{SYMBOLS[new_op]}`")
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield Site(node, 0, "boolean", f"`{SYMBOLS[type(node.op)]}` became `{SYMBOLS[other]}`")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield Site(node, 0, "boolean", "a `not` was dropped")
        elif isinstance(node, ast.Constant) and (value := integer(node)) is not None:
            yield Site(node, 0, "constant", f"`{value}` became `{value + 1}`")
        elif isinstance(node, ast.Return) and node.value is not None and not is_none(node.value):
            yield Site(node, 0, "return", "a returned value became `None`")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for i, stmt in enumerate(node.body):
                if removable(stmt) and not (i == 0 and is_docstring(stmt)):
                    yield Site(node, i, "statement", f"line {stmt.lineno} became `pass`")
            args = node.args
            if args.defaults:
                yield Site(node, -1, "default", "the last positional default was dropped")
            for i, default in enumerate(args.kw_defaults):
                if default is not None:
                    name = args.kwonlyargs[i].arg
                    yield Site(node, i, "default", f"the default of `{name}` was dropped")


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes under `node` in source order, leaving out annotations (which are types, not
    behaviour)."""
    yield node
    for field, value in ast.iter_fields(node):
        if field in ("annotation", "returns", "type_comment"):
            continue
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, ast.AST):
                yield from walk(child)


def integer(node: ast.Constant) -> int | None:
    """The constant's value when it is an integer (and not a bool)."""
    value = node.value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def removable(stmt: ast.stmt) -> bool:
    """A statement whose removal leaves valid code and is a plausible mistake."""
    call = isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Call, ast.Await))
    return call or isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise))


def apply(site: Site) -> None:
    """Makes the mutation `site` names, in place."""
    node = site.node
    if isinstance(node, ast.Compare):
        node.ops[site.part] = COMPARISONS[type(node.ops[site.part])]()
    elif isinstance(node, ast.BinOp):
        node.op = ARITHMETIC[type(node.op)]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        # `not x` becomes `(x)`: the operand, as a unary plus would be wrong for non-numbers.
        node.op = ast.UAdd()
        node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
    elif isinstance(node, ast.Constant):
        assert isinstance(node.value, int)
        node.value = node.value + 1
    elif isinstance(node, ast.Return):
        node.value = None
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and site.what == "statement":
        node.body[site.part] = ast.copy_location(ast.Pass(), node.body[site.part])
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and site.part == -1:
        node.args.defaults.pop()
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node.args.kw_defaults[site.part] = None


def mutants(source: str, name: str) -> list[Mutant]:
    """Every mutant of `source`, a file named `name`, in source order."""
    found = []
    for index, site in enumerate(sites(ast.parse(source))):
        tree = ast.parse(source)
        twin = list(sites(tree))[index]
        apply(twin)
        line = getattr(site.node, "lineno", 0)
        column = getattr(site.node, "col_offset", 0)
        if site.what == "statement":
            assert isinstance(site.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            line, column = site.node.body[site.part].lineno, site.node.body[site.part].col_offset
        identity = f"{name}:{line}:{column}:{site.what}"
        if site.what == "compare" and site.part:
            identity += f"-{site.part}"
        if site.what == "default":
            identity += f"-{site.part}" if site.part >= 0 else ""
        mutated = ast.unparse(ast.fix_missing_locations(copy.deepcopy(tree)))
        found.append(Mutant(identity, line, site.description, mutated + "\n"))
    return sorted(found, key=lambda m: (m.line, m.id))


def main() -> None:
    path, name = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as file:
        source = file.read()
    print(json.dumps([asdict(m) for m in mutants(source, name)]))


if __name__ == "__main__":
    main()
