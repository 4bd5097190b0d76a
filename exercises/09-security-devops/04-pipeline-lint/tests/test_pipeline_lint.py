"""Tests for pipeline_lint.py: the rules, their order, the stages and the command line."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from pipeline_lint import Finding, check_pipeline, main, stages

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"


def job(
    *,
    needs: list[str] | None = None,
    timeout: object = 10,
    steps: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A job that breaks no rule, unless told otherwise."""
    made: dict[str, Any] = {"steps": steps if steps is not None else [{"uses": "actions/checkout@v4"}, {"run": "make"}]}
    if needs is not None:
        made["needs"] = needs
    if timeout is not None:
        made["timeout-minutes"] = timeout
    made.update(extra)
    return made


def pipeline(**jobs: dict[str, Any]) -> dict[str, Any]:
    return {"name": "billing", "jobs": jobs}


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.job, finding.rule) for finding in findings]


# --- a pipeline without findings ---------------------------------------------------------


def test_a_sound_pipeline_has_no_findings() -> None:
    definition = pipeline(
        lint=job(),
        types=job(timeout=1),
        test=job(needs=["lint", "types"], timeout=360, strategy={"matrix": {"python": ["3.11", "3.12"]}}),
        docs=job(steps=[{"uses": "./.github/actions/docs"}]),
    )

    assert_same(check_pipeline(definition), [])


@pytest.mark.parametrize("definition", [{}, {"name": "empty"}, {"jobs": {}}])
def test_a_pipeline_without_jobs_has_no_findings(definition: dict[str, Any]) -> None:
    assert_same(check_pipeline(definition), [])


# --- unknown-need, no-steps, timeout ---------------------------------------------------


def test_needs_that_are_not_jobs_are_found_in_their_order() -> None:
    definition = pipeline(lint=job(), test=job(needs=["tpyes", "lint", "biuld"]))

    assert_same(
        check_pipeline(definition),
        [
            Finding("test", "unknown-need", "needs 'tpyes', which is not a job"),
            Finding("test", "unknown-need", "needs 'biuld', which is not a job"),
        ],
    )


@pytest.mark.parametrize("steps", [None, []], ids=["missing", "empty"])
def test_a_job_without_steps(steps: list[dict[str, Any]] | None) -> None:
    made = job()
    if steps is None:
        del made["steps"]
    else:
        made["steps"] = steps

    assert_same(check_pipeline(pipeline(build=made)), [Finding("build", "no-steps", "has no steps")])


def test_a_job_without_a_timeout() -> None:
    assert_same(
        check_pipeline(pipeline(build=job(timeout=None))),
        [Finding("build", "timeout", "has no timeout-minutes")],
    )


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [(0, "0"), (361, "361"), (-5, "-5"), (7.5, "7.5"), (10.0, "10.0"), ("10", "'10'"), (True, "True")],
)
def test_a_timeout_must_be_a_whole_number_of_minutes_in_range(timeout: object, shown: str) -> None:
    assert_same(
        check_pipeline(pipeline(build=job(timeout=timeout))),
        [Finding("build", "timeout", f"timeout-minutes must be a whole number from 1 to 360, got {shown}")],
    )


@pytest.mark.parametrize("timeout", [1, 2, 359, 360])
def test_timeouts_within_range_are_fine(timeout: int) -> None:
    assert_same(check_pipeline(pipeline(build=job(timeout=timeout))), [])


# --- unpinned-action ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@v4",
        "actions/checkout@v4.1",
        "actions/checkout@v4.1.7",
        "actions/checkout@4",
        f"actions/checkout@{SHA}",
        "actions/cache/save@v4",
        "my-org/my.action_x@v12",
        "./.github/actions/build-docs",
    ],
)
def test_pinned_and_local_actions_are_fine(uses: str) -> None:
    assert_same(check_pipeline(pipeline(build=job(steps=[{"uses": uses}]))), [])


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@main",
        "actions/checkout@master",
        "actions/checkout@latest",
        "actions/checkout@v4-beta",
        "actions/checkout@v4.1.2.3",
        "actions/checkout@v",
        "actions/checkout@",
        "actions/checkout",
        "checkout@v4",
        f"actions/checkout@{SHA[:-1]}",
        f"actions/checkout@{SHA.upper()}",
        f"actions/checkout@{SHA}0",
        "docker://alpine:3.19",
        ".github/actions/build-docs",
    ],
)
def test_actions_not_pinned_to_a_version_or_a_sha(uses: str) -> None:
    assert_same(
        check_pipeline(pipeline(build=job(steps=[{"run": "make"}, {"uses": uses}]))),
        [Finding("build", "unpinned-action", f"step 2 uses {uses}: pin a version tag or a commit SHA")],
    )


# --- secret-echo ------------------------------------------------------------------------------


def secret_findings(text: str) -> list[Finding]:
    return check_pipeline(tomllib.loads(text))


@pytest.mark.weight(2)
def test_a_secret_printed_outright() -> None:
    text = '''
[jobs.deploy]
timeout-minutes = 10
[[jobs.deploy.steps]]
uses = "actions/checkout@v4"
[[jobs.deploy.steps]]
run = """
./build.sh
  echo "token is ${{ secrets.DEPLOY_TOKEN }}"
printf '%s' ${{secrets.OTHER}}
"""
'''
    assert_same(
        secret_findings(text),
        [
            Finding("deploy", "secret-echo", "step 2, line 2: prints secrets.DEPLOY_TOKEN"),
            Finding("deploy", "secret-echo", "step 2, line 3: prints secrets.OTHER"),
        ],
    )


@pytest.mark.weight(2)
def test_a_secret_printed_through_an_environment_variable() -> None:
    text = '''
[jobs.deploy]
timeout-minutes = 10
env = { KEY = "${{ secrets.DEPLOY_KEY }}", REGION = "eu-west-1", SHADOWED = "${{ secrets.JOB_LEVEL }}" }
[[jobs.deploy.steps]]
env = { TOKEN = "Bearer ${{ secrets.API_TOKEN }}", SHADOWED = "plain" }
run = """
echo "region $REGION"
echo "key ${KEY}"
echo "auth $TOKEN"
echo "files in $KEY_FILE $TOKENS $UNSET"
echo "$SHADOWED"
"""
[[jobs.deploy.steps]]
run = "echo $TOKEN $KEY"
'''
    assert_same(
        secret_findings(text),
        [
            Finding("deploy", "secret-echo", "step 1, line 2: prints secrets.DEPLOY_KEY"),
            Finding("deploy", "secret-echo", "step 1, line 3: prints secrets.API_TOKEN"),
            Finding("deploy", "secret-echo", "step 2, line 1: prints secrets.DEPLOY_KEY"),
        ],
    )


def test_the_first_secret_of_a_line_is_named() -> None:
    text = '''
[jobs.deploy]
timeout-minutes = 10
env = { A = "${{ secrets.FIRST }}" }
[[jobs.deploy.steps]]
run = "echo $NOTHING $A ${{ secrets.SECOND }}"
[[jobs.deploy.steps]]
run = "echo ${{ secrets.THIRD }} $A"
'''
    assert_same(
        [finding.message for finding in secret_findings(text)],
        ["step 1, line 1: prints secrets.FIRST", "step 2, line 1: prints secrets.THIRD"],
    )


@pytest.mark.parametrize(
    "line",
    [
        'echo "::add-mask::${{ secrets.TOKEN }}"',
        'echo "${{ secrets.TOKEN }}" | docker login --password-stdin',
        'echo "${{ secrets.TOKEN }}" > ~/.pypirc',
        "twine upload --password ${{ secrets.TOKEN }} dist/*",
        'echoes "${{ secrets.TOKEN }}"',
        'curl -H "echo ${{ secrets.TOKEN }}" https://example.com',
        'echo "secrets.TOKEN is set"',
        "",
    ],
)
def test_lines_that_do_not_print_a_secret_to_the_log(line: str) -> None:
    definition = pipeline(deploy=job(steps=[{"run": f"set -e\n{line}\n"}], env={"T": "${{ secrets.TOKEN }}"}))

    assert_same(check_pipeline(definition), [])


# --- matrix-budget ------------------------------------------------------------------------------


def matrix_job(matrix: dict[str, Any]) -> dict[str, Any]:
    return job(strategy={"matrix": matrix})


PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
SYSTEMS = ["ubuntu", "macos", "windows", "alpine"]


def test_a_matrix_over_the_budget() -> None:
    assert_same(
        check_pipeline(pipeline(test=matrix_job({"python": PYTHONS, "os": SYSTEMS}))),
        [Finding("test", "matrix-budget", "matrix makes 16 jobs, over the budget of 12")],
    )


@pytest.mark.parametrize(
    ("matrix", "size"),
    [
        ({"python": PYTHONS, "os": SYSTEMS[:3]}, 12),
        ({"python": PYTHONS, "os": SYSTEMS, "exclude": [{"os": "alpine"}]}, 12),
        ({"python": PYTHONS, "os": SYSTEMS, "exclude": [{"python": "3.10", "os": "windows"}]}, 15),
        ({"python": PYTHONS, "os": SYSTEMS, "exclude": [{"os": "alpine"}, {"os": "alpine", "python": "3.10"}]}, 12),
        ({"python": PYTHONS, "os": SYSTEMS, "exclude": [{"arch": "arm64"}]}, 16),
        ({"python": PYTHONS, "os": SYSTEMS, "exclude": [{"os": "alpine"}], "include": [{"python": "3.14"}]}, 13),
        ({"python": PYTHONS, "os": SYSTEMS[:3], "include": [{"python": "3.14"}]}, 13),
        ({"include": [{"python": v} for v in PYTHONS * 4]}, 16),
        ({"python": PYTHONS, "os": SYSTEMS[:3], "exclude": [{"python": "3.10"}], "include": [{"python": "3.14"}]}, 10),
        ({"python": PYTHONS, "os": SYSTEMS, "arch": ["x64", "arm64"], "exclude": [{"arch": "arm64", "os": "windows"}]}, 28),
        ({"python": PYTHONS, "os": []}, 0),
        ({}, 0),
    ],
)
def test_the_matrix_size_counts_exclusions_and_inclusions(matrix: dict[str, Any], size: int) -> None:
    findings = check_pipeline(pipeline(test=matrix_job(matrix)))

    expected = [] if size <= 12 else [Finding("test", "matrix-budget", f"matrix makes {size} jobs, over the budget of 12")]
    assert_same(findings, expected)


def test_the_matrix_budget_can_be_set() -> None:
    definition = pipeline(test=matrix_job({"python": PYTHONS, "os": SYSTEMS[:2]}))

    assert_same(
        check_pipeline(definition, matrix_budget=7),
        [Finding("test", "matrix-budget", "matrix makes 8 jobs, over the budget of 7")],
    )
    assert_same(check_pipeline(definition, matrix_budget=8), [])


def test_a_job_with_a_strategy_but_no_matrix_is_fine() -> None:
    assert_same(check_pipeline(pipeline(test=job(strategy={"fail-fast": False}))), [])


# --- cycles and the order of findings -------------------------------------------------------


def test_a_job_that_needs_itself() -> None:
    assert_same(
        check_pipeline(pipeline(nightly=job(needs=["nightly"]))),
        [Finding("nightly", "cycle", "needs form a cycle: nightly -> nightly")],
    )


@pytest.mark.weight(2)
def test_cycles_are_named_from_a_depth_first_walk_in_name_order() -> None:
    definition = pipeline(
        web=job(needs=["worker", "api"]),
        api=job(needs=["web"]),
        worker=job(needs=["api"]),
        lint=job(),
        build=job(needs=["lint"]),
        deploy=job(needs=["web", "build"]),
    )

    assert_same(
        check_pipeline(definition),
        [
            Finding("api", "cycle", "needs form a cycle: api -> web -> api"),
            Finding("api", "cycle", "needs form a cycle: api -> web -> worker -> api"),
        ],
    )


def test_a_cycle_found_from_a_job_outside_it_is_named_from_where_it_closes() -> None:
    definition = pipeline(a=job(needs=["c"]), c=job(needs=["d"]), d=job(needs=["e", "e"]), e=job(needs=["c"]))

    assert_same(
        check_pipeline(definition),
        [Finding("c", "cycle", "needs form a cycle: c -> d -> e -> c")],
    )


def test_a_cycle_leaves_out_the_branches_walked_before_it() -> None:
    definition = pipeline(app=job(needs=["lib", "tools"]), lib=job(needs=["base"]), base=job(), tools=job(needs=["app"]))

    assert_same(
        check_pipeline(definition),
        [Finding("app", "cycle", "needs form a cycle: app -> tools -> app")],
    )


def test_two_separate_cycles() -> None:
    definition = pipeline(b=job(needs=["a"]), a=job(needs=["b"]), y=job(needs=["z"]), z=job(needs=["y", "ghost"]))

    assert_same(
        check_pipeline(definition),
        [
            Finding("z", "unknown-need", "needs 'ghost', which is not a job"),
            Finding("a", "cycle", "needs form a cycle: a -> b -> a"),
            Finding("y", "cycle", "needs form a cycle: y -> z -> y"),
        ],
    )


@pytest.mark.weight(2)
def test_findings_come_job_by_job_in_name_order_each_in_the_order_of_the_rules() -> None:
    definition = pipeline(
        test=job(
            needs=["biuld", "build"],
            timeout=None,
            steps=[{"run": "echo ${{ secrets.A }}"}, {"uses": "actions/checkout@main"}],
            strategy={"matrix": {"python": PYTHONS, "os": SYSTEMS}},
        ),
        build=job(needs=["test"], steps=[]),
        alpha=job(timeout=0, steps=[{"uses": "x/y@dev"}, {"run": "echo $S"}, {"uses": "x/z"}], env={"S": "${{ secrets.S }}"}),
    )

    assert_same(
        rules(check_pipeline(definition)),
        [
            ("alpha", "timeout"),
            ("alpha", "unpinned-action"),
            ("alpha", "unpinned-action"),
            ("alpha", "secret-echo"),
            ("build", "no-steps"),
            ("test", "unknown-need"),
            ("test", "timeout"),
            ("test", "unpinned-action"),
            ("test", "secret-echo"),
            ("test", "matrix-budget"),
            ("build", "cycle"),
        ],
    )


# --- stages ---------------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_stages_start_each_job_once_its_needs_have_started() -> None:
    definition = pipeline(
        release=job(needs=["test", "docs"]),
        test=job(needs=["lint", "types"]),
        types=job(),
        lint=job(),
        docs=job(),
        smoke=job(needs=["lint"]),
    )

    assert_same(stages(definition), [["docs", "lint", "types"], ["smoke", "test"], ["release"]])


def test_a_job_waits_for_its_slowest_need() -> None:
    definition = pipeline(a=job(), x=job(needs=["a"]), y=job(needs=["x"]), z=job(needs=["a", "y"]), b=job(needs=["a"]))

    assert_same(stages(definition), [["a"], ["b", "x"], ["y"], ["z"]])


def test_stages_leave_out_needs_that_are_not_jobs() -> None:
    definition = pipeline(test=job(needs=["lint", "ghost"]), lint=job(), solo=job(needs=["ghost"]))

    assert_same(stages(definition), [["lint", "solo"], ["test"]])


def test_stages_of_no_jobs() -> None:
    assert_same(stages({"jobs": {}}), [])
    assert_same(stages({}), [])


@pytest.mark.parametrize(
    "jobs",
    [
        {"a": job(needs=["a"])},
        {"lint": job(), "nightly": job(needs=["nightly"])},
        {"a": job(needs=["b"]), "b": job(needs=["a"]), "c": job()},
        {"lint": job(), "a": job(needs=["b", "lint"]), "b": job(needs=["a"]), "after": job(needs=["a"])},
    ],
)
def test_stages_refuse_needs_that_form_a_cycle(jobs: dict[str, dict[str, Any]]) -> None:
    with pytest.raises(ValueError):
        stages({"jobs": jobs})


# --- the command line ----------------------------------------------------------------------------


SOUND = """
[jobs.lint]
timeout-minutes = 5
steps = [{ uses = "actions/checkout@v4" }, { run = "ruff check ." }]

[jobs.test]
needs = ["lint"]
timeout-minutes = 10
steps = [{ uses = "actions/checkout@v4" }, { run = "pytest" }]
"""


def test_main_prints_the_stages_of_a_sound_pipeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ci.toml"
    path.write_text(SOUND, encoding="utf-8")

    status = main([str(path)])

    assert_same(status, 0)
    assert_same(capsys.readouterr().out, "stage 1: lint\nstage 2: test\nok: 2 jobs, no findings\n")


@pytest.mark.weight(2)
def test_main_prints_the_findings_and_returns_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ci.toml"
    path.write_text(SOUND.replace("timeout-minutes = 10\n", "").replace("@v4", "@main", 1), encoding="utf-8")

    status = main([str(path)])

    assert_same(status, 1)
    assert_same(
        capsys.readouterr().out,
        "lint: unpinned-action: step 1 uses actions/checkout@main: pin a version tag or a commit SHA\n"
        "test: timeout: has no timeout-minutes\n"
        "2 findings\n",
    )


def test_main_counts_one_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ci.toml"
    path.write_text(SOUND.replace("timeout-minutes = 10\n", ""), encoding="utf-8")

    assert_same(main([str(path)]), 1)
    assert_same(capsys.readouterr().out, "test: timeout: has no timeout-minutes\n1 finding\n")


def test_main_reads_its_file_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ci.toml"
    path.write_text(SOUND, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["pipeline_lint", str(path)])

    assert_same(main(), 0)
    assert_same(capsys.readouterr().out.splitlines()[-1], "ok: 2 jobs, no findings")


def test_main_reports_a_file_that_is_not_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ci.toml"
    path.write_text("[jobs.lint\ntimeout-minutes = 5\n", encoding="utf-8")

    status = main([str(path)])

    captured = capsys.readouterr()
    assert_same(status, 2)
    assert_same(captured.out, "")
    assert captured.err.startswith(f"error: {path} is not valid TOML: "), captured.err


def test_main_reports_a_file_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing.toml"

    status = main([str(path)])

    captured = capsys.readouterr()
    assert_same(status, 2)
    assert_same((captured.out, captured.err), ("", f"error: cannot read {path}: No such file or directory\n"))


@pytest.mark.parametrize("argv", [[], ["a.toml", "b.toml"]])
def test_main_wants_exactly_one_file(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(main(argv), 2)
    assert_same(capsys.readouterr().err, "usage: python -m pipeline_lint FILE\n")
