"""Intake asks the entitlement side through one typed port (``jiuzhu.intake.ports``), which
decisions fills in at start-up: intake never imports decisions (issue 15)."""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal

from jiuzhu.decisions.intake_port import IntakeEntitlements
from jiuzhu.decisions.models import Entitlement
from jiuzhu.intake import handling, ports
from jiuzhu.intake import selectors as intake_selectors

from .conftest import D0


def _operations() -> dict:
    return {
        name: value
        for name, value in vars(ports.Entitlements).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }


def _parameters(fn) -> list[tuple]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_the_port_is_provided_when_both_apps_are_installed():
    assert isinstance(ports.entitlements(), IntakeEntitlements)


def test_every_operation_of_the_port_is_implemented_with_the_same_parameters():
    operations = _operations()
    # the Protocol is read, not an empty class: the operations intake calls are there
    assert {"grant", "grant_control", "check_same_cause", "household_facts", "pending_grant"} <= set(
        operations
    )
    impl = type(ports.entitlements())
    for name, declared in operations.items():
        assert callable(getattr(impl, name, None)), f"{impl.__name__} lacks {name}"
        assert _parameters(getattr(impl, name)) == _parameters(declared), name


def test_what_the_household_receives_comes_through_the_port(refer_to, staff, poor_household):
    # a unit's grant writes the entitlement through the port; the window's proposals then
    # mark the service as received, and a one-off grant counts in its own month only
    r = refer_to(poor_household, "temporary_emergency")
    officer = staff("department_officer", r.unit.code)
    handling.referral_accept(actor=officer, referral=r)
    handling.referral_grant(
        actor=officer, referral=r, amount="1000", note="火灾，急需生活用品", start_month=D0, today=D0
    )
    ent = Entitlement.objects.get(referral=r)
    assert (ent.amount, ent.amount_period) == (Decimal("1000.00"), "once")
    side = ports.entitlements()
    assert side.has_entitlement(r)
    assert "temporary_emergency" in side.running_services(poor_household, on=D0)
    assert "temporary_emergency" not in side.running_services(poor_household, on=date(2026, 4, 1))
    assert "temporary_emergency" in intake_selectors.received_services(poor_household, on=D0)
