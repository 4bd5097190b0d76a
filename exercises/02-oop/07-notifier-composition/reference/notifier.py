"""Alert notifications built by composition: a channel, a formatter and a retry policy."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Alert:
    """Something a monitor noticed: which service, how bad, what, and for whom."""

    service: str
    severity: str
    summary: str
    recipient: str


@dataclass(frozen=True)
class Message:
    """What a channel sends."""

    recipient: str
    subject: str
    body: str


class DeliveryError(Exception):
    """A send failed for a reason that may pass (a timeout, a 503): worth trying again."""


# --- channels: a template method and the steps subclasses override -------------------------


class Channel:
    """Sends messages; these fakes record each payload they transmit instead of sending it."""

    def __init__(self) -> None:
        self._sent: list[str] = []

    @property
    def sent(self) -> tuple[str, ...]:
        """The payloads transmitted so far, oldest first."""
        return tuple(self._sent)

    def send(self, message: Message) -> None:
        """Validate, render and transmit ``message``: the steps are what subclasses override."""
        self.validate(message)
        self.transmit(self.render(message))

    def validate(self, message: Message) -> None:
        """ValueError for a message without a recipient or without a body."""
        if not message.recipient.strip():
            raise ValueError("a message needs a recipient")
        if not message.body.strip():
            raise ValueError(f"the message to {message.recipient} has no body")

    def render(self, message: Message) -> str:
        """The message as one line of text: ``subject: body``."""
        return f"{message.subject}: {message.body}"

    def transmit(self, payload: str) -> None:
        """Record ``payload`` as sent."""
        self._sent.append(payload)


class EmailChannel(Channel):
    """Email: the recipient is an address, and the payload has headers."""

    def __init__(self, sender: str) -> None:
        super().__init__()
        self.sender = sender

    def validate(self, message: Message) -> None:
        super().validate(message)
        if "@" not in message.recipient:
            raise ValueError(f"not an email address: {message.recipient}")

    def render(self, message: Message) -> str:
        return (
            f"From: {self.sender}\nTo: {message.recipient}\n"
            f"Subject: {message.subject}\n\n{message.body}"
        )


class ChatChannel(Channel):
    """A chat room: the recipient is a room (``#ops``), and long lines are cut to ``limit``."""

    def __init__(self, limit: int = 200) -> None:
        super().__init__()
        if limit < 1:
            raise ValueError(f"a chat message holds at least 1 character, not {limit}")
        self.limit = limit

    def validate(self, message: Message) -> None:
        super().validate(message)
        if not message.recipient.startswith("#"):
            raise ValueError(f"not a chat room: {message.recipient}")

    def render(self, message: Message) -> str:
        text = super().render(message)
        if len(text) > self.limit:
            return text[: self.limit - 1] + "…"
        return text


class WebhookChannel(Channel):
    """A webhook: the payload is JSON, and the receiver refuses one over ``max_bytes``."""

    def __init__(self, url: str, max_bytes: int = 4096) -> None:
        super().__init__()
        self.url = url
        self.max_bytes = max_bytes

    def render(self, message: Message) -> str:
        fields = {"recipient": message.recipient, "subject": message.subject, "text": super().render(message)}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True)

    def transmit(self, payload: str) -> None:
        size = len(payload.encode("utf-8"))
        if size > self.max_bytes:
            # A payload too large stays too large: this is no DeliveryError to retry.
            raise ValueError(f"payload of {size} bytes is over {self.url}'s limit of {self.max_bytes}")
        super().transmit(payload)


# --- formatters ----------------------------------------------------------------------------


class Formatter(Protocol):
    """Anything with this method formats alerts; no base class needed."""

    def format(self, alert: Alert) -> Message: ...


class PlainFormatter:
    """Subject ``[SEVERITY] service``, body the summary."""

    def format(self, alert: Alert) -> Message:
        return Message(alert.recipient, f"[{alert.severity.upper()}] {alert.service}", alert.summary)


class RunbookFormatter(PlainFormatter):
    """PlainFormatter's message, with a line linking the service's runbook when it has one."""

    def __init__(self, runbooks: Mapping[str, str]) -> None:
        self._runbooks = dict(runbooks)

    def format(self, alert: Alert) -> Message:
        message = super().format(alert)
        url = self._runbooks.get(alert.service)
        if url is None:
            return message
        return dataclasses.replace(message, body=f"{message.body}\nRunbook: {url}")


# --- retrying and the notifier ---------------------------------------------------------------


class RetryPolicy:
    """Runs an action, trying again after errors of the ``retry_on`` types, with backoff."""

    def __init__(
        self,
        attempts: int = 3,
        *,
        base_delay: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        retry_on: tuple[type[Exception], ...] = (DeliveryError,),
    ) -> None:
        if attempts < 1:
            raise ValueError(f"at least one attempt, not {attempts}")
        self.attempts = attempts
        self.base_delay = base_delay
        self._sleep = sleep
        self._retry_on = retry_on

    def run(self, action: Callable[[], T]) -> T:
        """Return what ``action`` returns, calling it up to ``attempts`` times.

        After the n-th failure with a ``retry_on`` error, it sleeps ``base_delay * 2 ** (n - 1)``
        and tries again; the last failure is raised. Other errors are raised at once.
        """
        attempt = 1
        while True:
            try:
                return action()
            except self._retry_on:
                if attempt >= self.attempts:
                    raise
            self._sleep(self.base_delay * 2 ** (attempt - 1))
            attempt += 1


class Notifier:
    """Formats alerts and sends them through a channel, retrying as its policy says.

    It *has* a channel, a formatter and a retry policy, so any of each combine without
    a subclass for every combination.
    """

    def __init__(
        self,
        channel: Channel,
        formatter: Formatter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._channel = channel
        self._formatter: Formatter = formatter if formatter is not None else PlainFormatter()
        self._retry = retry if retry is not None else RetryPolicy(attempts=1)

    def notify(self, alert: Alert) -> Message:
        """Format ``alert`` once, send it with retries, and return the message sent."""
        message = self._formatter.format(alert)
        self._retry.run(lambda: self._channel.send(message))
        return message
