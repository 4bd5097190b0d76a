"""What a warm pytest worker does before its first fork, beside importing pytest and pygrade's
plugin: it imports pytest's own default plugins, and what they import as a session configures
itself, and it starts the configuration every check's session begins with.

A pytest session imports each of its default plugins (`_pytest.terminal`, `_pytest.capture`
and the rest) as it configures itself, and they import a few modules of the standard library
(`pdb` for `breakpoint()`, say). In a fork of a warm worker that would happen again in every
check; imported once here, before the first fork, each check finds them loaded. The session
has imported them all before it imports a test module, so learner code finds the same
modules loaded as under a fresh `python -m pytest`. A plugin the command line turns off
(`-p no:cacheprovider`) is imported but never registered: the session is the same.

A session's first step, `get_config`, makes a plugin manager and registers every default
plugin with it, each adding its options: the same work for every check whose command line
turns off the same plugins, and none of it reads the check's files, folder or arguments
otherwise. It is done here once (`prepare`); each fork's session takes the result as its own
first step, with the check's own arguments and folder, and any other session makes its own.

A session's fixture manager then reads every plugin for fixtures, name by name: most of a
session's start. For a plugin module the answer is known before the first fork (pytest's own
modules define a few fixtures among hundreds of names), so each session reads instead a
stand-in for the module that holds only its fixtures (`fixtures_alone`), wherever the module
holds what it held then, entry for entry. A plugin that is an instance (pytest's terminal
reporter, its session) is read from its classes, and most of pytest's classes hold no fixture:
a session skips such a plugin, wherever nothing its classes gained since is a fixture.

Last, it makes what pygrade's plugin watches for tampering in namespaces (`WATCHED`), which
each fork's plugin takes where nothing it was made from has changed by the time it starts to
watch (see `tamper.WatchedNamespaces`).
"""

from __future__ import annotations

import importlib
import operator
import os
import pathlib
import sys
import types
from collections.abc import Iterable, Sequence

import _pytest.config
from _pytest.compat import NOTSET, NotSetType
from _pytest.config import Config, default_plugins
from _pytest.fixtures import FixtureFunctionDefinition, FixtureManager

import pygrade_graders.pytest_plugin
from pygrade_graders.pytest_plugin import watched_modules
from pygrade_graders.tamper import Entries, WatchedNamespaces

# What the plugins import when a session configures them.
CONFIGURED = ("_pytest._argcomplete", "pdb", "faulthandler")

# The plugins pygrade's command line for pytest names (turning off the cache, loading its own),
# and the name its sessions give the program (`python -m pytest`, from a `__main__.py`).
PLUGINS = ["-p", "no:cacheprovider", "-p", "pygrade_graders.pytest_plugin"]
PROG = "python -m pytest"
# Read when a plugin manager is made: with it set, the prepared one would not do.
DEBUG = "PYTEST_DEBUG"


def preload() -> list[str]:
    """Imports every default plugin of pytest, and what a session's configuring imports; the
    modules imported."""
    names = [*(f"_pytest.{name}" for name in default_plugins), *CONFIGURED]
    for name in names:
        importlib.import_module(name)
    return names


def plugin_args(args: Sequence[str]) -> list[str]:
    """The values of the `-p` arguments of a command line (`no:NAME` or a plugin to load), read
    as pytest reads them before it makes its plugin manager."""
    found = []
    at = 0
    while at < len(args):
        arg = args[at]
        at += 1
        if arg == "-p":
            if at == len(args):
                break
            value = args[at]
            at += 1
        elif arg.startswith("-p"):
            value = arg[2:]
        else:
            continue
        found.append(value.strip())
    return found


def prepare() -> None:
    """Makes the configuration a pygrade session starts from, and has the next `get_config`
    hand it over (once) where it would make the same: for a session started as `python -m
    pytest`, naming the plugins pygrade's command line names (`PLUGINS`) and nothing more to
    register, with pytest's debug output off. The configuration's invocation (arguments and folder) is then
    the session's.

    pygrade's plugin is registered here too, as the session's `-p` would register it first
    thing: a session then finds it registered, and leaves it (a fresh session imports it only
    then; a warm one, finding it imported before its assertion rewriting started, would warn
    that it cannot rewrite it)."""
    if DEBUG in os.environ:
        return
    original = _pytest.config.get_config
    prepared = original(list(PLUGINS), prog=PROG)
    prepared.pluginmanager.consider_preparse(list(PLUGINS), exclude_only=False)
    wanted = plugin_args(PLUGINS)
    fixtures_alone(prepared)

    def get_config(
        args: Iterable[str] | None = None,
        plugins: Sequence[str | object] | None = None,
        *,
        prog: str | None = None,
    ) -> Config:
        _pytest.config.get_config = original
        if not isinstance(args, list) or plugins or prog != PROG or DEBUG in os.environ or plugin_args(args) != wanted:
            return original(args, plugins, prog=prog)
        prepared.invocation_params = Config.InvocationParams(args=args, plugins=None, dir=pathlib.Path.cwd())
        return prepared

    _pytest.config.get_config = get_config


class FixturesAlone:
    """A plugin module's fixtures, read as a fixture manager reads them, and a stand-in module
    holding only those: the manager, reading the stand-in, registers the same fixtures in the
    same order (`dir` lists names sorted) without looking at every other name."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.entries = Entries.of(module.__dict__)
        self.stand_in = types.ModuleType(module.__name__)
        for name in dir(module):
            if type(getattr(module, name, None)) is FixtureFunctionDefinition:
                setattr(self.stand_in, name, getattr(module, name))

    @staticmethod
    def of(module: types.ModuleType) -> FixturesAlone | None:
        """The module's fixtures, where its every name would be read as pytest reads it: no
        `__dir__` of its own, and no fixture hidden behind a wrapper (of which pytest warns)."""
        if "__dir__" in module.__dict__:
            return None
        for name, value in list(module.__dict__.items()):
            found = FixtureManager._find_wrapped_fixture_def(None, value)  # type: ignore[arg-type]  # uses no state
            if found is not None and found is not value:
                return None
        return FixturesAlone(module)

    def as_read(self) -> bool:
        """Whether the module holds what it held when read: the same names, in the same order,
        each for the same object."""
        return self.entries.still_in(self.module.__dict__)


def may_hold_a_fixture(value: object) -> bool:
    """Whether a fixture manager reading `value`, a class's or a module's entry, would register
    a fixture, or warn of one hidden behind a wrapper."""
    found = FixtureManager._find_wrapped_fixture_def(None, value)  # type: ignore[arg-type]  # uses no state
    return type(value) is FixtureFunctionDefinition or found is not None


class NoFixtures:
    """A class that holds no fixture, and neither do the classes it inherits from. A fixture
    manager reads a plugin that is an instance (pytest's terminal reporter, its session, its
    configuration) from the instance's classes, name by name, and so finds nothing in an
    instance of this one: a fork's manager skips it, wherever what the classes gained or
    changed since they were read (pytest's start adds properties to some) is no fixture
    either."""

    def __init__(self, owner: type) -> None:
        self.mro = owner.__mro__
        self.read = [(vars(base), dict(vars(base))) for base in self.mro]

    @staticmethod
    def of(owner: type) -> NoFixtures | None:
        """`owner`'s, if neither it nor a class it inherits from holds a fixture, and its names
        are read as pytest reads them: an ordinary class, listing its names as `object` does."""
        if type(owner) is not type or getattr(owner, "__dir__", None) is not object.__dir__:
            return None
        if any(may_hold_a_fixture(value) for base in owner.__mro__ for value in vars(base).values()):
            return None
        return NoFixtures(owner)

    def still_holds_none(self) -> bool:
        """Whether the class read still holds no fixture: it inherits from the same classes,
        and nothing they gained or changed since is a fixture."""
        now = self.mro[0].__mro__
        if len(now) != len(self.mro) or not all(map(operator.is_, now, self.mro)):
            return False
        for space, before in self.read:
            for name, value in space.items():
                if before.get(name, NOTSET) is not value and may_hold_a_fixture(value):
                    return False
        return True


def classes_without_fixtures() -> dict[int, NoFixtures]:
    """The classes of pytest's modules and this package that hold no fixture, read now, by
    their `id` (a plugin's class is looked up without calling anything of its metaclass)."""
    found = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith(("_pytest.", "pygrade_graders.")) or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                free = NoFixtures.of(value)
                if free is not None:
                    found[id(value)] = free
    return found


def fixtures_alone(config: Config) -> None:
    """Reads the plugin modules registered with `config`, and pygrade's plugin, for their
    fixtures, and has every fixture manager read the stand-in of each that is as it was read;
    and reads pytest's classes, and this package's, so that every fixture manager skips a
    plugin that is an instance of one holding no fixture."""
    modules = [plugin for _, plugin in config.pluginmanager.list_name_plugin() if isinstance(plugin, types.ModuleType)]
    known = {}
    for module in (*modules, pygrade_graders.pytest_plugin):
        alone = FixturesAlone.of(module)
        if alone is not None:
            known[id(module)] = alone
    free = classes_without_fixtures()
    original = FixtureManager.parsefactories

    def parsefactories(
        self: FixtureManager,
        node_or_obj: object = NOTSET,
        nodeid: str | NotSetType | None = NOTSET,
        *,
        holder: object = NOTSET,
        node: object = NOTSET,
    ) -> None:
        alone = known.get(id(holder))
        if alone is not None and alone.module is holder and alone.as_read():
            holder = alone.stand_in
        elif (nothing := free.get(id(type(holder)))) and nothing.mro[0] is type(holder) and nothing.still_holds_none():
            return
        original(self, node_or_obj, nodeid, holder=holder, node=node)  # type: ignore[call-overload]  # as given

    setattr(FixtureManager, "parsefactories", parsefactories)


preload()
prepare()
WATCHED = WatchedNamespaces(watched_modules())
