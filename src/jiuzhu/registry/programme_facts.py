"""Programme facts kept by the areas that run the programmes (DOMAIN §7), read by the rules
through the registry: the employment unit's job offers and answers (consecutive refusals of
suitable work, employment found through an offer) are facts about a member that the dibao
rules read at the next decision or review.

The registry sits below those areas, so it does not import them: each area hands in its
reader at start-up (its ``AppConfig.ready``) with ``register(name, reader)``; a reader takes
``(person_ids, on)`` and returns ``{person_id: {fact: value}}`` with the fact names of
``jiuzhu.policy.facts.PROGRAMME_FACTS``. ``member_facts(person_ids, on)`` merges every reader's
answer for ``policy.facts.from_registry(..., programme=...)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

Reader = Callable[[list[int], date], dict[int, dict[str, Any]]]
_READERS: dict[str, Reader] = {}


def register(name: str, reader: Reader) -> None:
    """Hand in an area's reader (idempotent: a second registration under the name replaces it)."""
    _READERS[name] = reader


def member_facts(person_ids: Iterable[int], on: date) -> dict[int, dict[str, Any]]:
    ids = list(person_ids)
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for reader in _READERS.values():
        for pid, facts in reader(ids, on).items():
            out.setdefault(pid, {}).update(facts)
    return out


def household_facts(household, on: date) -> dict[int, dict[str, Any]]:
    """The programme facts of a household's members on ``on``."""
    return member_facts(household.members.values_list("pk", flat=True), on)
