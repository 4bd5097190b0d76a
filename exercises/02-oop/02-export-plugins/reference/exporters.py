"""Report exporters as plugins: an abstract base class, two formats and a registry."""

from __future__ import annotations

import abc
import codecs
import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import ClassVar

Rows = Sequence[Mapping[str, object]]


class Exporter(abc.ABC):
    """Turns report rows into the bytes of a download.

    A subclass implements ``render`` (rows to text) and sets ``mime_type``; the
    base class encodes the text and describes it for a ``Content-Type`` header.
    """

    mime_type: ClassVar[str] = "text/plain"

    def __init__(self, encoding: str = "utf-8") -> None:
        codecs.lookup(encoding)  # LookupError now rather than at the first export
        self._encoding = encoding

    @property
    def encoding(self) -> str:
        """The text encoding ``export`` uses, fixed at construction."""
        return self._encoding

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` of ``export``'s bytes, e.g. ``text/csv; charset=utf-8``."""
        return f"{self.mime_type}; charset={self.encoding}"

    @abc.abstractmethod
    def render(self, rows: Rows) -> str:
        """Return ``rows`` as the text of this format."""

    def export(self, rows: Rows) -> bytes:
        """Return ``rows`` rendered and encoded, ready to send or save."""
        return self.render(rows).encode(self.encoding)


class CsvExporter(Exporter):
    """Comma-separated values (RFC 4180): a header row, then one line per row."""

    mime_type = "text/csv"

    def render(self, rows: Rows) -> str:
        columns = list(dict.fromkeys(key for row in rows for key in row))
        if not columns:
            return ""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()


class ExcelCsvExporter(CsvExporter):
    """CSV that Excel opens with the right characters: UTF-8 behind a byte order mark."""

    def __init__(self) -> None:
        super().__init__(encoding="utf-8")

    def export(self, rows: Rows) -> bytes:
        return codecs.BOM_UTF8 + super().export(rows)


class JsonLinesExporter(Exporter):
    """JSON Lines: one JSON object per row, each on its own line."""

    mime_type = "application/jsonl"

    def __init__(self) -> None:
        super().__init__(encoding="utf-8")

    @property
    def media_type(self) -> str:
        # JSON is always UTF-8 (RFC 8259), so its media type takes no charset.
        return self.mime_type

    def render(self, rows: Rows) -> str:
        return "".join(
            json.dumps(dict(row), ensure_ascii=False, default=str) + "\n" for row in rows
        )


class UnknownExporterError(KeyError):
    """No exporter is registered under the name asked for."""

    name: str
    known: tuple[str, ...]

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = tuple(known)

    def __str__(self) -> str:
        # KeyError's own __str__ would show the repr of the name, quotes and all.
        known = ", ".join(self.known) or "(none)"
        return f"unknown exporter {self.name!r}; known: {known}"


class Registry:
    """The exporters an application offers, by name."""

    def __init__(self) -> None:
        self._exporters: dict[str, Exporter] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The registered names, sorted."""
        return tuple(sorted(self._exporters))

    def register(self, name: str, exporter: Exporter) -> None:
        """Offer ``exporter`` as ``name``.

        Raises TypeError if ``exporter`` is not an Exporter instance, and
        ValueError if ``name`` is empty or already taken.
        """
        if not isinstance(exporter, Exporter):
            raise TypeError(
                f"cannot register {name!r}: expected an Exporter instance, "
                f"got {type(exporter).__name__}"
            )
        if not name:
            raise ValueError("an exporter's name must not be empty")
        if name in self._exporters:
            raise ValueError(f"an exporter named {name!r} is already registered")
        self._exporters[name] = exporter

    def get(self, name: str) -> Exporter:
        """Return the exporter registered as ``name``, or raise UnknownExporterError."""
        try:
            return self._exporters[name]
        except KeyError:
            raise UnknownExporterError(name, self.names) from None
