"""What a warm pytest worker imports before its first fork, beside pytest and pygrade's plugin:
pytest's own default plugins, and what they import as a session configures itself.

A pytest session imports each of its default plugins (`_pytest.terminal`, `_pytest.capture`
and the rest) as it configures itself, and they import a few modules of the standard library
(`pdb` for `breakpoint()`, say). In a fork of a warm worker that would happen again in every
check; imported once here, before the first fork, each check finds them loaded. The session
has imported them all before it imports a test module, so learner code finds the same
modules loaded as under a fresh `python -m pytest`. A plugin the command line turns off
(`-p no:cacheprovider`) is imported but never registered: the session is the same.
"""

import importlib

from _pytest.config import default_plugins

# What the plugins import when a session configures them.
CONFIGURED = ("_pytest._argcomplete", "pdb", "faulthandler")


def preload() -> list[str]:
    """Imports every default plugin of pytest, and what a session's configuring imports; the
    modules imported."""
    names = [*(f"_pytest.{name}" for name in default_plugins), *CONFIGURED]
    for name in names:
        importlib.import_module(name)
    return names


preload()
