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
        """Start with nothing sent (a private list)."""
        raise NotImplementedError

    @property
    def sent(self) -> tuple[str, ...]:
        """The payloads transmitted so far, oldest first (a tuple: read-only)."""
        raise NotImplementedError

    def send(self, message: Message) -> None:
        """Validate, render and transmit ``message``: the steps are what subclasses override.

        The template method: subclasses do not override ``send`` itself.
        """
        raise NotImplementedError

    def validate(self, message: Message) -> None:
        """ValueError for a message whose recipient or body is blank."""
        raise NotImplementedError

    def render(self, message: Message) -> str:
        """The message as one line of text: ``subject: body``."""
        raise NotImplementedError

    def transmit(self, payload: str) -> None:
        """Record ``payload`` as sent."""
        raise NotImplementedError


class EmailChannel(Channel):
    """Email: the recipient is an address, and the payload has headers."""

    def __init__(self, sender: str) -> None:
        """Keep ``sender`` as ``self.sender``; the base class sets up the rest."""
        raise NotImplementedError

    def validate(self, message: Message) -> None:
        """The base class's checks, then ValueError for a recipient without ``@``."""
        raise NotImplementedError

    def render(self, message: Message) -> str:
        """``From: <sender>\\nTo: <recipient>\\nSubject: <subject>\\n\\n<body>``."""
        raise NotImplementedError


class ChatChannel(Channel):
    """A chat room: the recipient is a room (``#ops``), and long lines are cut to ``limit``."""

    def __init__(self, limit: int = 200) -> None:
        """Keep ``limit`` as ``self.limit``; ValueError if it is less than 1."""
        raise NotImplementedError

    def validate(self, message: Message) -> None:
        """The base class's checks, then ValueError for a recipient that does not start with ``#``."""
        raise NotImplementedError

    def render(self, message: Message) -> str:
        """The base class's line, cut to ``limit`` characters, the last of them ``…``, when longer."""
        raise NotImplementedError


class WebhookChannel(Channel):
    """A webhook: the payload is JSON, and the receiver refuses one over ``max_bytes``."""

    def __init__(self, url: str, max_bytes: int = 4096) -> None:
        """Keep ``url`` and ``max_bytes`` as attributes of the same names."""
        raise NotImplementedError

    def render(self, message: Message) -> str:
        """``json.dumps(..., ensure_ascii=False, sort_keys=True)`` of an object with the keys
        ``recipient``, ``subject`` and ``text``, the base class's line."""
        raise NotImplementedError

    def transmit(self, payload: str) -> None:
        """ValueError, naming the size, for a payload of more than ``max_bytes`` bytes in UTF-8;
        otherwise record it as the base class does."""
        raise NotImplementedError


# --- formatters ----------------------------------------------------------------------------


class Formatter(Protocol):
    """Anything with this method formats alerts; no base class needed."""

    def format(self, alert: Alert) -> Message: ...


class PlainFormatter:
    """Subject ``[SEVERITY] service`` (the severity in upper case), body the summary."""

    def format(self, alert: Alert) -> Message:
        raise NotImplementedError


class RunbookFormatter(PlainFormatter):
    """PlainFormatter's message, with a line linking the service's runbook when it has one."""

    def __init__(self, runbooks: Mapping[str, str]) -> None:
        """Keep a copy of ``runbooks``: service name to runbook URL."""
        raise NotImplementedError

    def format(self, alert: Alert) -> Message:
        """PlainFormatter's message; when the service has a runbook, its body gains a last line
        ``Runbook: <url>``."""
        raise NotImplementedError


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
        """Keep ``attempts`` and ``base_delay`` as attributes; ValueError if ``attempts`` < 1."""
        raise NotImplementedError

    def run(self, action: Callable[[], T]) -> T:
        """Return what ``action`` returns, calling it up to ``attempts`` times.

        After the n-th failure with a ``retry_on`` error, it sleeps ``base_delay * 2 ** (n - 1)``
        with the injected ``sleep`` and tries again; the last failure is raised. Other errors
        are raised at once. It never sleeps after the last attempt.
        """
        raise NotImplementedError


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
        """Keep the three; by default a PlainFormatter and a single attempt."""
        raise NotImplementedError

    def notify(self, alert: Alert) -> Message:
        """Format ``alert`` once, send it with retries, and return the message sent."""
        raise NotImplementedError
