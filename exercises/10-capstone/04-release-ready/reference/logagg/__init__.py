"""logagg: an access-log aggregator for the on-call engineer."""

from logagg.core import EndpointStats, Summary, render, summarise

__all__ = ["EndpointStats", "Summary", "render", "summarise"]
