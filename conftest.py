"""Shared pytest fixtures: the demo city's units from the policy file, staff of every role,
and a household factory. Real database, no mocks."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from jiuzhu.registry.testing import make_id

_seq = itertools.count(1)


@pytest.fixture
def policy(settings):
    from jiuzhu.policy.selectors import current_policy

    return current_policy()


@pytest.fixture
def units(db, policy):
    from jiuzhu.registry.models import Unit
    from jiuzhu.registry.services import units_sync

    units_sync(policy=policy)
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def staff(db, units):
    """``staff(role, unit_code=None, username=None)`` makes a user with that role."""
    from jiuzhu.registry.models import User

    defaults = {
        "window_clerk": "town_chengdong",
        "town_caseworker": "town_chengdong",
        "department_officer": "education",
        "verification_officer": "civil_affairs",
        "data_provider": "police",
        "approver": "civil_affairs",
        "supervisor": "audit",
        "convener": "civil_affairs",
        "admin": "civil_affairs",
    }

    def make(role: str, unit_code: str | None = None, username: str | None = None):
        unit = units[unit_code or defaults[role]]
        name = username or f"{role}_{unit.code}_{next(_seq)}"
        return User.objects.create_user(
            username=name, password="test-pass-123", role=role, unit=unit, display_name=name,
            is_staff=(role == "admin"), is_superuser=(role == "admin"),
        )

    return make


@pytest.fixture
def make_household(db, units):
    """``make_household(members=[{...}], town="town_chengdong", **household_fields)``.
    Members need at least ``name`` and ``birth`` (a date) or ``id_number``."""
    from jiuzhu.registry.services import household_create

    def make(members=None, town="town_chengdong", actor=None, **fields):
        members = members or [{"name": "张三", "birth": date(1970, 5, 1), "relation": "head"}]
        rows = []
        for i, mb in enumerate(members):
            mb = dict(mb)
            birth = mb.pop("birth", None) or date(1980, 1, 1)
            mb.setdefault("id_number", make_id(birth, gender=mb.get("gender", "M")))
            mb.setdefault("relation", "head" if i == 0 else "child")
            rows.append(mb)
        data = {
            "town": town,
            "community": fields.pop("community", "幸福社区"),
            "division_code": fields.pop("division_code", units[town].division_code or "329901001"),
            "area": fields.pop("area", "urban"),
            "address": fields.pop("address", "示范市城东街道幸福路1号"),
            **fields,
        }
        return household_create(actor=actor, data=data, members=rows)

    return make
