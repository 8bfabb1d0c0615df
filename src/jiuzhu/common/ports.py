"""A port: what an app asks of an app above it, without importing it.

Apps import one way only (docs/NEWCOMER.md, "The apps, bottom up"). When a lower app still needs
an operation only a higher app can do (intake, below decisions, creates entitlements when a unit
grants a referral), the lower app declares the operations it needs as a ``typing.Protocol`` and a
``Port`` for it; the higher app fills the port in at start-up, in its ``AppConfig.ready()``. The
lower app calls ``port.get().<operation>(...)``; the type checker holds the implementation to the
Protocol, and a port nobody filled in fails loudly, naming the app that should have.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class PortNotProvided(ImproperlyConfigured):
    """The port was asked for before any app provided it (its provider is not installed, or
    the call came before the app registry was ready)."""


class Port(Generic[T]):
    """One port: ``name`` says what it is, ``provider`` which app fills it in."""

    def __init__(self, name: str, *, provider: str) -> None:
        self.name = name
        self.provider = provider
        self._impl: T | None = None

    def provide(self, impl: T) -> None:
        """Fill the port in (the provider's ``AppConfig.ready()``); a second call replaces."""
        self._impl = impl

    @property
    def provided(self) -> bool:
        return self._impl is not None

    def get(self) -> T:
        if self._impl is None:
            raise PortNotProvided(
                f"{self.name} has no implementation: {self.provider} provides it in its "
                f"AppConfig.ready(); is {self.provider} in INSTALLED_APPS and the app registry ready?"
            )
        return self._impl
