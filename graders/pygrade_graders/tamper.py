"""Evidence of tampering: did learner code replace what the grading relies on?

Tests run in the same interpreter as the learner's code, so that code can, in principle,
replace a builtin, an assert method, the import machinery, pytest's reporting, this package's
own reporting or a name in a test module, to turn failures into passes. A `Watch` records what
matters before any learner code is imported; `TestModules` records each test module once it
is collected, and checks the names it imported against the modules they came from. Each
`replaced()` names everything that is no longer what it was; the plugin asks after every test
and at the end, and pygrade then rejects the submission. This cannot stop every trick (see
SECURITY.md); it makes the common ones show.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import enum
import gc
import hashlib
import importlib
import json
import math
import operator
import os
import sys
import types
import unittest
import unittest.case
import unittest.util
from collections.abc import Callable, Iterable, Mapping, Sized
from itertools import repeat

import _pytest.assertion.rewrite
import _pytest.assertion.util
import _pytest.unittest
import pluggy._callers
import pluggy._hooks
import pluggy._manager
import pytest

from pygrade_graders import compare

# A probe answers what it watches that changed since it was made, by name.
Probe = Callable[[], list[str]]

# Modules whose functions and classes (those defined in them, and the classes' own namespaces)
# are watched: the assertions and comparisons, pytest's running and reporting of a test,
# pluggy's calling of hooks, and the import machinery. pytest's are found through its public
# names, which stay while its private modules move.
MODULES: tuple[types.ModuleType, ...] = (
    compare,
    math,
    dataclasses,
    enum,
    unittest.case,
    unittest.util,
    _pytest.assertion.rewrite,
    _pytest.assertion.util,
    _pytest.unittest,
    *dict.fromkeys(
        sys.modules[public.__module__]
        for public in (
            pytest.approx,
            pytest.raises,
            pytest.fail,
            pytest.fixture,
            pytest.Function,
            pytest.TestReport,
            pytest.CallInfo,
        )
    ),
    pluggy._callers,
    pluggy._hooks,
    pluggy._manager,
    importlib,
    sys.modules["importlib._bootstrap"],
    sys.modules["importlib._bootstrap_external"],
)

# The names a builtin module gives every module, which a test module holds by right.
MODULE_DUNDERS = frozenset(
    {"__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__", "__cached__", "__builtins__"}
)

# Set by Python in a module that issues a warning.
CHANGES_HONESTLY = frozenset({"__warningregistry__"})


def attribute(owner: object, name: str) -> Callable[[], object]:
    """Looks `owner.name` up each time it is called."""
    return lambda: getattr(owner, name)


def class_attribute(owner: type, name: str) -> Callable[[], object]:
    """Looks `name` up in the class's own namespace each time (descriptors unresolved)."""
    return lambda: owner.__dict__.get(name)


def fingerprint(value: object) -> tuple[object, ...]:
    """The object, and for a Python function also what can be swapped inside it: its code,
    defaults and closure's contents."""
    if not isinstance(value, types.FunctionType):
        return (value,)
    parts: list[object] = [value, value.__code__, value.__defaults__]
    for key, default in (value.__kwdefaults__ or {}).items():
        parts += [key, default]
    for cell in value.__closure__ or ():
        try:
            parts.append(cell.cell_contents)
        except ValueError:  # an empty cell
            parts.append(None)
    return tuple(parts)


def same(before: tuple[object, ...], after: tuple[object, ...]) -> bool:
    return len(before) == len(after) and all(a is b for a, b in zip(before, after))


def unchanged(before: tuple[object, ...], value: object) -> bool:
    """Whether `value` is the object `before` was taken of, with the same insides."""
    if value is not before[0]:
        return False
    if len(before) == 1:
        return True
    function: types.FunctionType = value  # type: ignore[assignment]  # as fingerprinted
    # The quick test first, which most functions (no keyword defaults, no closure) end with.
    if function.__code__ is not before[1] or function.__defaults__ is not before[2]:
        return False
    return len(before) == 3 or same(before, fingerprint(value))


# Stands for a name that is gone.
_MISSING = object()

# What a `Watch` reports when its look finds an entry replaced and its probes, misled by
# learner code (which replaced a builtin they call, such as `getattr`, to hide what it did),
# name nothing.
UNNAMED = "names its look could not tell: what tells them was replaced too"


def watch_value(label: str, look: Callable[[], object]) -> Probe:
    """Whether `look()` still gives the same object, with the same insides."""
    before = fingerprint(look())

    def probe() -> list[str]:
        try:
            return [] if unchanged(before, look()) else [label]
        except Exception:  # noqa: BLE001 - deleted, or made unreadable, counts as replaced
            return [label]

    return probe


def watch_class(label: str, owner: type) -> Probe:
    """A class's own namespace: every entry replaced or removed, and every entry added that
    changes behaviour (a function or other descriptor, or a dunder; pytest itself adds flags)."""
    before = {name: fingerprint(value) for name, value in vars(owner).items()}

    def probe() -> list[str]:
        try:
            now = vars(owner)
            changed = [f"{label}.{name}" for name, was in before.items() if not unchanged(was, now.get(name, _MISSING))]
            if len(now) == len(before) and not changed:
                return []  # nothing added either: the common case, kept quick
            for name, value in list(now.items()):
                if name not in before and (callable(value) or hasattr(type(value), "__get__") or name.startswith("__")):
                    changed.append(f"{label}.{name}")
        except Exception:  # noqa: BLE001
            return [label]
        return changed

    return probe


def watch_module(module: types.ModuleType, everything: bool = False, spaces: Namespaces | None = None) -> list[Probe]:
    """The functions and classes `module` defines (or, with `everything`, all its globals) and
    the namespaces of those classes; `spaces`, if given, watches the same at once."""
    probes: list[Probe] = []
    name = module.__name__
    keys: list[str] = []
    for key, value in vars(module).items():
        defined_here = getattr(value, "__module__", None) == name
        if not (everything and not key.startswith("__")) and not (defined_here and callable(value)):
            continue
        keys.append(key)
        probes.append(watch_value(f"{name}.{key}", class_attribute_of(module, key)))
        if isinstance(value, type) and defined_here:
            probes.append(watch_class(f"{name}.{key}", value))
            if spaces is not None:
                spaces.add_class(value, probes[-1])
    if spaces is not None:
        spaces.add(module.__dict__, keys)
    return probes


def class_attribute_of(module: types.ModuleType, key: str) -> Callable[[], object]:
    """Looks `key` up in the module's namespace itself, so that a module `__getattr__` or a
    replaced `__class__` cannot answer for it."""
    return lambda: module.__dict__[key]


def watch_items(label: str, look: Callable[[], Iterable[object]]) -> Probe:
    """A list's (or a dict's items') members, by identity and order."""
    before = tuple(look())

    def probe() -> list[str]:
        try:
            now = tuple(look())
        except Exception:  # noqa: BLE001
            return [label]
        return [] if same(_flat(before), _flat(now)) else [label]

    return probe


def _flat(items: tuple[object, ...]) -> tuple[object, ...]:
    """Pairs (a dict's items) spread out, so that each member is compared by identity."""
    return tuple(part for item in items for part in (item if type(item) is tuple else (item,)))


def watch_modules_table() -> Probe:
    """The modules imported so far: each must stay the same object in `sys.modules`, of the
    same class (a replaced `__class__` can answer attribute lookups with anything). All of
    them are looked at at once first; one at a time only when something changed."""
    before = {name: (module, type(module)) for name, module in list(sys.modules.items())}
    names = list(before)
    modules = [module for module, _ in before.values()]
    kinds = [kind for _, kind in before.values()]

    def probe(
        *,
        # The look's own tools, bound once (see `Namespaces.unchanged`).
        _all: Callable[[Iterable[object]], bool] = all,
        _map: Callable[..., Iterable[object]] = map,
        _is: Callable[[object, object], bool] = operator.is_,
        _type: Callable[[object], type] = type,
    ) -> list[str]:
        try:
            table = sys.modules
            if _all(_map(_is, _map(table.get, names, modules), modules)) and _all(
                _map(_is, _map(_type, modules), kinds)
            ):
                return []
        except Exception:  # noqa: BLE001 - for the look one at a time to name
            pass
        changed = []
        for name, (module, kind) in before.items():
            now = sys.modules.get(name, module)
            if now is not module:
                changed.append(f"sys.modules[{name!r}]")
            elif type(module) is not kind:
                changed.append(f"{name}.__class__")
        return changed

    return probe


def watch_finder_cache() -> Probe:
    """The finders cached for each folder on the import path: only of the kinds found there
    before learner code ran (a finder of its own there would serve the tests' imports)."""
    kinds = {type(finder) for finder in sys.path_importer_cache.values()} | {type(None)}

    def probe() -> list[str]:
        try:
            found = list(sys.path_importer_cache.items())
        except Exception:  # noqa: BLE001
            return ["sys.path_importer_cache"]
        return [f"sys.path_importer_cache[{path!r}]" for path, finder in found if type(finder) not in kinds]

    return probe


@dataclasses.dataclass(frozen=True)
class Entries:
    """A namespace's keys and values, in order."""

    keys: tuple[str, ...]
    values: tuple[object, ...]

    @classmethod
    def of(cls, space: Mapping[str, object]) -> Entries:
        return cls(tuple(space), tuple(space.values()))

    def still_in(self, space: Mapping[str, object]) -> bool:
        """Whether `space` holds these entries still: the same names, in the same order, each
        for the same object."""
        return tuple(space) == self.keys and all(map(operator.is_, space.values(), self.values))


@dataclasses.dataclass
class Rows:
    """Watched entries of mappings of one kind, one per row: `getter(space, key, default)`
    reads an entry (`dict.get`, say), which must still be `value`."""

    getter: Callable[[Mapping[str, object], str, object], object]
    spaces: list[Mapping[str, object]]
    keys: list[str]
    values: list[object]


class Namespaces:
    """A quick look at many namespaces at once: whether each watched entry is still the same
    object, each watched class has the same entries, and each watched function the same
    insides. The probes of a `Watch` say *what* changed, one entry at a time; this says
    *whether* anything did, at the speed of the interpreter's own loops, so that a check after
    every test costs well under a millisecond when nothing changed.

    A function's insides (its code, defaults, closure, keyword defaults, and more) are what
    the garbage collector sees it refer to: one `gc.get_referents` call takes them all, where
    reading `__code__` and `__defaults__` one function at a time raises an audit event each.
    Of those, what a probe can name as replaced is the code, the defaults and keyword
    defaults, each of which Python code can only replace by assigning it, an assignment that
    raises an audit event (`object.__setattr__`) too; and what the closure's cells and the
    keyword defaults hold, which the look reads every time. Once an audit hook counts those
    assignments (`count_insides_by`), the look reads the functions' insides only when the
    count moved since it last found them the same: about 7,000 objects a look spared."""

    def __init__(self) -> None:
        self._spaces: list[tuple[Mapping[str, object], tuple[str, ...], tuple[object, ...]]] = []
        # A class's namespace, its probe, and its entries when last found sound.
        self._classes: list[tuple[Mapping[str, object], Probe, Entries]] = []
        self._functions: list[types.FunctionType] = []
        # What the functions refer to, and what their closures' cells and keyword defaults do.
        self._mutable: list[object] = []
        self._insides: list[object] = []
        self._deeper: list[object] = []
        # Every namespace added, whole, as it was when added.
        self._whole: list[tuple[Mapping[str, object], Entries]] = []
        # The watched entries of the namespaces and the classes in one list each, by how a
        # mapping of their kind is read, for a look to go through in one pass (`rows`).
        self._rows: list[Rows] = []
        self._class_spaces: list[Mapping[str, object]] = []
        self._class_sizes: list[int] = []
        # How many assignments of a function's code, defaults or keyword defaults an audit
        # hook has counted, if one does, and the count when the insides were last found the
        # same (None: not since they were taken).
        self._insides_set: Callable[[], int] | None = None
        self._insides_at: int | None = None

    def count_insides_by(self, count: Callable[[], int]) -> None:
        """From now on, `count()` is how many times a function's code, defaults or keyword
        defaults were assigned: an audit hook installed now counts them (see the class)."""
        self._insides_set = count
        self._insides_at = None

    def add(self, space: Mapping[str, object], keys: Iterable[str]) -> None:
        """Watches `space[key]` for each of `keys`."""
        keys = tuple(keys)
        values = tuple(space.get(key, _MISSING) for key in keys)
        self._spaces.append((space, keys, values))
        self._whole.append((space, Entries.of(space)))
        self._functions += [value for value in values if isinstance(value, types.FunctionType)]

    def add_class(self, owner: type, probe: Probe) -> None:
        """Watches a class's whole namespace, which `probe` (its `watch_class`) judges."""
        space = vars(owner)
        self._classes.append((space, probe, Entries.of(space)))
        self._whole.append((space, Entries.of(space)))
        self._functions += [value for value in space.values() if isinstance(value, types.FunctionType)]

    @classmethod
    def joined(cls, parts: Iterable[Namespaces]) -> Namespaces:
        """The namespaces of all `parts` at once, in their order, sealed."""
        joined = cls()
        for part in parts:
            joined._spaces += part._spaces
            joined._classes += part._classes
            joined._functions += part._functions
            joined._whole += part._whole
        joined.seal()
        return joined

    def seal(self) -> None:
        """Takes the functions' insides, once every namespace is added; taken again when they
        changed but the probes found nothing replaced (pytest gives a function a `__dict__`
        of marks, say)."""
        for function in self._functions:
            # A function keeps its annotations in a compact form until they are first read
            # (pytest reads a fixture's through `inspect.signature`), when they become a dict:
            # read now, that first read is not taken for a change.
            getattr(function, "__annotations__")
        self._insides = gc.get_referents(*self._functions)
        self._insides_at = None
        cells = [cell for function in self._functions for cell in function.__closure__ or ()]
        keywords = [function.__kwdefaults__ for function in self._functions if function.__kwdefaults__]
        self._mutable = [*cells, *keywords]
        self._deeper = gc.get_referents(*self._mutable)
        self.rows()

    def rows(self) -> None:
        """Lays out every watched entry, of the namespaces and of the classes, in one list per
        kind of mapping (a module's `dict`, a class's `mappingproxy`), and each class's size."""
        by_getter: dict[object, Rows] = {}
        entries = [(space, keys, values) for space, keys, values in self._spaces]
        entries += [(space, found.keys, found.values) for space, _, found in self._classes]
        for space, keys, values in entries:
            getter = type(space).get
            rows = by_getter.setdefault(getter, Rows(getter, [], [], []))
            rows.spaces += [space] * len(keys)
            rows.keys += keys
            rows.values += values
        self._rows = list(by_getter.values())
        self._class_spaces = [space for space, _, _ in self._classes]
        self._class_sizes = [len(found.keys) for _, _, found in self._classes]

    def unchanged(
        self,
        *,
        # The look's own tools, bound once: learner code that replaces `builtins.all` or
        # `operator.is_` cannot make the look see nothing.
        _all: Callable[[Iterable[object]], bool] = all,
        _map: Callable[..., Iterable[object]] = map,
        _len: Callable[[Sized], int] = len,
        _is: Callable[[object, object], bool] = operator.is_,
        _referents: Callable[..., list[object]] = gc.get_referents,
        _missing: Iterable[object] = repeat(_MISSING),
        _list: Callable[[Iterable[object]], list[object]] = list,
    ) -> bool:
        try:
            sizes_kept = _list(_map(_len, self._class_spaces)) == self._class_sizes
            if not sizes_kept or not _all(
                _all(_map(_is, _map(rows.getter, rows.spaces, rows.keys, _missing), rows.values))
                for rows in self._rows
            ):
                if not self._classes_sound(_all, _map, _len, _is, _missing):
                    return False
            # Read before the insides are: an assignment made while they are read counts after.
            count = self._insides_set
            seen = count() if count is not None else None
            if seen is None or seen != self._insides_at:
                now = _referents(*self._functions)
                if _len(now) != _len(self._insides) or not _all(_map(_is, now, self._insides)):
                    return False
                self._insides_at = seen
            now = _referents(*self._mutable)
            return _len(now) == _len(self._deeper) and _all(_map(_is, now, self._deeper))
        except Exception:  # noqa: BLE001 - anything odd is for the probes to name
            return False

    def _classes_sound(
        self,
        _all: Callable[[Iterable[object]], bool],
        _map: Callable[..., Iterable[object]],
        _len: Callable[[Sized], int],
        _is: Callable[[object, object], bool],
        _missing: Iterable[object],
    ) -> bool:
        """Whether every watched entry of the namespaces is the same object still, and each
        class either holds what it held, entry for entry, or its probe finds nothing replaced;
        the look's own tools passed in. What a class holds now (only what its probe lets pass
        was added: pytest's own flags, say) is then what later looks compare with."""
        for space, keys, values in self._spaces:
            if not _all(_map(_is, _map(space.get, keys, _missing), values)):
                return False
        # The builtins are what they were: in a `Watch` they are among the namespaces just
        # found unchanged, and a test module is looked at after the `Watch` has looked.
        for index, (space, probe, entries) in enumerate(self._classes):
            if _len(space) == _len(entries.keys) and _all(
                _map(_is, _map(space.get, entries.keys, _missing), entries.values)
            ):
                continue
            if probe():
                return False
            self._classes[index] = (space, probe, Entries.of(space))
        self.rows()
        return True

    def entries_replaced(
        self,
        *,
        # The look's own tools, bound once (see `unchanged`).
        _all: Callable[[Iterable[object]], bool] = all,
        _map: Callable[..., Iterable[object]] = map,
        _is: Callable[[object, object], bool] = operator.is_,
        _missing: Iterable[object] = repeat(_MISSING),
    ) -> bool:
        """Whether a watched entry of a namespace (the builtins, pytest's names, a watched
        module's functions and classes) is another object now. Nothing replaces one honestly:
        this answers by the look's own tools, whatever the probes, which use the builtins,
        were misled into saying."""
        try:
            return not _all(
                _all(_map(_is, _map(space.get, keys, _missing), values)) for space, keys, values in self._spaces
            )
        except Exception:  # noqa: BLE001 - a namespace that cannot be read counts as replaced
            return True

    def as_added(self) -> bool:
        """Whether every namespace is as it was when added, whole (the same names, in the same
        order, each for the same object), and every function's insides as when sealed: what
        the namespaces would be made of if they were added now."""
        try:
            if not all(entries.still_in(space) for space, entries in self._whole):
                return False
        except Exception:  # noqa: BLE001
            return False
        return self.unchanged()


class NamespacePart:
    """What a `Watch` looks at in one place: the builtins, pytest's names, or one watched
    module's entries and classes; a probe for each, and the same added to a `Namespaces`."""

    def __init__(self, source: types.ModuleType) -> None:
        self.source = source
        self.spaces = Namespaces()
        if source is builtins:
            names = [name for name in vars(builtins) if name != "_"]
            self.probes = [watch_value(f"builtins.{name}", attribute(builtins, name)) for name in names]
            self.spaces.add(builtins.__dict__, names)
        elif source is pytest:
            names = [name for name in vars(pytest) if not name.startswith("__")]
            self.probes = [watch_value(f"pytest.{name}", attribute(pytest, name)) for name in names]
            self.spaces.add(pytest.__dict__, names)
        else:
            self.probes = watch_module(source, everything=source is compare, spaces=self.spaces)
        self.spaces.seal()

    def as_made_now(self) -> bool:
        """Whether made now it would be the same: nothing it was made from has changed."""
        return self.spaces.as_added()


class WatchedNamespaces:
    """What a `Watch` looks at in namespaces: the builtins, pytest's names, and the watched
    modules' entries and classes, with a probe for each and `Namespaces` to look at them all at
    once. It is most of what a `Watch` costs to make (a few milliseconds), so a warm worker
    makes it once, before it forks, and each fork's `Watch` takes from it each part that
    nothing it was made from has changed since (pytest's own start adds a property to a class
    of its fixtures, say, whose part is made again)."""

    def __init__(self, also: Iterable[types.ModuleType] = (), made: WatchedNamespaces | None = None) -> None:
        sources = (builtins, pytest, *MODULES, *also)
        self.parts: list[NamespacePart] = []
        self.reused = 0
        if made is not None and [part.source for part in made.parts] == list(sources) and made.spaces.as_added():
            # Nothing it was made from has changed: all of it is taken as made, joined as well
            # (in a fork, whose copy of it is its own).
            self.parts = made.parts
            self.reused = len(made.parts)
            self.spaces: Namespaces = made.spaces
            self.probes: list[Probe] = made.probes
            return
        before = {id(part.source): part for part in made.parts} if made is not None else {}
        for source in sources:
            part = before.get(id(source))
            if part is not None and part.source is source and part.as_made_now():
                self.reused += 1
            else:
                part = NamespacePart(source)
            self.parts.append(part)
        self.spaces = Namespaces.joined([part.spaces for part in self.parts])
        self.probes = [probe for part in self.parts for probe in part.probes]


class Watch:
    """Remembers what everything the grading relies on refers to now, to compare later."""

    def __init__(
        self,
        extra: dict[str, Callable[[], object]] | None = None,
        also: Iterable[types.ModuleType] = (),
        made: WatchedNamespaces | None = None,
    ) -> None:
        # The namespaces, also looked at all at once (see `Namespaces`): the parts `made`
        # before that are still what they were made from, and the others made now.
        namespaces = WatchedNamespaces(also, made)
        self.parts_made_before = namespaces.reused
        self._spaces = namespaces.spaces
        self._namespaces = namespaces.probes
        # The rest, always looked at one by one.
        rest: list[Probe] = [watch_value("sys.modules['builtins']", lambda: sys.modules["builtins"])]
        rest.append(watch_items("pygrade_graders.compare.READERS", lambda: compare.READERS.items()))
        rest.append(watch_items("sys.meta_path", lambda: sys.meta_path))
        rest.append(watch_items("sys.path_hooks", lambda: sys.path_hooks))
        rest.append(watch_modules_table())
        rest.append(watch_finder_cache())
        rest += [watch_value(name, look) for name, look in (extra or {}).items()]
        self._rest = rest

    def count_insides_by(self, count: Callable[[], int]) -> None:
        """See `Namespaces.count_insides_by`."""
        self._spaces.count_insides_by(count)

    def replaced(self) -> list[str]:
        quick = self._spaces.unchanged()
        probes = self._rest if quick else [*self._namespaces, *self._rest]
        changed: list[str] = []
        for probe in probes:
            for name in probe():
                if name not in changed:
                    changed.append(name)
        if not quick and not changed:
            if self._spaces.entries_replaced():
                # The probes, misled (a builtin they call was replaced too), named nothing.
                changed.append(UNNAMED)
            else:
                self._spaces.seal()
        return changed


@dataclasses.dataclass
class Bindings:
    """What a test file's own top level binds: the names it imports (name: module and
    attribute, the attribute None for a module itself) and every other name it assigns."""

    imported: dict[str, tuple[str, str | None]]
    assigned: set[str]

    def kept(self, source: str) -> str:
        """These bindings as a trusted run keeps them for later runs: JSON, with the hash of
        the `source` they were read from."""
        return json.dumps({"source": source_hash(source), "imported": self.imported, "assigned": sorted(self.assigned)})

    @classmethod
    def from_kept(cls, kept: str, source: str) -> Bindings | None:
        """The bindings `kept` says, if it kept them for this `source`."""
        try:
            found = json.loads(kept)
            if found["source"] != source_hash(source):
                return None
            imported = {name: (module, attr) for name, (module, attr) in found["imported"].items()}
            return cls(imported, set(found["assigned"]))
        except (ValueError, TypeError, KeyError):
            return None


def source_hash(source: str) -> str:
    """What kept bindings name the source they were read from by."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def kept_bindings(path: str) -> str:
    """Where a trusted run keeps a test file's bindings: in the `__pycache__` beside it, with
    the module pytest rewrote (which pygrade keeps and lays out again in the same way)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, "__pycache__", f"{name}.pygrade-bindings.json")


def bindings(source: str) -> Bindings:
    """The top-level bindings of a test file, the last binding of a name winning."""
    imported: dict[str, tuple[str, str | None]] = {}
    assigned: set[str] = set()

    def bind(name: str, target: tuple[str, str | None] | None) -> None:
        imported.pop(name, None)
        assigned.discard(name)
        if target is None:
            assigned.add(name)
        else:
            imported[name] = target

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bind(alias.asname, (alias.name, None))
                    else:
                        top = alias.name.split(".")[0]
                        bind(top, (top, None))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    bound = alias.asname or alias.name
                    bind(bound, (node.module, alias.name) if node.level == 0 and node.module else None)
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for name in _targets(node):
                    bind(name, None)
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            else:
                for name in _targets(node):
                    bind(name, None)

    visit(ast.parse(source).body)
    return Bindings(imported, assigned)


def _targets(node: ast.stmt) -> list[str]:
    """The names a statement binds at its own level (not inside nested blocks)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    found: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        found = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For)):
        found = [node.target]
    elif isinstance(node, ast.With):
        found = [item.optional_vars for item in node.items if item.optional_vars is not None]
    names = []
    for target in found:
        names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names


class TestModules:
    """The test modules, each checked when it is collected and watched from then on.

    Learner code runs while a test module is being imported (at its `from solution import
    ...`), when the names the module imported before are already bound: those are checked
    against the modules they came from. A global that shadows a builtin and that the test file
    does not bind itself is learner code's. After collection every global of the module, and
    the namespace of every class it defines, must stay as it is."""

    def __init__(
        self,
        root: str,
        modules_before: dict[str, types.ModuleType],
        relative: Callable[[str], str],
        keep: bool = False,
    ) -> None:
        self.root = os.path.realpath(root) + os.sep
        self.modules_before = modules_before
        self.relative = relative
        # Whether to keep each test file's bindings for later runs (a run of trusted code).
        self.keep = keep
        self._sources: dict[str, str] = {}
        self._kept: dict[str, Bindings] = {}
        self._probes: list[Probe] = []
        self._seen: set[int] = set()

    def remember_sources(self, folder: str) -> None:
        """Reads the test files, and the bindings a trusted run kept for them, before any
        learner code runs (which, unsandboxed, could write to them). Parsing a test file for
        its bindings costs a few milliseconds."""
        for parent, _, files in os.walk(folder):
            for file in files:
                if file.endswith(".py"):
                    path = os.path.join(parent, file)
                    real = os.path.realpath(path)
                    try:
                        with open(path, encoding="utf-8") as source:
                            text = self._sources[real] = source.read()
                        with open(kept_bindings(path), encoding="utf-8") as kept:
                            found = Bindings.from_kept(kept.read(), text)
                    except (OSError, UnicodeDecodeError):
                        continue
                    if found is not None:
                        self._kept[real] = found

    def add(self, module: types.ModuleType) -> list[str]:
        """Checks a collected test module now and watches it from now on; what is wrong now."""
        if id(module) in self._seen:
            return []
        self._seen.add(id(module))
        namespace = module.__dict__
        path = namespace.get("__file__")
        label = self.relative(str(path)) if isinstance(path, str) else module.__name__
        found: list[str] = []
        held = namespace.get("__builtins__")
        if held is not builtins and held is not builtins.__dict__:
            found.append(f"{label}: __builtins__")
        others = [
            key
            for key, value in list(namespace.items())
            # Imported functions run with their own module's builtins: their module's business.
            if getattr(value, "__module__", None) == module.__name__
            and any(getattr(f, "__builtins__", builtins.__dict__) is not builtins.__dict__ for f in _functions(value))
        ]
        if others:
            found.append(f"{label}: {others[0]}{' and others' if len(others) > 1 else ''} run with other builtins")
        binds = self._bindings(path)
        if binds is not None:
            for key in namespace:
                if key in vars(builtins) and key not in MODULE_DUNDERS and key not in binds.assigned and key not in binds.imported:
                    found.append(f"{label}: {key} shadows the builtin")
            for key, (source, attr) in binds.imported.items():
                if key in namespace and not self._is_import(namespace[key], source, attr):
                    what = f"{source}.{attr}" if attr else source
                    found.append(f"{label}: {key} is not {what}")
        self._probes.append(self._watch(module, label, set(binds.assigned) | set(binds.imported) if binds else None))
        return found

    def replaced(self) -> list[str]:
        return [name for probe in self._probes for name in probe()]

    def _bindings(self, path: object) -> Bindings | None:
        if not isinstance(path, str):
            return None
        real = os.path.realpath(path)
        kept = self._kept.get(real)
        if kept is not None:
            return kept
        source = self._sources.get(real)
        if source is None:
            try:
                with open(path, encoding="utf-8") as file:
                    source = file.read()
            except (OSError, UnicodeDecodeError):
                return None
        try:
            found = bindings(source)
        except SyntaxError:
            return None
        if self.keep:
            keep_at = kept_bindings(path)
            try:
                os.makedirs(os.path.dirname(keep_at), exist_ok=True)
                with open(keep_at, "w", encoding="utf-8") as file:
                    file.write(found.kept(source))
            except OSError:
                pass  # the next run parses the file again
        return found

    def _is_import(self, value: object, source: str, attr: str | None) -> bool:
        """Whether `value` is what `from source import attr` (or `import source`) gives."""
        module = self.modules_before.get(source) or sys.modules.get(source)
        if module is None:
            return True  # not importable now: nothing to compare with
        if attr is None:
            return value is module
        if not self._trusted_module(module):
            return True  # the learner's own module says what its names are
        real = module.__dict__.get(attr, sys.modules.get(f"{source}.{attr}"))
        return value is real

    def _trusted_module(self, module: types.ModuleType) -> bool:
        """A module imported before learner code ran, or one that does not come from a file in
        the check's folder (the standard library, the installed packages)."""
        if module.__name__ in self.modules_before:
            return True
        origin = getattr(getattr(module, "__spec__", None), "origin", None)
        if not isinstance(origin, str) or not os.path.isabs(origin):
            return True  # built in or frozen
        return not os.path.realpath(origin).startswith(self.root)

    def _watch(self, module: types.ModuleType, label: str, own: set[str] | None) -> Probe:
        """A test module's probe. It looks at the whole module at once first (`Namespaces`),
        as quick for a module of many tests as for one of a few, and names what changed one
        entry at a time only when something did."""
        namespace = module.__dict__
        before = {key: fingerprint(value) for key, value in namespace.items()}
        classes = [
            (value, watch_class(f"{label}: {key}", value))
            for key, value in namespace.items()
            if isinstance(value, type) and value.__module__ == module.__name__
        ]
        judges = [judge for _, judge in classes]

        def whole() -> tuple[Namespaces, int]:
            """Every name the module holds now, each for the object it is now, its classes, and
            how many names it holds: a name added, or one taken away, shows."""
            spaces = Namespaces()
            spaces.add(namespace, list(namespace))
            for owner, judge in classes:
                spaces.add_class(owner, judge)
            spaces.seal()
            return spaces, len(namespace)

        quick = [whole()]

        def probe() -> list[str]:
            spaces, size = quick[0]
            if len(namespace) == size and type(module) is types.ModuleType and spaces.unchanged():
                return []
            changed = self._changed(module, label, own, before, judges)
            if not changed:
                # Only what the look one name at a time lets pass changed (a name added that
                # shadows no builtin, a warning's registry): later looks start from here.
                quick[0] = whole()
            return changed

        return probe

    @staticmethod
    def _changed(
        module: types.ModuleType,
        label: str,
        own: set[str] | None,
        before: dict[str, tuple[object, ...]],
        classes: list[Probe],
    ) -> list[str]:
        """What changed in a test module since `before`, by name; `classes` judge its classes."""
        namespace = module.__dict__
        changed = []
        for key, was in before.items():
            if key in CHANGES_HONESTLY:
                continue
            if key not in namespace or not same(was, fingerprint(namespace[key])):
                changed.append(f"{label}: {key}")
        for key in namespace:
            if key not in before and key in vars(builtins) and (own is None or key not in own):
                changed.append(f"{label}: {key} shadows the builtin")
        if type(module) is not types.ModuleType:
            changed.append(f"{label}: __class__")
        for watch in classes:
            changed += watch()
        return changed


def _functions(value: object) -> list[types.FunctionType]:
    """The Python functions a test module's global holds: itself, or a class's methods."""
    if isinstance(value, types.FunctionType):
        return [value]
    if isinstance(value, type):
        found = []
        for member in vars(value).values():
            inner = getattr(member, "__func__", member)
            if isinstance(inner, types.FunctionType):
                found.append(inner)
        return found
    return []
