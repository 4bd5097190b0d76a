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


class Exporter:
    """Turns report rows into the bytes of a download.

    Make this an abstract base class (``abc.ABC``) whose ``render`` is an
    abstract method, so that ``Exporter()``, or a subclass that does not
    implement ``render``, raises TypeError.

    A subclass implements ``render`` (rows to text) and sets ``mime_type``; the
    base class encodes the text and describes it for a ``Content-Type`` header.
    """

    mime_type: ClassVar[str] = "text/plain"

    def __init__(self, encoding: str = "utf-8") -> None:
        """Check ``encoding`` (``codecs.lookup`` raises LookupError for an
        unknown one) and keep it in a private attribute."""
        raise NotImplementedError

    @property
    def encoding(self) -> str:
        """The text encoding ``export`` uses, fixed at construction (read-only)."""
        raise NotImplementedError

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` of ``export``'s bytes: ``f"{mime_type}; charset={encoding}"``."""
        raise NotImplementedError

    def render(self, rows: Rows) -> str:
        """Return ``rows`` as the text of this format. Each subclass implements it."""
        raise NotImplementedError

    def export(self, rows: Rows) -> bytes:
        """Return ``rows`` rendered (``self.render``) and encoded with ``self.encoding``."""
        raise NotImplementedError


class CsvExporter(Exporter):
    """Comma-separated values (RFC 4180): a header row, then one line per row.

    The columns are every key of every row, in the order they first appear. A
    row without a column leaves it empty, as does ``None``. Lines end with
    ``\\r\\n``. No rows: ``""``.
    """

    mime_type = "text/csv"

    def render(self, rows: Rows) -> str:
        raise NotImplementedError


class ExcelCsvExporter(CsvExporter):
    """CSV that Excel opens with the right characters: UTF-8 behind a byte order mark."""

    def __init__(self) -> None:
        """Always UTF-8."""
        raise NotImplementedError

    def export(self, rows: Rows) -> bytes:
        """``codecs.BOM_UTF8``, then what CsvExporter exports (use ``super()``)."""
        raise NotImplementedError


class JsonLinesExporter(Exporter):
    """JSON Lines: one JSON object per row, each on its own line.

    Each line is ``json.dumps(dict(row), ensure_ascii=False, default=str)``
    followed by ``"\\n"``.
    """

    mime_type = "application/jsonl"

    def __init__(self) -> None:
        """Always UTF-8."""
        raise NotImplementedError

    @property
    def media_type(self) -> str:
        """Just ``mime_type``: JSON is always UTF-8 (RFC 8259), so no charset."""
        raise NotImplementedError

    def render(self, rows: Rows) -> str:
        raise NotImplementedError


class UnknownExporterError(KeyError):
    """No exporter is registered under the name asked for.

    Attributes ``name`` and ``known`` (the registered names, sorted, a tuple).
    ``str(err)`` is exactly ``unknown exporter 'xml'; known: csv, jsonl``, or
    ``unknown exporter 'xml'; known: (none)`` when nothing is registered.
    """

    name: str
    known: tuple[str, ...]

    def __init__(self, name: str, known: Sequence[str]) -> None:
        raise NotImplementedError

    def __str__(self) -> str:
        raise NotImplementedError


class Registry:
    """The exporters an application offers, by name.

    It *has* its exporters, in a private dict: it is not a dict itself.
    """

    def __init__(self) -> None:
        raise NotImplementedError

    @property
    def names(self) -> tuple[str, ...]:
        """The registered names, sorted (read-only)."""
        raise NotImplementedError

    def register(self, name: str, exporter: Exporter) -> None:
        """Offer ``exporter`` as ``name``.

        Raises TypeError if ``exporter`` is not an Exporter instance, and
        ValueError if ``name`` is empty or already taken. Each message names
        ``name``.
        """
        raise NotImplementedError

    def get(self, name: str) -> Exporter:
        """Return the exporter registered as ``name``, or raise UnknownExporterError."""
        raise NotImplementedError
