"""Tests for notifier.py."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pygrade_graders.compare import assert_same

from notifier import (
    Alert,
    Channel,
    ChatChannel,
    DeliveryError,
    EmailChannel,
    Message,
    Notifier,
    PlainFormatter,
    RetryPolicy,
    RunbookFormatter,
    WebhookChannel,
)

DISK = Alert("billing-db", "critical", "disk 95% full", "oncall@example.com")
HELLO = Message("#ops", "deploy", "v2.3 is live")


class FakeSleep:
    """Records the delays asked for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class FailFirst(Channel):
    """A mixin for the tests: the first ``failures`` transmissions raise DeliveryError.

    Put in front of any channel (``class FlakyEmail(FailFirst, EmailChannel)``), its
    ``super().transmit`` is that channel's.
    """

    failures = 0

    def transmit(self, payload: str) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("503 Service Unavailable")
        super().transmit(payload)


class FlakyEmail(FailFirst, EmailChannel):
    pass


class FlakyChat(FailFirst, ChatChannel):
    pass


class FlakyWebhook(FailFirst, WebhookChannel):
    pass


class PagerChannel(Channel):
    """A channel of the tests' own: it overrides one step and keeps the rest."""

    def render(self, message: Message) -> str:
        return f"PAGE {message.recipient}: {message.body}"


# --- Channel: the template method -----------------------------------------------------------


@pytest.mark.weight(2)
def test_the_base_channel_renders_one_line_and_records_it() -> None:
    channel = Channel()

    channel.send(HELLO)

    assert_same(channel.sent, ("deploy: v2.3 is live",))


def test_a_channel_starts_with_nothing_sent_and_sent_is_read_only() -> None:
    channel = Channel()

    assert_same(channel.sent, ())
    with pytest.raises(AttributeError):
        setattr(channel, "sent", ("forged",))


def test_each_channel_has_its_own_record() -> None:
    one, two = Channel(), Channel()

    one.send(HELLO)

    assert_same(two.sent, (), "the list of sent payloads belongs to each instance, not the class")


@pytest.mark.parametrize(
    "message",
    [Message("", "s", "body"), Message("  ", "s", "body"), Message("#ops", "s", ""), Message("#ops", "s", " \n")],
)
def test_the_base_channel_refuses_a_message_without_recipient_or_body(message: Message) -> None:
    channel = Channel()

    with pytest.raises(ValueError):
        channel.send(message)
    assert_same(channel.sent, ())


@pytest.mark.weight(2)
def test_send_runs_the_steps_a_subclass_overrides() -> None:
    pager = PagerChannel()

    pager.send(Message("ada", "ignored", "db down"))

    assert_same(pager.sent, ("PAGE ada: db down",))
    with pytest.raises(ValueError):
        pager.send(Message("ada", "s", ""))


def test_send_validates_before_it_renders_and_transmits() -> None:
    steps: list[str] = []

    class Traced(Channel):
        def validate(self, message: Message) -> None:
            steps.append("validate")
            super().validate(message)

        def render(self, message: Message) -> str:
            steps.append("render")
            return super().render(message)

        def transmit(self, payload: str) -> None:
            steps.append(f"transmit {payload}")
            super().transmit(payload)

    Traced().send(HELLO)

    assert_same(steps, ["validate", "render", "transmit deploy: v2.3 is live"])


# --- the channels -----------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_email_renders_headers_and_body() -> None:
    email = EmailChannel("alerts@example.com")

    email.send(Message("oncall@example.com", "[CRITICAL] billing-db", "disk 95% full"))

    assert_same(
        email.sent,
        (
            "From: alerts@example.com\nTo: oncall@example.com\n"
            "Subject: [CRITICAL] billing-db\n\ndisk 95% full",
        ),
    )
    assert_same(email.sender, "alerts@example.com")


@pytest.mark.weight(2)
def test_email_adds_its_own_check_to_the_base_ones() -> None:
    email = EmailChannel("alerts@example.com")

    with pytest.raises(ValueError, match="oncall"):
        email.send(Message("oncall", "s", "body"))
    with pytest.raises(ValueError):
        email.send(Message("oncall@example.com", "s", "  "))  # the base class's check, through super()
    assert_same(email.sent, ())


@pytest.mark.weight(2)
def test_chat_renders_the_base_line_and_checks_the_room() -> None:
    chat = ChatChannel()

    chat.send(HELLO)

    assert_same(chat.sent, ("deploy: v2.3 is live",))
    assert_same(chat.limit, 200)
    with pytest.raises(ValueError, match="ops"):
        chat.send(Message("ops", "s", "body"))
    with pytest.raises(ValueError):
        chat.send(Message("#ops", "s", ""))


@pytest.mark.weight(2)
def test_chat_cuts_long_lines_to_its_limit_with_an_ellipsis() -> None:
    chat = ChatChannel(limit=12)

    chat.send(Message("#ops", "deploy", "v2.3 is live"))  # "deploy: v2.3 is live", 20 characters
    chat.send(Message("#ops", "deploy", "ok"))  # 10 characters: kept
    chat.send(Message("#ops", "deploy", "done"))  # 12 characters: kept

    assert_same(chat.sent, ("deploy: v2.…", "deploy: ok", "deploy: done"))


def test_chat_with_a_limit_of_one_sends_only_the_ellipsis() -> None:
    chat = ChatChannel(limit=1)
    chat.send(HELLO)

    assert_same(chat.sent, ("…",))
    with pytest.raises(ValueError):
        ChatChannel(limit=0)


@pytest.mark.weight(2)
def test_webhook_renders_json_around_the_base_line() -> None:
    hook = WebhookChannel("https://hooks.example.com/T1")

    hook.send(Message("team-db", "[WARNING] billing-db", "replica lag 30 s"))

    assert_same(len(hook.sent), 1)
    assert_same(
        hook.sent[0],
        '{"recipient": "team-db", "subject": "[WARNING] billing-db", '
        '"text": "[WARNING] billing-db: replica lag 30 s"}',
    )
    assert_same((hook.url, hook.max_bytes), ("https://hooks.example.com/T1", 4096))


def test_webhook_still_runs_the_base_checks() -> None:
    with pytest.raises(ValueError):
        WebhookChannel("https://hooks.example.com/T1").send(Message("team-db", "s", ""))


@pytest.mark.weight(2)
def test_webhook_refuses_a_payload_over_its_byte_limit() -> None:
    message = Message("x", "s", "é" * 10)
    size = len(WebhookChannel("u").render(message).encode("utf-8"))

    exact = WebhookChannel("u", max_bytes=size)
    exact.send(message)
    assert_same(len(exact.sent), 1)

    assert_same(size, len("é".encode()) * 10 + len('{"recipient": "x", "subject": "s", "text": "s: "}'))
    small = WebhookChannel("u", max_bytes=size - 1)
    with pytest.raises(ValueError, match=str(size)):
        small.send(message)
    assert_same(small.sent, ())


# --- formatters -------------------------------------------------------------------------------


def test_the_plain_formatter() -> None:
    assert_same(
        PlainFormatter().format(DISK),
        Message("oncall@example.com", "[CRITICAL] billing-db", "disk 95% full"),
    )


@pytest.mark.weight(2)
def test_the_runbook_formatter_adds_the_services_runbook() -> None:
    runbooks = {"billing-db": "https://wiki.example.com/rb/billing-db"}
    formatter = RunbookFormatter(runbooks)
    runbooks.clear()

    assert_same(
        formatter.format(DISK),
        Message(
            "oncall@example.com",
            "[CRITICAL] billing-db",
            "disk 95% full\nRunbook: https://wiki.example.com/rb/billing-db",
        ),
    )
    other = Alert("search", "info", "reindex done", "#search")
    assert_same(formatter.format(other), Message("#search", "[INFO] search", "reindex done"))


# --- RetryPolicy ------------------------------------------------------------------------------


def failing(times: int, error: Exception, result: str = "ok") -> tuple[Callable[[], str], list[int]]:
    """An action that raises ``error`` its first ``times`` calls, and the list of its calls."""
    calls: list[int] = []

    def action() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= times:
            raise error
        return result

    return action, calls


@pytest.mark.weight(2)
def test_retry_returns_the_result_after_transient_failures_with_doubling_delays() -> None:
    sleep = FakeSleep()
    action, calls = failing(2, DeliveryError("timeout"))

    assert_same(RetryPolicy(sleep=sleep).run(action), "ok")

    assert_same(calls, [1, 2, 3])
    assert_same(sleep.delays, [0.5, 1.0])


@pytest.mark.weight(2)
def test_retry_raises_the_last_failure_without_sleeping_after_it() -> None:
    sleep = FakeSleep()
    action, calls = failing(10, DeliveryError("timeout"))

    with pytest.raises(DeliveryError):
        RetryPolicy(4, base_delay=2.0, sleep=sleep).run(action)

    assert_same(calls, [1, 2, 3, 4])
    assert_same(sleep.delays, [2.0, 4.0, 8.0])


def test_retry_does_not_sleep_when_the_first_attempt_works() -> None:
    sleep = FakeSleep()
    action, calls = failing(0, DeliveryError("timeout"), result="first")

    assert_same(RetryPolicy(sleep=sleep).run(action), "first")
    assert_same((calls, sleep.delays), ([1], []))


@pytest.mark.weight(2)
def test_retry_raises_other_errors_at_once() -> None:
    sleep = FakeSleep()
    action, calls = failing(1, ValueError("bad address"))

    with pytest.raises(ValueError):
        RetryPolicy(sleep=sleep).run(action)
    assert_same((calls, sleep.delays), ([1], []))


def test_retry_on_chooses_the_errors_worth_retrying() -> None:
    sleep = FakeSleep()
    action, calls = failing(1, TimeoutError("read timed out"))

    policy = RetryPolicy(2, sleep=sleep, retry_on=(TimeoutError, ConnectionError))

    assert_same(policy.run(action), "ok")
    assert_same(calls, [1, 2])
    with pytest.raises(DeliveryError):
        policy.run(failing(1, DeliveryError("503"))[0])


def test_a_single_attempt_never_sleeps() -> None:
    sleep = FakeSleep()
    action, calls = failing(1, DeliveryError("503"))

    with pytest.raises(DeliveryError):
        RetryPolicy(1, sleep=sleep).run(action)
    assert_same((calls, sleep.delays), ([1], []))


@pytest.mark.parametrize("attempts", [0, -2])
def test_retry_needs_at_least_one_attempt(attempts: int) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts)


def test_the_retry_policy_keeps_its_settings() -> None:
    assert_same((RetryPolicy().attempts, RetryPolicy().base_delay), (3, 0.5))


# --- Notifier: composition ----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_notifier_formats_and_sends_through_its_channel() -> None:
    email = EmailChannel("alerts@example.com")

    message = Notifier(email).notify(DISK)

    assert not issubclass(Notifier, (Channel, PlainFormatter, RetryPolicy)), "a Notifier has its parts"
    assert_same(message, Message("oncall@example.com", "[CRITICAL] billing-db", "disk 95% full"))
    assert_same(
        email.sent,
        ("From: alerts@example.com\nTo: oncall@example.com\nSubject: [CRITICAL] billing-db\n\ndisk 95% full",),
    )


def test_notifier_by_default_tries_once() -> None:
    email = FlakyEmail("alerts@example.com")
    email.failures = 1

    with pytest.raises(DeliveryError):
        Notifier(email).notify(DISK)
    assert_same(email.sent, ())


@pytest.mark.weight(2)
def test_notifier_uses_the_formatter_it_is_given_even_one_that_is_no_subclass() -> None:
    class Terse:
        def format(self, alert: Alert) -> Message:
            return Message(alert.recipient, alert.severity, alert.service)

    chat = ChatChannel()
    message = Notifier(chat, Terse()).notify(Alert("search", "info", "reindex done", "#search"))

    assert_same(message, Message("#search", "info", "search"))
    assert_same(chat.sent, ("info: search",))


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    ("make_channel", "recipient"),
    [
        (lambda: FlakyEmail("alerts@example.com"), "oncall@example.com"),
        (FlakyChat, "#ops"),
        (lambda: FlakyWebhook("https://hooks.example.com/T1"), "team-db"),
    ],
    ids=["email", "chat", "webhook"],
)
def test_the_retry_policy_works_with_any_channel(make_channel: Callable[[], FailFirst], recipient: str) -> None:
    channel = make_channel()
    channel.failures = 2
    sleep = FakeSleep()
    alert = Alert("billing-db", "critical", "disk 95% full", recipient)
    notifier = Notifier(channel, RunbookFormatter({}), RetryPolicy(3, base_delay=1.0, sleep=sleep))

    message = notifier.notify(alert)

    assert_same(len(channel.sent), 1, "delivered once, after two failures")
    assert_same(sleep.delays, [1.0, 2.0])
    assert_same(message.body, "disk 95% full")


def test_notifier_gives_up_when_the_policy_does() -> None:
    pager = FlakyEmail("alerts@example.com")
    pager.failures = 5
    sleep = FakeSleep()

    with pytest.raises(DeliveryError):
        Notifier(pager, retry=RetryPolicy(2, sleep=sleep)).notify(DISK)
    assert_same((pager.sent, sleep.delays), ((), [0.5]))


def test_notifier_does_not_retry_a_message_the_channel_refuses() -> None:
    email = EmailChannel("alerts@example.com")
    sleep = FakeSleep()

    with pytest.raises(ValueError):
        Notifier(email, retry=RetryPolicy(5, sleep=sleep)).notify(Alert("db", "info", "x", "#ops"))
    assert_same((email.sent, sleep.delays), ((), []))


def test_notifier_formats_once_however_many_attempts() -> None:
    formatted: list[Alert] = []

    class Counting(PlainFormatter):
        def format(self, alert: Alert) -> Message:
            formatted.append(alert)
            return super().format(alert)

    chat = FlakyChat()
    chat.failures = 2
    Notifier(chat, Counting(), RetryPolicy(sleep=FakeSleep())).notify(Alert("db", "info", "x", "#ops"))

    assert_same(len(formatted), 1)
    assert_same(chat.sent, ("[INFO] db: x",))


def test_the_webhook_payload_is_json() -> None:
    hook = WebhookChannel("https://hooks.example.com/T1")
    Notifier(hook).notify(Alert("db", "warning", "lag", "team-db"))

    assert_same(json.loads(hook.sent[0]), {"recipient": "team-db", "subject": "[WARNING] db", "text": "[WARNING] db: lag"})
