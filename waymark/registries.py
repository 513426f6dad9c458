"""Named registries apps add to at start-up.

The core defines one and feature apps register into it, so the core never imports them:
the patient record's and home's panels and the caseload's rows (patients), the timeline's
providers (patients.timeline), a patient's own people in crisis help (organizations.crisis).
Registering a name again replaces the entry (a module imported twice registers once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self) -> None:
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        self._entries[name] = entry
        return entry

    def register(self, name: str) -> Callable[[T], T]:
        """A decorator: `@registry.register("checkins")` on the function to register."""

        def decorator(entry: T) -> T:
            return self.add(name, entry)

        return decorator

    def get(self, name: str) -> T | None:
        return self._entries.get(name)

    def pop(self, name: str) -> T | None:
        return self._entries.pop(name, None)

    def as_dict(self) -> dict[str, T]:
        return dict(self._entries)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))
