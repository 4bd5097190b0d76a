"""Tests for the metrics registry and the tracer.

The exposition text is compared exactly. The tracer runs on a fake clock that moves only when a
test moves it, and on ids counted from 1 ("id-1", "id-2", ...), so every span is predictable.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import sys
import threading

import pytest
from pygrade_graders.compare import assert_same

from telemetry import Registry, Span, Tracer

TIMEOUT = 2.0  # seconds a test waits for another thread before it fails


class FakeClock:
    """A clock for tests: call it to read the time, advance it by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CountingIds:
    """An id source that hands out "id-1", "id-2", ... in order, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self) -> str:
        with self._lock:
            self._last += 1
            return f"id-{self._last}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tracer(clock: FakeClock) -> Tracer:
    return Tracer(clock=clock, id_source=CountingIds())


def span(
    name: str,
    trace_id: str,
    span_id: str,
    parent_id: str | None,
    start: float,
    end: float,
    status: str = "ok",
    error: str | None = None,
    **attributes: str | int | float | bool,
) -> Span:
    return Span(
        name=name,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        start=start,
        end=end,
        attributes=dict(attributes),
        status=status,
        error=error,
    )


# --- the exposition format -----------------------------------------------------------------------


@pytest.mark.weight(3)
def test_a_small_registry_renders_exactly_as_prometheus_expects() -> None:
    registry = Registry()
    requests = registry.counter(
        "http_requests_total", "Requests served, by method and status.", labels=("status", "method")
    )
    latency = registry.histogram(
        "http_request_duration_seconds", "Time to serve a request.", buckets=[0.25, 0.5, 1]
    )
    registry.counter("jobs_failed_total", "Background jobs that failed.")

    requests.inc(method="GET", status="200")
    requests.inc(2, status="200", method="GET")
    requests.inc(method="POST", status="500")
    for seconds in [0.125, 0.5, 0.75, 3]:
        latency.observe(seconds)

    assert_same(
        registry.render(),
        "# HELP http_request_duration_seconds Time to serve a request.\n"
        "# TYPE http_request_duration_seconds histogram\n"
        'http_request_duration_seconds_bucket{le="0.25"} 1\n'
        'http_request_duration_seconds_bucket{le="0.5"} 2\n'
        'http_request_duration_seconds_bucket{le="1"} 3\n'
        'http_request_duration_seconds_bucket{le="+Inf"} 4\n'
        "http_request_duration_seconds_sum 4.375\n"
        "http_request_duration_seconds_count 4\n"
        "# HELP http_requests_total Requests served, by method and status.\n"
        "# TYPE http_requests_total counter\n"
        'http_requests_total{method="GET",status="200"} 3\n'
        'http_requests_total{method="POST",status="500"} 1\n'
        "# HELP jobs_failed_total Background jobs that failed.\n"
        "# TYPE jobs_failed_total counter\n"
        "jobs_failed_total 0\n",
    )


def test_an_empty_registry_renders_nothing() -> None:
    assert_same(Registry().render(), "")


def test_metrics_are_rendered_sorted_by_name() -> None:
    registry = Registry()
    for name in ["zeta_total", "alpha_total", "mid_total"]:
        registry.counter(name, "A counter.")

    type_lines = [line for line in registry.render().splitlines() if line.startswith("# TYPE")]

    assert_same(
        type_lines,
        [
            "# TYPE alpha_total counter",
            "# TYPE mid_total counter",
            "# TYPE zeta_total counter",
        ],
    )


@pytest.mark.weight(2)
def test_series_are_sorted_by_their_label_values() -> None:
    registry = Registry()
    hits = registry.counter("cache_hits_total", "Cache hits.", labels=("region", "cache"))
    hits.inc(cache="users", region="eu")
    hits.inc(cache="carts", region="us")
    hits.inc(cache="carts", region="eu")

    samples = registry.render().splitlines()[2:]

    assert_same(
        samples,
        [
            'cache_hits_total{cache="carts",region="eu"} 1',
            'cache_hits_total{cache="carts",region="us"} 1',
            'cache_hits_total{cache="users",region="eu"} 1',
        ],
    )


@pytest.mark.weight(2)
def test_label_values_and_help_text_are_escaped() -> None:
    registry = Registry()
    errors = registry.counter(
        "errors_total", 'Errors by "kind".\nSee C:\\runbook.', labels=("message",)
    )
    errors.inc(message='bad "quote" in C:\\path\nsecond line')

    assert_same(
        registry.render(),
        '# HELP errors_total Errors by "kind".\\nSee C:\\\\runbook.\n'
        "# TYPE errors_total counter\n"
        'errors_total{message="bad \\"quote\\" in C:\\\\path\\nsecond line"} 1\n',
    )


def test_a_labelled_metric_has_no_series_until_it_is_used() -> None:
    registry = Registry()
    registry.counter("logins_total", "Logins.", labels=("method",))
    registry.histogram("payload_bytes", "Payload sizes.", buckets=[1024], labels=("route",))

    assert_same(
        registry.render(),
        "# HELP logins_total Logins.\n"
        "# TYPE logins_total counter\n"
        "# HELP payload_bytes Payload sizes.\n"
        "# TYPE payload_bytes histogram\n",
    )


# --- counters ------------------------------------------------------------------------------------


def test_a_counter_adds_one_by_default_and_any_amount_otherwise() -> None:
    registry = Registry()
    sent = registry.counter("bytes_sent_total", "Bytes sent.")

    sent.inc()
    sent.inc(0.5)
    sent.inc(0)
    sent.inc(1000)

    assert_same(registry.render().splitlines()[-1], "bytes_sent_total 1001.5")


@pytest.mark.weight(2)
@pytest.mark.parametrize("amount", [-1, -0.5, math.nan])
def test_a_counter_refuses_to_go_down(amount: float) -> None:
    registry = Registry()
    counter = registry.counter("jobs_total", "Jobs.")
    counter.inc(3)

    with pytest.raises(ValueError):
        counter.inc(amount)
    assert_same(registry.render().splitlines()[-1], "jobs_total 3", "a refused inc changes nothing")


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "labels",
    [
        {},
        {"method": "GET"},
        {"method": "GET", "status": "200", "host": "a"},
        {"verb": "GET", "status": "200"},
    ],
    ids=["none", "missing", "unknown", "misspelt"],
)
def test_inc_requires_exactly_the_declared_labels(labels: dict[str, str]) -> None:
    registry = Registry()
    requests = registry.counter("requests_total", "Requests.", labels=("method", "status"))

    with pytest.raises(ValueError):
        requests.inc(**labels)
    assert_same(registry.render().count("\n"), 2, "a refused inc adds no series")


def test_a_counter_without_labels_refuses_labels() -> None:
    counter = Registry().counter("jobs_total", "Jobs.")

    with pytest.raises(ValueError):
        counter.inc(queue="default")


def test_a_label_may_be_called_amount() -> None:
    registry = Registry()
    refunds = registry.counter("refunds_total", "Refunds by size.", labels=("amount",))

    refunds.inc(2, amount="large")

    assert_same(registry.render().splitlines()[-1], 'refunds_total{amount="large"} 2')


def test_counters_count_every_increment_from_many_threads() -> None:
    registry = Registry()
    counter = registry.counter("events_total", "Events.", labels=("kind",))
    threads, rounds = 8, 5000
    start = threading.Barrier(threads, timeout=TIMEOUT)

    def work() -> None:
        start.wait()
        for _ in range(rounds):
            counter.inc(kind="click")

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke races
    try:
        workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(TIMEOUT)
    finally:
        sys.setswitchinterval(switch_interval)

    assert not any(worker.is_alive() for worker in workers)
    total = threads * rounds
    assert_same(registry.render().splitlines()[-1], f'events_total{{kind="click"}} {total}')


# --- histograms ----------------------------------------------------------------------------------


@pytest.mark.weight(3)
def test_histogram_buckets_are_cumulative_and_a_bound_is_inclusive() -> None:
    registry = Registry()
    sizes = registry.histogram(
        "batch_size", "Items per batch.", buckets=[1, 10, 100], labels=("queue",)
    )
    for value in [1, 2, 10, 10.5, 500, 0]:
        sizes.observe(value, queue="mail")
    sizes.observe(100, queue="audit")

    assert_same(
        registry.render().splitlines()[2:],
        [
            'batch_size_bucket{queue="audit",le="1"} 0',
            'batch_size_bucket{queue="audit",le="10"} 0',
            'batch_size_bucket{queue="audit",le="100"} 1',
            'batch_size_bucket{queue="audit",le="+Inf"} 1',
            'batch_size_sum{queue="audit"} 100',
            'batch_size_count{queue="audit"} 1',
            'batch_size_bucket{queue="mail",le="1"} 2',
            'batch_size_bucket{queue="mail",le="10"} 4',
            'batch_size_bucket{queue="mail",le="100"} 5',
            'batch_size_bucket{queue="mail",le="+Inf"} 6',
            'batch_size_sum{queue="mail"} 523.5',
            'batch_size_count{queue="mail"} 6',
        ],
    )


def test_a_histogram_without_labels_starts_with_empty_buckets() -> None:
    registry = Registry()
    registry.histogram("wait_seconds", "Time in the queue.", buckets=[0.5, math.inf])

    assert_same(
        registry.render().splitlines()[2:],
        [
            'wait_seconds_bucket{le="0.5"} 0',
            'wait_seconds_bucket{le="+Inf"} 0',
            "wait_seconds_sum 0",
            "wait_seconds_count 0",
        ],
    )


@pytest.mark.parametrize(
    "buckets",
    [[1, 0.5], [0.5, 0.5], [0.1, math.nan], [-math.inf, 1], [math.inf, 1]],
    ids=["decreasing", "repeated", "nan", "minus-inf", "inf-not-last"],
)
def test_histogram_buckets_must_be_finite_and_strictly_increasing(buckets: list[float]) -> None:
    with pytest.raises(ValueError):
        Registry().histogram("latency_seconds", "Latency.", buckets=buckets)


def test_a_histogram_reserves_the_le_label() -> None:
    with pytest.raises(ValueError):
        Registry().histogram("latency_seconds", "Latency.", buckets=[1], labels=("le",))


def test_observe_requires_exactly_the_declared_labels() -> None:
    histogram = Registry().histogram("latency_seconds", "Latency.", buckets=[1], labels=("route",))

    with pytest.raises(ValueError):
        histogram.observe(0.5)
    with pytest.raises(ValueError):
        histogram.observe(0.5, route="/", method="GET")


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "2xx_total", "http-requests", "requests total", "café"])
def test_invalid_metric_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        Registry().counter(name, "A counter.")


@pytest.mark.parametrize("label", ["", "2xx", "content-type", "__reserved"])
def test_invalid_label_names_are_refused(label: str) -> None:
    with pytest.raises(ValueError):
        Registry().counter("requests_total", "Requests.", labels=(label,))


@pytest.mark.weight(2)
def test_a_name_can_be_registered_once() -> None:
    registry = Registry()
    registry.counter("requests_total", "Requests.")

    with pytest.raises(ValueError):
        registry.counter("requests_total", "Requests again.")
    with pytest.raises(ValueError):
        registry.histogram("requests_total", "Requests as a histogram.", buckets=[1])
    assert_same(registry.render().count("# TYPE"), 1)


# --- spans ---------------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_span_records_its_ids_times_and_attributes(tracer: Tracer, clock: FakeClock) -> None:
    with tracer.span("GET /cart", route="/cart", user_id=42) as active:
        clock.advance(0.25)
        active.set_attribute("items", 3)

    expected = span(
        "GET /cart", "id-1", "id-2", None, 1000.0, 1000.25, route="/cart", user_id=42, items=3
    )
    assert_same(tracer.finished_spans(), [expected])
    assert_same(tracer.finished_spans()[0].duration, 0.25)


@pytest.mark.weight(3)
def test_nested_spans_are_children_of_the_enclosing_span(tracer: Tracer, clock: FakeClock) -> None:
    with tracer.span("GET /checkout"):
        clock.advance(1)
        with tracer.span("load cart"):
            clock.advance(2)
            with tracer.span("SELECT carts"):
                clock.advance(4)
        with tracer.span("charge card", provider="acme"):
            clock.advance(8)
    with tracer.span("GET /health"):
        clock.advance(16)

    assert_same(
        tracer.finished_spans(),
        [
            span("SELECT carts", "id-1", "id-4", "id-3", 1003.0, 1007.0),
            span("load cart", "id-1", "id-3", "id-2", 1001.0, 1007.0),
            span("charge card", "id-1", "id-5", "id-2", 1007.0, 1015.0, provider="acme"),
            span("GET /checkout", "id-1", "id-2", None, 1000.0, 1015.0),
            span("GET /health", "id-6", "id-7", None, 1015.0, 1031.0),
        ],
    )


@pytest.mark.weight(3)
def test_a_block_that_raises_ends_its_span_as_an_error_and_re_raises(
    tracer: Tracer, clock: FakeClock
) -> None:
    with pytest.raises(KeyError, match="sku-42"):
        with tracer.span("GET /product"):
            with tracer.span("lookup"):
                clock.advance(1)
                raise KeyError("sku-42")

    assert_same(
        tracer.finished_spans(),
        [
            span("lookup", "id-1", "id-3", "id-2", 1000.0, 1001.0, "error", "KeyError"),
            span("GET /product", "id-1", "id-2", None, 1000.0, 1001.0, "error", "KeyError"),
        ],
    )


def test_an_error_caught_inside_a_span_leaves_it_ok(tracer: Tracer) -> None:
    with tracer.span("import batch"):
        try:
            with tracer.span("parse row"):
                int("x")
        except ValueError:
            pass

    assert_same(
        [(done.name, done.status, done.error) for done in tracer.finished_spans()],
        [("parse row", "error", "ValueError"), ("import batch", "ok", None)],
    )


def test_after_a_span_ends_the_next_one_is_a_root_again(tracer: Tracer) -> None:
    with pytest.raises(RuntimeError):
        with tracer.span("first"):
            raise RuntimeError("boom")
    with tracer.span("second"):
        pass

    second = tracer.finished_spans()[-1]
    assert_same((second.trace_id, second.parent_id), ("id-3", None))


def test_finished_spans_returns_a_copy(tracer: Tracer) -> None:
    with tracer.span("only"):
        pass

    tracer.finished_spans().clear()

    assert_same(len(tracer.finished_spans()), 1)


@pytest.mark.weight(2)
def test_a_new_thread_starts_a_new_trace_unless_it_is_given_the_context(tracer: Tracer) -> None:
    def worker(label: str) -> None:
        with tracer.span(f"worker {label}"):
            pass

    with tracer.span("request"):
        plain = threading.Thread(target=worker, args=("plain",))
        plain.start()
        plain.join(TIMEOUT)
        context = contextvars.copy_context()
        handed = threading.Thread(target=context.run, args=(worker, "with context"))
        handed.start()
        handed.join(TIMEOUT)

    spans = {done.name: done for done in tracer.finished_spans()}
    assert_same(sorted(spans), ["request", "worker plain", "worker with context"])
    request = spans["request"]
    plain_span, handed_span = spans["worker plain"], spans["worker with context"]
    assert plain_span.parent_id is None and plain_span.trace_id != request.trace_id, (
        "a thread does not inherit the spans of the thread that started it"
    )
    assert_same((handed_span.parent_id, handed_span.trace_id), (request.span_id, request.trace_id))


@pytest.mark.weight(3)
def test_concurrent_asyncio_tasks_keep_their_own_parents(tracer: Tracer) -> None:
    async def handle(name: str, entered: asyncio.Event, other_entered: asyncio.Event) -> None:
        with tracer.span(name):
            entered.set()
            await other_entered.wait()  # both requests are now open at the same time
            with tracer.span(f"{name}: query"):
                await asyncio.sleep(0)

    async def serve() -> None:
        a_entered, b_entered = asyncio.Event(), asyncio.Event()
        await asyncio.gather(
            handle("request a", a_entered, b_entered), handle("request b", b_entered, a_entered)
        )

    asyncio.run(serve())

    spans = {done.name: done for done in tracer.finished_spans()}
    for name in ["request a", "request b"]:
        parent, child = spans[name], spans[f"{name}: query"]
        assert parent.parent_id is None, f"{name} is a root span"
        assert_same(
            (child.parent_id, child.trace_id),
            (parent.span_id, parent.trace_id),
            f"the query of {name} is a child of {name}",
        )
    assert spans["request a"].trace_id != spans["request b"].trace_id


def test_the_default_clock_is_the_wall_clock_in_seconds() -> None:
    import time

    before = time.time()
    tracer = Tracer(id_source=iter(str(i) for i in range(1, 100)).__next__)
    with tracer.span("request"):
        pass
    after = time.time()
    (span,) = tracer.finished_spans()
    assert before <= span.start <= span.end <= after, (before, span, after)
