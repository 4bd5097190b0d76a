#!/usr/bin/env python3
"""What grading a whole cohort costs with pygrade, against the plain loop a mentor would write.

Builds a cohort of N learners, each a workspace made by `pygrade init` holding, for every
exercise of the bundled bank, one variant chosen from the seed: the reference solution (about
half of all gradings), the starter untouched, the starter with a line appended (attempted and
wrong), or a submission of `fixtures/submissions/`; at most two learners also get a slow
fixture (a looping test, a quadratic solution) and at most two a case of the hostile corpus
(`fixtures/hostile/`, the harmful ones only with `--hostile-harmful`). Every learner file
handed in ends with a comment naming its learner, so that no two submissions are the same
bytes (`pygrade batch` grades identical files once; the starters left untouched are the same,
and cost nothing, as nothing runs for them). It prints what the cohort holds.

It then grades the cohort with `pygrade batch --no-cache`, warm workers on (the default) and
off (`PYGRADE_WARM=0`), and checks that both runs gave every check the same status and score
(after grading, untimed, a learner who hands in every reference, to fill what pygrade keeps
between runs: each exercise's tests collected with its reference, and mypy's cache). A third
run, warm, grades against a copy of the bank that keeps only the checks the CPU target counts
(pytest, mypy and output), as the plain loop runs only pytest and mypy. It times the plain loop
too: `pytest` then `mypy --strict` in each learner's exercise folder, once in sequence and once
on all cores, leaving out the hostile submissions, which nothing would contain there. In
sequence, a pytest plugin (`plugin/tests_own_cpu.py`) also measures the CPU the tests spend on
their own work (each test's setup, call and teardown, with the learner's code and the processes
they start): the least that any grader running these tests spends, printed beside what pygrade
spends above it. It prints, for each approach, the wall and CPU time (of every process
started), both per exercise-grading (a learner's exercise), and pygrade's own peak memory
(VmHWM, read from /proc every 20 ms), with the ratios to the plain loops and the targets. Last,
it times a learner's `pygrade check` of one solved exercise against the same exercise's bare
pytest and mypy (medians of 10 alternating runs).

`--memory-scaling` instead grades cohorts of 10 and of N learners with pygrade alone and
compares its peak memory. Run from the repository root:

    python3 benches/cohort.py [--learners N] [--jobs J] [--pygrade PATH] [--keep DIR]
                              [--skip-plain] [--skip-cold] [--seed S] [--hostile-harmful]
                              [--memory-scaling]

Exits 1 when the two pygrade runs disagree on a verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fixtures import ROOT, lay
from peak import peak_kib

BANK = ROOT / "exercises"
SUBMISSIONS = ROOT / "fixtures" / "submissions"
HOSTILE = ROOT / "fixtures" / "hostile"
SLOW_FIXTURES = ("looping-test", "timing-quadratic")
# The sequential plain loop's pytest plugin, and the file it writes each session's figure to.
PLUGINS = Path(__file__).resolve().parent / "plugin"
OWN_WORK_PLUGIN = "tests_own_cpu"
OWN_WORK_FILE = "tests-own-cpu.jsonl"
# A hostile case that must reach a listener of the corpus test cannot be laid without one.
NEEDS_LISTENER = "{{LOOPBACK_PORT}}"
MOST_SLOW = 2
MOST_HOSTILE = 2

CHECKED_EXERCISE = "01-foundations/01-word-count"
CHECKED_FILE = "word_count.py"
CHECK_RUNS = 10
SCALING_BASE = 10

BATCH_TIMEOUT = 30 * 60
PYTEST_TIMEOUT = 10
MYPY_TIMEOUT = 120
CHECK_TIMEOUT = 120
COMMAND_TIMEOUT = 600  # init, setup, doctor: these only write files or build the environment
BUILD_TIMEOUT = 60 * 60

# The checks the CPU target counts; `--bank` grades a copy of the bank holding only these.
TARGET_KINDS = ("pytest", "mypy", "output")

TARGETS = (
    "target: <= 30 ms CPU per exercise-grading; >= 25x the sequential loop; "
    ">= 12x the loop on all cores"
)

# The plain loops write no bytecode next to the learners' files, as pygrade's checks never do.
PLAIN_ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Exercise:
    """An exercise of the bank, its learner files and the fixture submissions made for it."""

    id: str
    files: list[str]
    fixtures: list[Path]
    slow_fixtures: list[Path]


@dataclass(frozen=True)
class Submission:
    """What one learner hands in for one exercise; `source` is the fixture or hostile case."""

    variant: str
    source: Path | None = None


@dataclass(frozen=True)
class Cohort:
    """The learners' names and each one's submission for each exercise, by (learner, id)."""

    learners: list[str]
    submissions: dict[tuple[str, str], Submission]


@dataclass(frozen=True)
class Measured:
    """One approach's wall and CPU seconds over `gradings` exercise-gradings."""

    name: str
    wall: float
    cpu: float
    gradings: int
    peak_kib: int | None = None


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: list[str | Path], timeout: float) -> str:
    """Runs a command that must succeed, and returns its standard output."""
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        sys.exit(f"{args} took more than {timeout:.0f} s")
    if done.returncode != 0:
        sys.exit(f"{args} failed with {done.returncode}: {done.stderr}")
    return done.stdout


def children_cpu() -> float:
    """CPU seconds of every child process waited for so far, and of their own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class PeakMemory:
    """Reads a process's peak resident memory every 20 ms in a thread, until stopped."""

    def __init__(self, pid: int) -> None:
        self.kib = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.kib = max(self.kib, peak_kib(self._pid) or 0)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# The cohort


def load_exercises() -> list[Exercise]:
    exercises = []
    for manifest in sorted(BANK.glob("*/*/exercise.toml")):
        exercise_id = manifest.parent.relative_to(BANK).as_posix()
        files = tomllib.loads(manifest.read_text(encoding="utf-8"))["files"]
        found = sorted(SUBMISSIONS.glob(f"*/{exercise_id}"))
        slow = [path for path in found if outcome(path) in SLOW_FIXTURES]
        plain = [path for path in found if outcome(path) not in SLOW_FIXTURES]
        exercises.append(Exercise(exercise_id, files, plain, slow))
    return exercises


def outcome(fixture: Path) -> str:
    """The outcome a fixture submission is named for (its first folder)."""
    return fixture.relative_to(SUBMISSIONS).parts[0]


def hostile_cases(harmful: bool, sandboxed: bool) -> dict[Path, str]:
    """The hostile cases the cohort may hold, each with the exercise it targets. The harmful
    ones only on request, and those whose verdict holds only in a sandbox only when one is in
    force."""
    cases = {}
    for manifest in sorted(HOSTILE.glob("*/case.toml")):
        case = tomllib.loads(manifest.read_text(encoding="utf-8"))
        if case.get("harmful", False) and not harmful:
            continue
        if case.get("sandbox-only", False) and not sandboxed:
            continue
        if any(NEEDS_LISTENER in text for text in case_texts(manifest.parent)):
            continue
        if "files" in case:  # it hands in files that only a manifest of its own declares
            continue
        cases[manifest.parent] = str(case.get("exercise", CHECKED_EXERCISE))
    return cases


def case_texts(case: Path) -> list[str]:
    texts = []
    for path in case.rglob("*"):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (IsADirectoryError, UnicodeDecodeError):
            continue
    return texts


def sandbox_in_force(pygrade: Path) -> bool:
    """Whether `pygrade doctor` says learner code runs in a sandbox here."""
    done = subprocess.run(
        [pygrade, "doctor"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    lines = done.stdout.splitlines()
    line = next((line for line in lines if line.startswith("sandbox:")), "sandbox: none")
    return not line.removeprefix("sandbox:").strip().startswith("none")


def everyday_submission(rng: random.Random, exercise: Exercise) -> Submission:
    if rng.random() < 0.5:
        return Submission("right")
    variants = ["not-started", "wrong"] + (["fixture"] if exercise.fixtures else [])
    variant = rng.choice(variants)
    if variant == "fixture":
        return Submission("fixture", rng.choice(exercise.fixtures))
    return Submission(variant)


def plan_cohort(
    learners: int, exercises: list[Exercise], cases: dict[Path, str], seed: int
) -> Cohort:
    """Each learner's submission for each exercise, the same for the same seed."""
    rng = random.Random(seed)
    names = [f"learner-{number:03d}" for number in range(1, learners + 1)]
    submissions = {
        (name, exercise.id): everyday_submission(rng, exercise)
        for name in names
        for exercise in exercises
    }
    slow = [(exercise.id, path) for exercise in exercises for path in exercise.slow_fixtures]
    for name in rng.sample(names, min(MOST_SLOW, len(names))):
        exercise_id, path = rng.choice(slow)
        submissions[name, exercise_id] = Submission("slow", path)
    hostile: set[str] = set()
    for case in rng.sample(sorted(cases), min(MOST_HOSTILE, len(cases))):
        free = [
            name
            for name in names
            if name not in hostile and submissions[name, cases[case]].variant != "slow"
        ]
        if free:
            name = rng.choice(free)
            hostile.add(name)
            submissions[name, cases[case]] = Submission("hostile", case)
    return Cohort(names, submissions)


def init_workspace(pygrade: Path, workspace: Path) -> None:
    run([pygrade, "init", workspace], COMMAND_TIMEOUT)


def lay_submission(submission: Submission, exercise: Exercise, workspace: Path) -> None:
    """Puts a submission in its exercise's folder of a fresh workspace (holding the starter)."""
    target = workspace / exercise.id
    if submission.variant == "right":
        for name in exercise.files:
            shutil.copy(BANK / exercise.id / "reference" / name, target / name)
    elif submission.variant == "wrong":
        for name in exercise.files:
            starter = (BANK / exercise.id / "starter" / name).read_text(encoding="utf-8")
            (target / name).write_text(starter + "# attempted\n", encoding="utf-8")
    elif submission.source is not None:
        lay(submission.source, target, exercise.id)


def sign(name: str, exercise: Exercise, workspace: Path) -> None:
    """Ends each of the learner's Python files with a comment naming the learner, so that no
    two learners hand in the same bytes: `pygrade batch` grades identical files once, and the
    comparison is of every grading done."""
    for file in exercise.files:
        path = workspace / exercise.id / file
        if file.endswith(".py") and path.is_file():
            path.write_bytes(path.read_bytes() + f"\n# handed in by {name}\n".encode())


def build_cohort(pygrade: Path, folder: Path, cohort: Cohort, exercises: list[Exercise]) -> None:
    for name in cohort.learners:
        workspace = folder / name
        init_workspace(pygrade, workspace)
        for exercise in exercises:
            submission = cohort.submissions[name, exercise.id]
            lay_submission(submission, exercise, workspace)
            # An untouched starter is graded as not started, without running anything.
            if submission.variant != "not-started":
                sign(name, exercise, workspace)


def distinct_submissions(folder: Path, cohort: Cohort, exercises: list[Exercise]) -> int:
    """How many submissions differ: the same learner files of an exercise in two workspaces
    count once, as `pygrade batch` grades them once."""
    seen = set()
    for name in cohort.learners:
        for exercise in exercises:
            target = folder / name / exercise.id
            files = tuple((target / file).read_bytes() for file in exercise.files)
            seen.add((exercise.id, files))
    return len(seen)


def describe(folder: Path, cohort: Cohort, exercises: list[Exercise]) -> None:
    counts = Counter(submission.variant for submission in cohort.submissions.values())
    held = ", ".join(f"{variant} {count}" for variant, count in sorted(counts.items()))
    print(
        f"cohort: {len(cohort.learners)} learners x {len(exercises)} exercises = "
        f"{len(cohort.submissions)} exercise-gradings: {held}"
    )
    for (name, exercise_id), submission in sorted(cohort.submissions.items()):
        if submission.variant == "slow" and submission.source is not None:
            print(f"  slow: {name} {exercise_id} ({outcome(submission.source)})")
        if submission.variant == "hostile" and submission.source is not None:
            print(f"  hostile: {name} {exercise_id} ({submission.source.name})")
    print(
        f"  distinct submissions: {distinct_submissions(folder, cohort, exercises)} "
        f"(the rest are untouched starters, which nothing runs for)"
    )


def make_cohort(
    pygrade: Path, folder: Path, learners: int, options: argparse.Namespace
) -> tuple[Cohort, list[Exercise]]:
    exercises = load_exercises()
    cases = hostile_cases(options.hostile_harmful, sandbox_in_force(pygrade))
    cohort = plan_cohort(learners, exercises, cases, options.seed)
    progress(f"building a cohort of {learners} learners in {folder}...")
    build_cohort(pygrade, folder, cohort, exercises)
    return cohort, exercises


# pygrade


def grade_with_pygrade(
    name: str, pygrade: Path, cohort: Path, out: Path, jobs: int, gradings: int, warm: bool,
    bank: Path | None = None,
) -> Measured:
    """Times `pygrade batch --no-cache` over the cohort, reading pygrade's peak memory; with
    `bank`, against that bank instead of the built-in one."""
    progress(f"grading the cohort with pygrade ({name})...")
    env = {key: value for key, value in os.environ.items() if key != "PYGRADE_WARM"}
    if not warm:
        env["PYGRADE_WARM"] = "0"
    args: list[str | Path] = [pygrade, "batch", cohort, "--out", out, "--no-cache"]
    args += ["--jobs", str(jobs)]
    if bank is not None:
        args += ["--bank", bank]
    cpu_before = children_cpu()
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    with PeakMemory(child.pid) as peak:
        try:
            _, errors = child.communicate(timeout=BATCH_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait(timeout=60)
            sys.exit(f"pygrade batch took more than {BATCH_TIMEOUT} s")
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    if child.returncode != 0:
        sys.exit(f"pygrade batch failed with {child.returncode}: {errors}")
    return Measured(name, wall, cpu, gradings, peak.kib)


def only_checks(manifest: str, kinds: tuple[str, ...]) -> str | None:
    """The manifest with only the `[[check]]` tables of `kinds` (and their own sub-tables,
    such as `[[check.variant]]`); None when it would keep none."""
    blocks: list[list[str]] = [[]]
    for line in manifest.splitlines(keepends=True):
        if line.startswith("["):
            blocks.append([])
        blocks[-1].append(line)
    kept: list[str] = []
    keeping = True
    checks = 0
    for block in blocks:
        header = block[0].strip() if block else ""
        if header == "[[check]]":
            keeping = tomllib.loads("".join(block[1:])).get("kind") in kinds
            checks += keeping
        elif not header.startswith(("[check.", "[[check.")):
            keeping = True
        if keeping:
            kept += block
    text = "".join(kept)
    # Split by line, the manifest must read back as the same tables less the checks left out.
    wanted = [c for c in tomllib.loads(manifest).get("check", []) if c.get("kind") in kinds]
    if tomllib.loads(text).get("check", []) != wanted:
        raise ValueError("a manifest whose tables could not be told apart line by line")
    return text if checks else None


def target_bank(folder: Path) -> Path:
    """A copy of the bank in `folder` whose exercises keep only the checks the target counts;
    an exercise with none of them is left out."""
    bank = folder / "target-bank"
    shutil.copytree(BANK, bank)
    for manifest in sorted(bank.glob("*/*/exercise.toml")):
        kept = only_checks(manifest.read_text(encoding="utf-8"), TARGET_KINDS)
        if kept is None:
            shutil.rmtree(manifest.parent)
        else:
            manifest.write_text(kept, encoding="utf-8")
    return bank


def fill_caches(pygrade: Path, exercises: list[Exercise], base: Path) -> None:
    """Grades, untimed, a learner who hands in every exercise's reference, so that no timed
    run pays for what pygrade keeps between runs: each exercise's tests collected with its
    reference, and mypy's cache of the standard library (as the plain loop's mypy cache is
    warmed for it)."""
    progress("filling pygrade's caches with one learner, untimed...")
    cohort = base / "warm-up" / "cohort"
    init_workspace(pygrade, cohort / "reference")
    for exercise in exercises:
        lay_submission(Submission("right"), exercise, cohort / "reference")
    out = base / "warm-up" / "out"
    run([pygrade, "batch", cohort, "--out", out, "--no-cache"], BATCH_TIMEOUT)


def check_names(checks: list[dict[str, object]]) -> list[str]:
    """Each check's kind, numbered from the second check of the same kind ("timing 2")."""
    seen: Counter[str] = Counter()
    names = []
    for check in checks:
        kind = str(check["kind"])
        seen[kind] += 1
        names.append(kind if seen[kind] == 1 else f"{kind} {seen[kind]}")
    return names


def verdicts(out: Path) -> dict[tuple[str, str, str], tuple[str, float]]:
    """The status and score of every check in a batch's learner reports, by (learner,
    exercise, check)."""
    found = {}
    for path in sorted((out / "learners").glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        for exercise in report["exercises"]:
            checks = exercise["checks"]
            for name, check in zip(check_names(checks), checks):
                found[path.stem, exercise["id"], name] = (check["status"], check["score"])
    return found


def cpu_by_kind(out: Path) -> dict[str, list[int]]:
    """The CPU milliseconds each check used (`usage.cpu_ms` of the learner reports), by kind;
    checks that never ran (not started, rejected) left out."""
    found: dict[str, list[int]] = {}
    for path in sorted((out / "learners").glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        for exercise in report["exercises"]:
            for check in exercise["checks"]:
                usage = check.get("usage") or {}
                if usage.get("cpu_ms"):
                    found.setdefault(str(check["kind"]), []).append(int(usage["cpu_ms"]))
    return found


def print_cpu_by_kind(runs: list[tuple[str, Path]]) -> None:
    """Per check kind: how many checks ran, and their mean and median CPU, for each run."""
    measured = [(name, cpu_by_kind(out)) for name, out in runs]
    kinds = sorted({kind for _, found in measured for kind in found})
    print("CPU per check, by kind (mean / median ms):")
    print(f"  {'kind':<15}" + "".join(f"{name:>28}" for name, _ in measured))
    for kind in kinds:
        cells = []
        for _, found in measured:
            values = found.get(kind, [])
            cell = (
                f"{len(values)} x {statistics.mean(values):.0f} / {statistics.median(values):.0f}"
                if values else "-"
            )
            cells.append(f"{cell:>28}")
        print(f"  {kind:<15}" + "".join(cells))


def compare_verdicts(warm: Path, cold: Path) -> list[str]:
    """Prints whether both runs gave the same verdicts, and returns the differences."""
    first, second = verdicts(warm), verdicts(cold)
    differences = []
    for key in sorted(first.keys() | second.keys()):
        if first.get(key) != second.get(key):
            learner, exercise, check = key
            differences.append(
                f"  {learner} {exercise} {check}: warm {first.get(key)}, cold {second.get(key)}"
            )
    if differences:
        print(f"verdicts: {len(differences)} differ between the warm and cold runs")
        print("\n".join(differences))
    else:
        print(f"verdicts: identical ({len(first)} checks)")
    return differences


# The plain loops


def run_for_at_most(
    args: list[str | Path], folder: Path, timeout: float, env: dict[str, str] = PLAIN_ENV
) -> None:
    """Runs a grading command, whatever it answers; a timeout counts as done."""
    try:
        subprocess.run(
            args,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pass


def mypy_args(python: Path, files: list[str], cache: Path) -> list[str | Path]:
    """mypy --strict on the learner's Python files, with the loops' shared cache."""
    sources = [name for name in files if name.endswith(".py")]
    return [python, "-m", "mypy", "--strict", "--cache-dir", cache, *sources]


def plain_grading(
    python: Path, folder: Path, files: list[str], mypy_cache: Path, own_work: Path | None
) -> None:
    """pytest, then mypy, in the exercise's folder; with `own_work`, pytest appends to that
    file what its tests spent on their own work (see `plugin/tests_own_cpu.py`)."""
    pytest: list[str | Path] = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    env = PLAIN_ENV
    if own_work is not None:
        pytest += ["-p", OWN_WORK_PLUGIN]
        env = {**env, "TESTS_OWN_CPU_FILE": str(own_work)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUGINS), env.get("PYTHONPATH")]))
    run_for_at_most(pytest, folder, PYTEST_TIMEOUT, env)
    run_for_at_most(mypy_args(python, files, mypy_cache), folder, MYPY_TIMEOUT)


def plain_gradings(
    cohort: Cohort, exercises: list[Exercise], folder: Path
) -> list[tuple[Path, list[str]]]:
    """Each exercise folder of each learner with its learner files. The hostile submissions
    are left out: the plain loop would run them with nothing to contain them."""
    return [
        (folder / name / exercise.id, exercise.files)
        for name in cohort.learners
        for exercise in exercises
        if cohort.submissions[name, exercise.id].variant != "hostile"
    ]


def grade_plainly(
    name: str, python: Path, gradings: list[tuple[Path, list[str]]], mypy_cache: Path, jobs: int,
    own_work: Path | None = None,
) -> Measured:
    """Times the plain loop over the gradings, `jobs` at a time."""
    progress(f"grading the cohort with the plain loop ({name})...")

    def grade(grading: tuple[Path, list[str]]) -> None:
        plain_grading(python, grading[0], grading[1], mypy_cache, own_work)

    cpu_before = children_cpu()
    started = time.perf_counter()
    if jobs == 1:
        for grading in gradings:
            grade(grading)
    else:
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(grade, gradings))
    wall = time.perf_counter() - started
    return Measured(name, wall, children_cpu() - cpu_before, len(gradings))


def plain_loops(
    options: argparse.Namespace, python: Path, cohort: Cohort, exercises: list[Exercise],
    base: Path,
) -> list[Measured]:
    """The plain loop in sequence, then on `--jobs` cores, with one warm mypy cache."""
    folder = base / "cohort"
    gradings = plain_gradings(cohort, exercises, folder)
    left_out = len(cohort.submissions) - len(gradings)
    if left_out:
        print(f"the plain loops leave out the {left_out} hostile submissions")
    cache = base / "mypy-cache"
    warm_mypy_cache(python, cohort, exercises, folder, cache)
    return [
        grade_plainly("plain, sequential", python, gradings, cache, 1, base / OWN_WORK_FILE),
        grade_plainly(f"plain, {options.jobs} jobs", python, gradings, cache, options.jobs),
    ]


def tests_own_work(base: Path, cohort: Cohort) -> float:
    """What the tests spent on their own work in the sequential plain loop, in CPU ms per
    exercise-grading of the cohort. A grading pygrade runs no tests for (an untouched starter)
    counts nothing, as it costs pygrade nothing; the hostile submissions, which the plain loop
    leaves out, count nothing either. So this is the least CPU per exercise-grading that any
    grader spends on running these tests, before it has started Python or pytest at all."""
    spent = 0.0
    for line in (base / OWN_WORK_FILE).read_text(encoding="utf-8").splitlines():
        session = json.loads(line)
        folder = Path(session["folder"]).resolve().relative_to((base / "cohort").resolve())
        name, exercise_id = folder.parts[0], "/".join(folder.parts[1:])
        if cohort.submissions[name, exercise_id].variant != "not-started":
            spent += session["cpu_ms"]
    return spent / len(cohort.submissions)


def warm_mypy_cache(
    python: Path, cohort: Cohort, exercises: list[Exercise], folder: Path, cache: Path
) -> None:
    """One mypy run on each exercise of the first learner, so that no loop pays for the cache
    of the standard library."""
    progress("warming the plain loop's mypy cache...")
    for exercise in exercises:
        args = mypy_args(python, exercise.files, cache)
        run_for_at_most(args, folder / cohort.learners[0] / exercise.id, MYPY_TIMEOUT)


# The report


def print_table(rows: list[Measured]) -> None:
    print(
        f"{'approach':<28} {'gradings':>8} {'wall s':>8} {'CPU s':>8} {'CPU ms/grading':>15} "
        f"{'wall ms/grading':>16} {'peak RSS MiB':>13}"
    )
    for row in rows:
        peak = f"{row.peak_kib / 1024:.1f}" if row.peak_kib is not None else "-"
        print(
            f"{row.name:<28} {row.gradings:>8} {row.wall:>8.1f} {row.cpu:>8.1f} "
            f"{cpu_ms(row):>15.1f} {wall_ms(row):>16.1f} {peak:>13}"
        )


def cpu_ms(row: Measured) -> float:
    return row.cpu * 1000 / row.gradings


def wall_ms(row: Measured) -> float:
    return row.wall * 1000 / row.gradings


def print_ratios(pygrade: Measured, sequential: Measured, parallel: Measured) -> None:
    print(
        f"  plain sequential CPU / pygrade CPU, per exercise-grading: "
        f"{cpu_ms(sequential) / cpu_ms(pygrade):.1f}x"
    )
    print(
        f"  plain on all cores wall / pygrade wall, per exercise-grading: "
        f"{wall_ms(parallel) / wall_ms(pygrade):.1f}x"
    )


def print_own_work(own_work: float, target: Measured) -> None:
    print(
        f"the tests' own work (each test's setup, call and teardown, and the processes they "
        f"start), measured in the sequential plain loop: {own_work:.1f} ms CPU per "
        f"exercise-grading"
    )
    print(
        f"  {target.name} above it: {cpu_ms(target) - own_work:.1f} ms CPU per exercise-grading"
    )


# A learner's check


def learner_check(pygrade: Path, python: Path, base: Path) -> None:
    """A learner's `pygrade check` of one solved exercise against its bare pytest and mypy."""
    progress(f"timing a learner's check of {CHECKED_EXERCISE}...")
    workspace = base / "learner"
    init_workspace(pygrade, workspace)
    folder = workspace / CHECKED_EXERCISE
    shutil.copy(BANK / CHECKED_EXERCISE / "reference" / CHECKED_FILE, folder / CHECKED_FILE)
    check: list[str | Path] = [pygrade, "check", CHECKED_EXERCISE, "--workspace", workspace]
    pytest: list[str | Path] = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    mypy: list[str | Path] = [python, "-m", "mypy", "--strict", CHECKED_FILE]

    def timed(args: list[str | Path]) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            args, cwd=folder, env=PLAIN_ENV, capture_output=True, text=True,
            timeout=CHECK_TIMEOUT, check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{args} failed with {done.returncode}: {done.stdout}{done.stderr}")
        return time.perf_counter() - started

    timed(check)
    timed(pytest)
    timed(mypy)
    checks, bares = [], []
    for _ in range(CHECK_RUNS):
        checks.append(timed(check))
        bares.append(timed(pytest) + timed(mypy))
    checked, bare = statistics.median(checks), statistics.median(bares)
    print(f"a learner's check of {CHECKED_EXERCISE} (median of {CHECK_RUNS}, alternating):")
    print(f"  pygrade check: {checked:.3f} s; bare pytest + mypy --strict (warm cache): "
          f"{bare:.3f} s; ratio {checked / bare:.2f}")
    print("  target: <= 0.5 s")


# The runs


def find_pygrade(given: Path | None) -> Path:
    """The binary given, or the repository's release build, built when it is missing."""
    if given is not None:
        if not given.is_file():
            sys.exit(f"no pygrade at {given}")
        return given.resolve()
    built = ROOT / "target" / "release" / "pygrade"
    if not built.is_file():
        progress("building pygrade (cargo build --release)...")
        subprocess.run(
            ["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True,
            timeout=BUILD_TIMEOUT,
        )
    return built


def compare_with_plain(
    options: argparse.Namespace, pygrade: Path, python: Path, base: Path
) -> list[str]:
    """The whole comparison; returns the verdicts that differ between pygrade's runs."""
    folder = base / "cohort"
    cohort, exercises = make_cohort(pygrade, folder, options.learners, options)
    describe(folder, cohort, exercises)
    gradings = len(cohort.submissions)
    fill_caches(pygrade, exercises, base)
    warm = grade_with_pygrade(
        "pygrade (warm)", pygrade, folder, base / "out-warm", options.jobs, gradings, True
    )
    rows = [warm]
    differences: list[str] = []
    if not options.skip_cold:
        rows.append(grade_with_pygrade(
            "pygrade (cold)", pygrade, folder, base / "out-cold", options.jobs, gradings, False
        ))
        differences = compare_verdicts(base / "out-warm", base / "out-cold")
        print_cpu_by_kind([("warm", base / "out-warm"), ("cold", base / "out-cold")])
    target = grade_with_pygrade(
        "pygrade, " + "+".join(TARGET_KINDS), pygrade, folder, base / "out-target",
        options.jobs, gradings, True, target_bank(base),
    )
    rows.append(target)
    plain = [] if options.skip_plain else plain_loops(options, python, cohort, exercises, base)
    print_table(rows + plain)
    if plain:
        sequential, parallel = plain
        for row in (warm, target):
            print(f"{row.name}:")
            print_ratios(row, sequential, parallel)
        print_own_work(tests_own_work(base, cohort), target)
    print(TARGETS + " (" + ", ".join(TARGET_KINDS) + " checks)")
    learner_check(pygrade, python, base)
    return differences


def memory_scaling(options: argparse.Namespace, pygrade: Path, base: Path) -> None:
    """pygrade's peak memory grading cohorts of 10 and of N learners."""
    peaks = {}
    for learners in dict.fromkeys((SCALING_BASE, options.learners)):
        folder = base / f"scaling-{learners}"
        cohort, exercises = make_cohort(pygrade, folder / "cohort", learners, options)
        describe(folder / "cohort", cohort, exercises)
        measured = grade_with_pygrade(
            f"pygrade, {learners}", pygrade, folder / "cohort", folder / "out", options.jobs,
            len(cohort.submissions), True,
        )
        peaks[learners] = (measured.peak_kib or 0) / 1024
        print(f"{learners} learners: wall {measured.wall:.1f} s, "
              f"pygrade's peak RSS {peaks[learners]:.1f} MiB")
    ratio = peaks[options.learners] / peaks[SCALING_BASE]
    print(f"peak RSS, {options.learners} learners / {SCALING_BASE} learners: {ratio:.3f} "
          f"(target: within 10%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50, help="default: 50")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="checks at once, for pygrade and the loop (default: the cores)")
    parser.add_argument("--pygrade", type=Path, help="default: target/release/pygrade")
    parser.add_argument("--keep", type=Path, help="build and grade in this (new) folder")
    parser.add_argument("--skip-plain", action="store_true", help="no plain loops")
    parser.add_argument("--skip-cold", action="store_true", help="no run with PYGRADE_WARM=0")
    parser.add_argument("--seed", type=int, default=1, help="chooses the variants (default: 1)")
    parser.add_argument("--hostile-harmful", action="store_true",
                        help="the cohort may hold harmful hostile cases too")
    parser.add_argument("--memory-scaling", action="store_true",
                        help="only pygrade's peak memory, for 10 and for N learners")
    options = parser.parse_args()
    if options.learners < 1 or options.jobs < 1:
        sys.exit("--learners and --jobs must be at least 1")
    pygrade = find_pygrade(options.pygrade)
    python = Path(run([pygrade, "setup", "--print-python"], COMMAND_TIMEOUT).strip())
    with tempfile.TemporaryDirectory(prefix="pygrade-cohort-") as tmp:
        base = Path(tmp)
        if options.keep is not None:
            base = options.keep.resolve()
            if base.exists() and any(base.iterdir()):
                sys.exit(f"--keep {options.keep}: the folder must be new or empty")
            base.mkdir(parents=True, exist_ok=True)
        if options.memory_scaling:
            memory_scaling(options, pygrade, base)
            return
        differences = compare_with_plain(options, pygrade, python, base)
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
