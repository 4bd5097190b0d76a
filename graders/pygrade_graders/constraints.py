"""The rules an exercise's README states, checked on the learner's syntax tree.

A README that says "use pathlib", "no `time.sleep`", "no bare `except`" or "`value` is a
property" states a rule no test can see. The `constraints` check reads the learner's files
with `ast` (it never imports or runs them) and checks each rule:

    require-import  "pathlib"       the module, or one of its submodules, is imported
    forbid-import   "os.path"       it is not (`import os.path`, `from os import path`)
    require-call    "pathlib.Path"  the callable is called somewhere
    forbid-call     "time.sleep"    it is called nowhere
    forbid          "bare-except"   the construct appears nowhere: `bare-except`, `global`,
                                    `star-import`, `eval`, `exec`, `print`, `introspection`
                                    (reaching for code or its file rather than calling it:
                                    `__file__`, `__code__`, `__spec__` and the like, by
                                    attribute or by name, `getattr` with a computed name,
                                    `read_text`/`read_bytes`)
    property        "Counter.value" the class defines the attribute as a `@property`
    derives-from    "Exporter abc.ABC"  the class has the base among its bases

Calls are resolved through the file's imports: with `import time as t`, `t.sleep(...)` is a
call of `time.sleep`; with `from time import sleep`, so is `sleep(...)`; and so are
`getattr(time, "sleep")(...)`, `__import__("time").sleep(...)` and a name bound to any of
them (`nap = time.sleep`), the plain ways around a rule. A call that computes its target at run time is beyond any reading of the source.

Run as `python -m pygrade_graders.constraints SPEC`: SPEC is a JSON file
`{"files": [...], "rules": [{"kind", "target"}, ...]}`, with the files relative to the
working folder. It prints `{"rules": [{"findings": [{"file", "line"}, ...]}, ...]}`: for a
`require-` rule, `property` and `derives-from`, no finding means the rule is broken (and a
finding says where it is kept); for `forbid-` rules and `forbid`, each finding is a place
that breaks it. A file that cannot be parsed gives `{"syntax": {"file", "line", "message"}}`.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    file: str
    line: int


class Names:
    """What the names of one file stand for, from its imports: `t` for `time`, `sleep` for
    `time.sleep`."""

    def __init__(self, tree: ast.Module) -> None:
        self.aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        # A name bound to something the source names (`opener = builtins.open`) stands for
        # it; twice over, for a name bound to such a name.
        for _ in range(2):
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    bound = self.dotted(node.value)
                    if isinstance(target, ast.Name) and bound and bound != target.id:
                        self.aliases[target.id] = bound

    def dotted(self, node: ast.expr) -> str | None:
        """The full dotted name `node` stands for, where the source says it."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and len(node.args) >= 1:
            # `__import__("time")`, `importlib.import_module("time")`
            target = self.dotted(node.func)
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) else None
            if target in ("__import__", "importlib.import_module") and isinstance(literal, str):
                return literal
            # `getattr(time, "sleep")`
            if target == "getattr" and len(node.args) >= 2:
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    base = self.dotted(first)
                    return f"{base}.{name.value}" if base else None
        return None


def within(name: str, target: str) -> bool:
    """Whether `name` is `target` or something inside it (`os.path.join` in `os.path`); a
    built-in counts by its plain name (`builtins.open` is `open`)."""
    name = name.removeprefix("builtins.")
    return name == target or name.startswith(target + ".")


def imports(tree: ast.Module) -> list[tuple[str, int]]:
    """Every module the file imports (and every name it imports from one), with the line."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno))
            found.extend((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)
    return found


def calls(tree: ast.Module, names: Names) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = names.dotted(node.func)
            if name:
                found.append((name, node.lineno))
    return found


# What code that reads other code, rather than running it, reaches for.
INTROSPECTION = frozenset(
    {"__file__", "__code__", "__spec__", "__loader__", "__cached__", "__globals__", "__builtins__",
     "__dict__", "__getattribute__", "read_text", "read_bytes", "co_code", "f_globals", "f_locals", "f_back"}
)


def introspects(node: ast.AST, names: Names) -> bool:
    """Whether `node` reaches for code or its file: an attribute or a string naming one of
    `INTROSPECTION`, or `getattr` with a name that is not written out."""
    if isinstance(node, ast.Attribute):
        return node.attr in INTROSPECTION
    if isinstance(node, ast.Name):
        return node.id in INTROSPECTION
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in INTROSPECTION
    if isinstance(node, ast.Call) and names.dotted(node.func) in ("getattr", "builtins.getattr"):
        return len(node.args) < 2 or not isinstance(node.args[1], ast.Constant)
    return False


def constructs(tree: ast.Module, names: Names, construct: str) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if construct == "introspection":
            if introspects(node, names):
                lines.append(getattr(node, "lineno", 0))
            continue
        if construct == "bare-except" and isinstance(node, ast.ExceptHandler):
            if node.type is None:
                lines.append(node.lineno)
        elif construct == "global" and isinstance(node, ast.Global):
            lines.append(node.lineno)
        elif construct == "star-import" and isinstance(node, ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                lines.append(node.lineno)
        elif construct in ("eval", "exec", "print") and isinstance(node, ast.Call):
            if names.dotted(node.func) in (construct, f"builtins.{construct}"):
                lines.append(node.lineno)
    return lines


def classes(tree: ast.Module, name: str) -> list[ast.ClassDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name]


def is_property(node: ast.stmt, attribute: str, names: Names) -> bool:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != attribute:
        return False
    decorators = [names.dotted(d) for d in node.decorator_list]
    return any(d in ("property", "builtins.property", "functools.cached_property") for d in decorators)


def check(rule: dict[str, str], trees: dict[str, ast.Module]) -> list[Finding]:
    """Where each file keeps (`require-`, `property`, `derives-from`) or breaks (`forbid-`,
    `forbid`) the rule."""
    kind, target = rule["kind"], rule["target"]
    found: list[Finding] = []
    for file, tree in trees.items():
        names = Names(tree)
        if kind in ("require-import", "forbid-import"):
            found += [Finding(file, line) for name, line in imports(tree) if within(name, target)]
        elif kind in ("require-call", "forbid-call"):
            found += [Finding(file, line) for name, line in calls(tree, names) if within(name, target)]
        elif kind == "forbid":
            found += [Finding(file, line) for line in constructs(tree, names, target)]
        elif kind == "property":
            owner, attribute = target.rsplit(".", 1)
            for cls in classes(tree, owner):
                found += [Finding(file, n.lineno) for n in cls.body if is_property(n, attribute, names)]
        elif kind == "derives-from":
            owner, base = target.split()
            for cls in classes(tree, owner):
                if any(names.dotted(b) == base or (isinstance(b, ast.Name) and b.id == base) for b in cls.bases):
                    found.append(Finding(file, cls.lineno))
        else:
            raise ValueError(f"unknown rule kind {kind!r}")
    return sorted(set(found), key=lambda f: (f.file, f.line))


def run(spec: dict[str, Any]) -> dict[str, Any]:
    trees = {}
    for file in spec["files"]:
        with open(file, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
        try:
            trees[file] = ast.parse(source, filename=file)
        except SyntaxError as error:
            return {"syntax": {"file": file, "line": error.lineno or 0, "message": error.msg}}
        except (RecursionError, MemoryError, ValueError) as error:
            return {"syntax": {"file": file, "line": 0, "message": f"cannot be read: {type(error).__name__}"}}
    results = []
    for rule in spec["rules"]:
        try:
            findings = check(rule, trees)
        except RecursionError:
            return {"syntax": {"file": "", "line": 0, "message": "nested too deeply to be read"}}
        results.append({"findings": [{"file": f.file, "line": f.line} for f in findings]})
    return {"rules": results}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    print(json.dumps(run(spec)))


if __name__ == "__main__":
    main()
