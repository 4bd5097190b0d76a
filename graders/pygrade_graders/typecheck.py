"""A warm type checker: mypy imported once, then one type check per request.

Starting a Python interpreter and importing mypy costs about ten times what mypy then spends
checking one exercise's files against a warm cache. pygrade keeps a few of these processes
alive for a whole run and hands each type check to an idle one, instead of starting
`python -m mypy` for every check of every learner.

The process reads requests from stdin and writes replies to the descriptor that was its
stdout, one JSON line each. Anything else that prints (mypy's crash reports, say) goes to
stderr, so it can never be read as a reply:

    request  {"cwd": "/job/work", "args": ["--strict", "word_count.py", ...]}
    reply    {"stdout": "...", "stderr": "...", "status": 1}

Each request runs `mypy.api.run` with exactly the arguments the cold command line would get,
in the folder the cold command would run in, so the findings are the same. mypy only reads
the learner's files; it never imports or runs them, so no learner code runs in this process.
The first line written is `{"ready": true, "protocol": N}`, once mypy is imported.

A request may also name several exercises of one learner, to be type-checked together (see
`check_together`):

    request  {"cwd": "/empty", "args": [...], "together-cache": "/cache/together-0",
              "exercises": [{"key": "0", "root": "/jobs/0/work",
                             "targets": ["/jobs/0/work/greet.py", ...]}, ...]}
    reply    {"results": {"0": {"stdout": "...", "stderr": "", "status": 0, "together": true},
                          ...}}
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy.build import BuildSource
    from mypy.fscache import FileSystemCache
    from mypy.options import Options

from pygrade_graders import PROTOCOL_VERSION


def check(request: dict[str, Any]) -> dict[str, Any]:
    """Type-checks as `request` says and returns the reply."""
    from mypy import api

    os.chdir(request["cwd"])
    stdout, stderr, status = api.run(list(request["args"]))
    return {"stdout": stdout, "stderr": stderr, "status": status}


# The most builds tried for one layer of a request, each without the members that the one
# before found must go on their own.
BUILDS = 5

# The codes of a failed import's findings. mypy adds the notes that explain such a finding
# (where to read about missing imports, which stub package to install) once per build, so in a
# build shared with another exercise they may be missing.
IMPORT_CODES = frozenset({"import", "import-not-found", "import-untyped"})


@dataclass(eq=False)
class Member:
    """One exercise of a request to type-check together: where its files are, what mypy
    makes of its targets, and the findings it gets. Each is itself only (no two are equal)."""

    key: str
    root: str
    targets: list[str]
    sources: list[BuildSource] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def owns(self, path: str | None) -> bool:
        return path is not None and (path == self.root or path.startswith(self.root + os.sep))

    def names(self) -> set[str]:
        """The top-level names its modules take, and those its folders offer to an import
        (a module, or a package with an `__init__`): no other member of a build may have
        one, or an import of it in one member could find the other's."""
        names = {source.module.split(".")[0] for source in self.sources}
        for base in {source.base_dir for source in self.sources if source.base_dir}:
            for entry in os.scandir(base):
                stem, suffix = os.path.splitext(entry.name)
                if suffix in (".py", ".pyi") and entry.is_file():
                    names.add(stem)
                elif entry.is_dir() and any(os.path.isfile(os.path.join(entry.path, f"__init__.{s}")) for s in ("py", "pyi")):
                    names.add(entry.name)
        return names


def check_together(request: dict[str, Any]) -> dict[str, Any]:
    """Type-checks several exercises of one learner, each in a folder of its own (`root`,
    where a cold run would be started), with the same arguments, and replies with what a
    cold run of each would have said: as few mypy builds as can give that, and a run of its
    own for each exercise that cannot share one.

    A shared build pays once for what every run pays (reading the standard library's and
    pytest's types from the cache), and that is most of a small exercise's type check. It
    gives each exercise the findings of a run of its own when:

    - every module of the exercise is found as its own run finds it: from its root first,
      then the folders of its files; the request's `cwd` is an empty folder, so that nothing
      is found from there;
    - no two exercises of the build have the same top-level module name, whether they
      check it or only offer it to an import;
    - no module of the build imports a module of another exercise (or one that is not an
      exercise's at all imports one that is): checked on the build's import graph;
    - nothing in the build hinges on what another exercise reported: mypy explains a failed
      import only once per build, so an exercise with such a finding runs on its own.

    An exercise that fails any of these, every exercise of a build that stops on a blocking
    error (a syntax error) or fails, and every exercise whose arguments mypy refuses, runs
    on its own with `check`, exactly as a request of its own would. Findings are attributed
    by the file mypy flushed them for, and their `file` is made relative to the exercise's
    root, as a run there prints it (a finding replayed from mypy's cache keeps the path it
    was first reported with, which in a shared build is another build's).
    """
    from mypy.fscache import FileSystemCache

    os.chdir(request["cwd"])
    args = [*request["args"], "--cache-dir", request["together-cache"]]
    fscache = FileSystemCache()
    members = [Member(e["key"], os.path.normpath(e["root"]), list(e["targets"])) for e in request["exercises"]]
    shared = plan(members, args, fscache)
    alone = [member for member in members if member not in shared]
    for layer in layers(shared):
        alone.extend(build_together(layer, args, fscache))
    results: dict[str, dict[str, Any]] = {}
    for member in members:
        if member in alone:
            reply = check({"cwd": member.root, "args": [*request["args"], *member.targets]})
            results[member.key] = {**reply, "together": False}
        else:
            stdout = "".join(line + "\n" for line in member.lines)
            results[member.key] = {"stdout": stdout, "stderr": "", "status": 1 if member.lines else 0, "together": True}
    return {"results": results}


def plan(members: list[Member], args: list[str], fscache: FileSystemCache) -> list[Member]:
    """Finds each member's sources as mypy would, and returns those that can share a build:
    with one reading of the arguments for all, or, if mypy refuses that, one for each."""
    from mypy.main import process_options

    def read(targets: list[str]) -> tuple[list[BuildSource], Options] | None:
        try:
            return process_options([*args, *targets], stdout=io.StringIO(), stderr=io.StringIO(), fscache=fscache)
        except SystemExit:
            return None

    everyone = read([target for member in members for target in member.targets])
    if everyone is not None:
        sources, options = everyone
        for source in sources:
            owner = next((member for member in members if member.owns(source.path)), None)
            if owner is None:
                return []
            owner.sources.append(source)
        return [member for member in members if member.sources and shareable(member, options)]
    shared = []
    for member in members:
        own = read(member.targets)
        if own is not None and own[0]:
            member.sources = own[0]
            if shareable(member, own[1]):
                shared.append(member)
    return shared


def shareable(member: Member, options: Options) -> bool:
    """Whether a shared build finds the member's modules where a run of its own does. That
    run searches its root first, then the folders its files' modules start from, in order;
    a shared one searches those folders, in order, among the other members'."""
    bases = [source.base_dir for source in member.sources]
    return (
        options.output == "json"
        and options.many_errors_threshold < 0
        and not options.mypy_path
        and bases[0] == member.root
        and all(member.owns(source.path) and member.owns(base) for source, base in zip(member.sources, bases))
    )


def layers(members: list[Member]) -> list[list[Member]]:
    """The members in builds where no two have the same top-level module name, in order."""
    built: list[tuple[set[str], list[Member]]] = []
    for member in members:
        names = member.names()
        layer = next((layer for layer in built if not layer[0] & names), None)
        if layer is None:
            built.append((names, [member]))
        else:
            layer[0].update(names)
            layer[1].append(member)
    return [layer for _, layer in built]


def build_together(layer: list[Member], args: list[str], fscache: FileSystemCache) -> list[Member]:
    """Type-checks the layer's members in one build, giving each its findings; returns those
    that must run on their own after all. Members whose modules import each other's, and a
    member with an error that stops a build, go on their own, and the others are built
    again without them, a few times at most."""
    alone: list[Member] = []
    for _ in range(BUILDS):
        if len(layer) < 2:
            break
        for member in layer:
            member.lines.clear()
        tangled = build_once(layer, args, fscache)
        if tangled is None:
            break
        if not tangled:
            return alone + [member for member in layer if failed_imports(member)]
        alone += tangled
        layer = [member for member in layer if member not in tangled]
    return alone + layer


def build_once(layer: list[Member], args: list[str], fscache: FileSystemCache) -> list[Member] | None:
    """One build of the layer's members, each given its findings. Returns the members that
    must go on their own: those whose modules import another member's (or are imported by a
    module that is no member's), or the one whose error stopped the build. None when the
    build cannot stand for any member's own run: it failed, or said something that is no
    member's."""
    from mypy.build import build
    from mypy.errors import CompileError
    from mypy.main import process_options

    sources = [source for member in layer for source in member.sources]
    targets = [target for member in layer for target in member.targets]
    _, options = process_options([*args, *targets], stdout=io.StringIO(), stderr=io.StringIO(), fscache=fscache)
    stray: list[str] = []

    def owner(path: str | None) -> Member | None:
        return next((member for member in layer if member.owns(path)), None)

    def flush(filename: str | None, messages: list[str], serious: bool) -> None:
        member = owner(os.path.abspath(filename) if filename else None)
        if member is None or serious:
            stray.extend(messages)
            return
        file = os.path.relpath(os.path.abspath(str(filename)), member.root)
        member.lines.extend(relocated(line, file) for line in messages)

    said = io.StringIO()
    try:
        result = build(sources, options, None, flush, fscache, said, said)
    except CompileError as stop:  # a blocking error, such as a syntax error
        blocked = [m for m in layer if any(s.module == stop.module_with_blocker for s in m.sources)]
        return blocked or None
    except BaseException:  # mypy failing
        return None
    result.manager.metastore.close()
    if stray or said.getvalue():
        return None
    tangled: list[Member] = []
    for state in result.graph.values():
        importer = owner(state.xpath)
        for dependency in state.dependencies:
            imported = result.graph.get(dependency)
            found = owner(imported.xpath) if imported is not None else None
            if found not in (None, importer):
                tangled.extend(m for m in (importer, found) if m is not None and m not in tangled)
    return tangled


def failed_imports(member: Member) -> bool:
    """Whether mypy reported a failed import for the member: the notes that explain one are
    given once per build, so a shared build may have left them out."""
    return any(json.loads(line).get("code") in IMPORT_CODES for line in member.lines)


def relocated(line: str, file: str) -> str:
    """A JSON finding with its `file` as `file`, written as mypy writes it."""
    finding = json.loads(line)
    finding["file"] = file
    return json.dumps(finding)


def serve(requests: IO[str], replies: IO[str]) -> None:
    """Answers every request on `requests` until it ends."""
    from mypy import api  # noqa: F401  (imported once, before the first request)

    def send(reply: dict[str, Any]) -> None:
        replies.write(json.dumps(reply) + "\n")
        replies.flush()

    send({"ready": True, "protocol": PROTOCOL_VERSION})
    for line in requests:
        request = json.loads(line)
        send(check_together(request) if "exercises" in request else check(request))


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
