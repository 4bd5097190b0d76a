"""Tests for the documentation of the retry module and its decision record.

They read the docstrings as Google-style sections and run their examples with doctest; the
decision record is read from `docs/decision.md` next to `retry.py`.
"""

from __future__ import annotations

import datetime
import doctest
import inspect
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

import retry
from retry import Backoff, RetryError, retry_call

# --- reading Google-style docstrings -------------------------------------------------------

SECTION = re.compile(
    r"(Args|Arguments|Attributes|Returns|Yields|Raises|Examples?|Notes?|Warnings?|See Also):"
)
ENTRY = re.compile(r"(\*{0,2}[\w.]+)\s*(\([^)]*\))?\s*:")

PUBLIC: dict[str, object] = {
    "the module": retry,
    "RetryError": RetryError,
    "Backoff": Backoff,
    "Backoff.delay": Backoff.delay,
    "Backoff.delays": Backoff.delays,
    "retry_call": retry_call,
}


def docstring(name: str) -> str:
    """The docstring written for `name` itself (not inherited, not made by @dataclass)."""
    doc = PUBLIC[name].__doc__
    if not isinstance(doc, str) or (name == "Backoff" and doc.startswith("Backoff(")):
        pytest.fail(f"{name} has no docstring")
    return inspect.cleandoc(doc)


def sections(name: str) -> dict[str, list[str]]:
    """The docstring's sections: each header (`Args`) with the lines under it."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in docstring(name).splitlines():
        header = SECTION.fullmatch(line.strip())
        if header and not line[0].isspace():
            current = found.setdefault(header.group(1), [])
        elif current is not None and line and not line[0].isspace():
            current = None  # back at the docstring's margin: the section has ended
        elif current is not None:
            current.append(line)
    return found


def section(name: str, *headers: str) -> list[str]:
    """The lines of the first of `headers` that the docstring has, or a failed test."""
    found = sections(name)
    for header in headers:
        if header in found:
            return found[header]
    pytest.fail(f"the docstring of {name} has no {headers[0]}: section")


def entries(name: str, *headers: str) -> list[str]:
    """The names a section documents: its lines `name (type): text` at its first indent."""
    lines = [line for line in section(name, *headers) if line.strip()]
    if not lines:
        return []
    margin = min(len(line) - len(line.lstrip()) for line in lines)
    names = []
    for line in lines:
        entry = ENTRY.match(line.strip())
        if len(line) - len(line.lstrip()) == margin and entry:
            names.append(entry.group(1).lstrip("*").rsplit(".", 1)[-1])
    return names


def parameters(function: Callable[..., object]) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


# --- the examples ---------------------------------------------------------------------------


@pytest.mark.weight(3)
def test_the_examples_in_the_docstrings_pass() -> None:
    runner = doctest.DocTestRunner()
    report = io.StringIO()
    for test in doctest.DocTestFinder().find(retry):
        runner.run(test, out=report.write)
    failed, attempted = runner.summarize(verbose=False)

    assert attempted >= 8, f"write at least 8 examples (>>> lines); found {attempted}"
    assert failed == 0, f"{failed} of {attempted} examples failed:\n{report.getvalue()}"


@pytest.mark.parametrize("name", [name for name in PUBLIC if name != "RetryError"])
def test_each_public_item_shows_an_example(name: str) -> None:
    examples = doctest.DocTestParser().get_examples(docstring(name))
    assert examples, f"the docstring of {name} needs an example (>>> ...) that a reader can run"


def test_the_module_docstring_explains_before_it_shows() -> None:
    doc = docstring("the module")
    summary, _, body = doc.partition("\n\n")
    prose = body.split(">>>", 1)[0]

    assert summary.strip() and "\n" not in summary.strip(), "start with a one-line summary"
    assert len(prose.split()) >= 30, (
        "after the summary, tell a newcomer in at least 30 words what the module is for and "
        "how it behaves, before the first example"
    )


# --- the sections match the code -------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize("name", ["Backoff.delay", "retry_call"])
def test_args_document_every_parameter_in_order(name: str) -> None:
    function = PUBLIC[name]
    assert callable(function)
    assert_same(entries(name, "Args", "Arguments"), parameters(function))


@pytest.mark.parametrize(
    ("name", "header"),
    [("Backoff.delay", "Returns"), ("retry_call", "Returns"), ("Backoff.delays", "Yields")],
)
def test_what_comes_back_is_described(name: str, header: str) -> None:
    text = " ".join(section(name, header)).split()
    assert len(text) >= 3, f"say in the {header}: section of {name} what the caller gets"


@pytest.mark.parametrize(
    ("name", "attributes"),
    [("Backoff", ["initial", "multiplier", "maximum"]), ("RetryError", ["attempts", "last_error"])],
)
def test_attributes_are_documented(name: str, attributes: list[str]) -> None:
    assert_same(sorted(entries(name, "Attributes")), sorted(attributes))


def give_up() -> object:
    def down() -> None:
        raise ConnectionError("db is down")

    with pytest.raises(RetryError) as caught:
        retry_call(down, attempts=2, sleep=lambda seconds: None)
    assert_same(caught.value.attempts, 2)
    assert isinstance(caught.value.last_error, ConnectionError)
    raise caught.value


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("name", "cause", "error"),
    [
        ("Backoff", lambda: Backoff(initial=0.0), ValueError),
        ("Backoff", lambda: Backoff(multiplier=0.5), ValueError),
        ("Backoff", lambda: Backoff(initial=2.0, maximum=1.0), ValueError),
        ("Backoff.delay", lambda: Backoff().delay(0), ValueError),
        ("retry_call", lambda: retry_call(lambda: "ok", attempts=0), ValueError),
        ("retry_call", give_up, RetryError),
    ],
    ids=["initial", "multiplier", "maximum", "delay", "attempts", "give-up"],
)
def test_raises_names_each_exception_the_code_raises(
    name: str, cause: Callable[[], object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        cause()
    assert error.__name__ in entries(name, "Raises"), (
        f"{name} raises {error.__name__}: its Raises: section should say when"
    )


# --- the decision record ----------------------------------------------------------------------

ADR_SECTIONS = ["Context", "Decision", "Consequences"]
STATUSES = ("Proposed", "Accepted", "Deprecated", "Superseded")


def decision_record() -> str:
    path = Path(retry.__file__).parent / "docs" / "decision.md"
    return path.read_text(encoding="utf-8")


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z][\w'-]*", text))


@pytest.mark.weight(2)
def test_the_decision_record_has_a_title_status_and_date() -> None:
    lines = decision_record().splitlines()

    title = re.fullmatch(r"# ADR 1: (.+)", lines[0].strip()) if lines else None
    assert title and words(title.group(1)) >= 3, "the first line is `# ADR 1: <the decision>`"
    status = [line for line in lines if line.startswith("Status:")]
    assert len(status) == 1 and status[0].split()[1:2] and status[0].split()[1] in STATUSES, (
        f"one line `Status: <one of {', '.join(STATUSES)}>`"
    )
    dates = [line.removeprefix("Date:").strip() for line in lines if line.startswith("Date:")]
    assert len(dates) == 1, "one line `Date: YYYY-MM-DD`"
    datetime.date.fromisoformat(dates[0])


@pytest.mark.weight(2)
def test_the_decision_record_has_context_decision_and_consequences() -> None:
    text = decision_record()
    headings = re.findall(r"^## +(.+?)\s*$", text, flags=re.MULTILINE)
    assert_same(headings, ADR_SECTIONS, "the sections, in this order and no others")

    bodies = re.split(r"^## +.+$", text, flags=re.MULTILINE)[1:]
    for heading, body in zip(ADR_SECTIONS, bodies, strict=True):
        assert words(body) >= 40, f"## {heading} says too little: write at least 40 words"


def test_the_decision_record_has_no_placeholders_left() -> None:
    text = decision_record()
    for placeholder in re.findall(r"TODO|TBD|<[^>\n]*>", text):
        pytest.fail(f"replace the placeholder {placeholder!r}")
