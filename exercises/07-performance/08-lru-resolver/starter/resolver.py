"""Resolve which services a deployment needs: the transitive dependencies of services.

This version is CORRECT but SLOW. A service's dependencies are computed afresh every time
they are needed, and in a config where many services share dependencies, the recursion
walks every path to every shared service again and again: the number of paths grows
exponentially with the depth of the config.

Memoise it with ``functools.lru_cache``, as the README describes: one cache per resolver,
keyed by the frozenset of the services asked about, cleared by ``reload``, and exposed by
``cache_info``. Keep the recursive formula.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

# The most answers a resolver remembers: enough for every service and the usual groups.
CACHE_SIZE = 1024

Config = Mapping[str, Iterable[str]]


class UnknownServiceError(KeyError):
    """A service that the config does not define."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service

    def __str__(self) -> str:
        return f"unknown service {self.service!r}"


class CycleError(ValueError):
    """A service that depends, through others, on itself."""

    def __init__(self, service: str) -> None:
        super().__init__(f"dependency cycle through {service!r}")
        self.service = service


class DependencyResolver:
    """Answers which services others depend on, directly or not, for one config at a time."""

    _config: dict[str, tuple[str, ...]]  # each service and its direct dependencies

    def __init__(self, config: Config) -> None:
        """``config`` maps each service to the services it depends on directly.

        Raises UnknownServiceError if a dependency is not a service of the config.
        """
        self._resolving: set[str] = set()
        self.reload(config)

    def reload(self, config: Config) -> None:
        """Use ``config`` from now on, forgetting every answer of the old one."""
        loaded = {service: tuple(needs) for service, needs in config.items()}
        for needs in loaded.values():
            for dependency in needs:
                if dependency not in loaded:
                    raise UnknownServiceError(dependency)
        self._config = loaded

    def requires(self, services: str | Iterable[str]) -> frozenset[str]:
        """Every service that ``services`` depend on, directly or through others.

        ``services`` is one service name, or any iterable of names (a list, a set, a
        tuple); the answer for several is the union of their answers. Raises
        UnknownServiceError for a name the config does not define, and CycleError if a
        service depends on itself.
        """
        key = frozenset({services}) if isinstance(services, str) else frozenset(services)
        return self._compute(key)

    def cache_info(self) -> functools._CacheInfo:
        """The hits, misses, maximum size and current size of the cache."""
        raise NotImplementedError

    def _compute(self, services: frozenset[str]) -> frozenset[str]:
        """The answer for ``services``, recomputing every smaller question."""
        if len(services) != 1:
            return frozenset().union(*(self._compute(frozenset({one})) for one in services))
        (service,) = services
        if service not in self._config:
            raise UnknownServiceError(service)
        if service in self._resolving:
            raise CycleError(service)
        self._resolving.add(service)
        try:
            found: set[str] = set()
            for dependency in self._config[service]:
                found.add(dependency)
                found |= self._compute(frozenset({dependency}))
            return frozenset(found)
        finally:
            self._resolving.discard(service)


def transitive_closure(config: Config) -> dict[str, frozenset[str]]:
    """Every service of ``config`` with everything it depends on, from a fresh resolver."""
    resolver = DependencyResolver(config)
    return {service: resolver.requires(service) for service in config}
